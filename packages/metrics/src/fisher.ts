import * as tf from '@tensorflow/tfjs';
import type { ScoreFn } from '@scorelab/core';

export interface FisherDivergenceOptions {
  /** The learned score s(x, sigma). */
  model: ScoreFn;
  /** The exact (perturbed) score grad log p_sigma(x). */
  exact: ScoreFn;
  /** One batch per level, x ~ p_sigma_i: [N, D]; a single batch when `sigmas` is null. */
  samples: tf.Tensor2D[];
  /** Noise levels (any order, matching `samples`), or null for an unconditional model (score called without sigma). */
  sigmas: number[] | null;
}

export interface FisherDivergence {
  /** F_i = 1/2 E_{x~p_sigma_i} ||s(x, sigma_i) - grad log p_sigma_i(x)||^2, one per level. */
  perLevel: number[];
  /** (1/L) sum_i sigma_i^2 F_i (`eval/fisher`, DESIGN.md section 5); F itself when sigmas is null. */
  weighted: number;
}

/**
 * The Fisher divergence between the model score and the exact score, estimated by the sample mean
 * over the given batches. Per-row squared errors are summed in float64 so large batches lose no precision.
 */
export function fisherDivergence(opts: FisherDivergenceOptions): FisherDivergence {
  const { model, exact, samples, sigmas } = opts;
  const levels = sigmas ?? [undefined];
  if (samples.length !== levels.length) {
    throw new Error(`fisherDivergence: expected ${levels.length} sample batch(es) (one per level), got ${samples.length}`);
  }
  const perLevel = levels.map((sigma, i) => {
    const x = samples[i];
    if (x.rank !== 2 || x.shape[0] === 0) throw new Error(`fisherDivergence: samples[${i}] must be a non-empty [N, D] tensor`);
    const rowErrors = tf.tidy(() => {
      const sigmaColumn = sigma === undefined ? undefined : (tf.fill([x.shape[0]], sigma) as tf.Tensor1D);
      const diff = tf.sub(model(x, sigmaColumn), exact(x, sigmaColumn));
      return tf.sum(tf.square(diff), 1); // ||s - grad log p||^2 per row: [N]
    });
    const values = rowErrors.dataSync();
    rowErrors.dispose();
    let total = 0;
    for (const v of values) total += v;
    return (0.5 * total) / values.length;
  });
  const weighted = sigmas === null ? perLevel[0] : perLevel.reduce((acc, f, i) => acc + sigmas[i] * sigmas[i] * f, 0) / perLevel.length;
  return { perLevel, weighted };
}
