import * as tf from '@tensorflow/tfjs';
import type { EvaluationPoint, ScoreFn } from '@scorelab/core';

export interface FisherDivergenceOptions {
  /** The learned score s(x, cond). */
  model: ScoreFn;
  /** The exact perturbed score grad log p(x | cond) (core exactScore). */
  exact: ScoreFn;
  /** The evaluation points of the noise family (core evaluationPoints): a noise level, a time, or one clean point. */
  points: readonly Pick<EvaluationPoint, 'cond' | 'weight'>[];
  /** One batch per point, x ~ p at that point (x = m x_0 + s z): [N, D]. */
  samples: tf.Tensor2D[];
}

export interface FisherDivergence {
  /** F_k = 1/2 E_{x ~ p_k} ||s(x, c_k) - grad log p_k(x)||^2, one per point. */
  perPoint: number[];
  /** (1/K) sum_k lambda_k F_k with lambda_k = s_k^2 (`eval/fisher`, DESIGN.md section 5); F itself when clean. */
  weighted: number;
}

/**
 * The Fisher divergence between the model score and the exact score at every evaluation point of a
 * noise family, estimated by the sample mean over the given batches. Per-row squared errors are
 * summed in float64 so large batches lose no precision.
 */
export function fisherDivergence(opts: FisherDivergenceOptions): FisherDivergence {
  const { model, exact, samples, points } = opts;
  if (samples.length !== points.length) {
    throw new Error(`fisherDivergence: expected ${points.length} sample batch(es) (one per evaluation point), got ${samples.length}`);
  }
  const perPoint = points.map(({ cond }, i) => {
    const x = samples[i];
    if (x.rank !== 2 || x.shape[0] === 0) throw new Error(`fisherDivergence: samples[${i}] must be a non-empty [N, D] tensor`);
    const rowErrors = tf.tidy(() => {
      const column = cond === undefined ? undefined : (tf.fill([x.shape[0]], cond) as tf.Tensor1D);
      const diff = tf.sub(model(x, column), exact(x, column));
      return tf.sum(tf.square(diff), 1); // ||s - grad log p||^2 per row: [N]
    });
    const values = rowErrors.dataSync();
    rowErrors.dispose();
    let total = 0;
    for (const v of values) total += v;
    return (0.5 * total) / values.length;
  });
  const weighted = perPoint.reduce((acc, f, i) => acc + points[i].weight * f, 0) / perPoint.length;
  return { perPoint, weighted };
}
