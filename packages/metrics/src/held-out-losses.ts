/**
 * Score-matching losses on held-out data (`eval/dsm@<sigma>`, `eval/dsm`, `eval/ssm`): what a model
 * scores on points it was not trained on. They need no ground-truth score, so they apply to every
 * dataset (digits and file data included). Both differ from the Fisher divergence by a constant of
 * the data (Vincent 2011; Hyvarinen 2005), so lower is better and differences between models are
 * differences of Fisher divergence.
 */
import * as tf from '@tensorflow/tfjs';
import type { EvaluationPoint, Rng, ScoreFn } from '@scorelab/core';

/** Rows of held-out data per score call, to bound the memory of one call on large held-out sets. */
export const HELD_OUT_CHUNK_ROWS = 1024;

export interface HeldOutLossOptions {
  /** The model score s(x, cond): forward only for dsm; differentiable (tfjs) for ssm. */
  score: ScoreFn;
  /** The evaluation points of the noise family (core evaluationPoints): m, s, the condition and lambda = s^2. */
  points: readonly Pick<EvaluationPoint, 'cond' | 'mean' | 'std' | 'weight'>[];
  /** Held-out data x_0: [N, D]. */
  heldOut: tf.Tensor2D;
  /** The perturbation noise z (and ssm's projections), drawn in row order per point. */
  rng: Rng;
}

export interface HeldOutLoss {
  /** The loss at each evaluation point. */
  perPoint: number[];
  /** (1/K) sum_k lambda_k L_k, lambda_k = s_k^2: the weighting of eval/fisher (1 for one clean point). */
  weighted: number;
}

/**
 * Held-out denoising score matching at every evaluation point k: L_k = 1/2 mean_n ||s(m_k x_n + s_k z_n, c_k) + z_n / s_k||^2,
 * z ~ N(0, I), one draw per held-out point. For N(mu, v I) data in D dimensions and the true score,
 * L_k = D v / (2 s_k^2 (v + s_k^2)) (with m = 1): the DSM loss's constant, what a perfect model scores.
 */
export function heldOutDenoisingLoss(opts: HeldOutLossOptions): HeldOutLoss {
  const { score, points, heldOut, rng } = opts;
  checkHeldOut(heldOut, points.length);
  const perPoint = points.map((p) => {
    if (!(p.std > 0)) throw new Error('heldOutDenoisingLoss: every evaluation point needs noise (std > 0); the clean family has nothing to denoise');
    return meanOverChunks(heldOut, (x) => {
      const z = rng.normalTensor(x.shape) as tf.Tensor2D;
      const noisy = tf.add(p.mean === 1 ? x : tf.mul(x, p.mean), tf.mul(z, p.std)) as tf.Tensor2D;
      const s = score(noisy, conditionColumn(p.cond, x.shape[0]));
      return tf.mul(0.5, tf.sum(tf.square(tf.add(s, tf.div(z, p.std))), 1)) as tf.Tensor1D;
    });
  });
  return { perPoint, weighted: weightedMean(points, perPoint) };
}

/**
 * Held-out sliced score matching, variance-reduced (SSM-VR, Song et al. 2019) at every evaluation point k on
 * x = m_k x_0 + s_k z (x_0 itself when clean): L_k = mean_n [v_n^T J_s(x_n) v_n + 1/2 ||s(x_n)||^2], one Rademacher
 * v per point, v^T J v from one backward pass of v . s. It equals E[tr J_s + 1/2 ||s||^2], Hyvarinen's objective
 * (Fisher divergence minus 1/2 E||grad log p||^2); for N(mu, v I) data and the true score, L_k = -D / (2 (v + s_k^2)).
 */
export function heldOutSlicedScoreMatching(opts: HeldOutLossOptions): HeldOutLoss {
  const { score, points, heldOut, rng } = opts;
  checkHeldOut(heldOut, points.length);
  const perPoint = points.map((p) =>
    meanOverChunks(heldOut, (x0) => {
      const x = (p.std > 0 ? tf.add(p.mean === 1 ? x0 : tf.mul(x0, p.mean), tf.mul(rng.normalTensor(x0.shape), p.std)) : x0) as tf.Tensor2D;
      const v = rng.rademacherTensor(x.shape) as tf.Tensor2D;
      const cond = conditionColumn(p.cond, x.shape[0]);
      // d/dx sum_n v_n . s(x_n) = J_n^T v_n per row; v_n . J_n^T v_n = v_n^T J_n v_n.
      const { value, grad } = tf.valueAndGrad((xx: tf.Tensor) => tf.sum(tf.mul(score(xx as tf.Tensor2D, cond), v)))(x);
      value.dispose();
      const s = score(x, cond);
      return tf.add(tf.sum(tf.mul(grad, v), 1), tf.mul(0.5, tf.sum(tf.square(s), 1))) as tf.Tensor1D;
    }),
  );
  return { perPoint, weighted: weightedMean(points, perPoint) };
}

function checkHeldOut(heldOut: tf.Tensor2D, points: number): void {
  if (heldOut.rank !== 2 || heldOut.shape[0] === 0) throw new Error('held-out losses: heldOut must be a non-empty [N, D] tensor');
  if (points === 0) throw new Error('held-out losses: no evaluation points');
}

function conditionColumn(cond: number | undefined, n: number): tf.Tensor1D | undefined {
  return cond === undefined ? undefined : (tf.fill([n], cond) as tf.Tensor1D);
}

/** Mean over all rows of the per-row terms of `rowTerms`, computed chunk by chunk (summed in float64). */
function meanOverChunks(x: tf.Tensor2D, rowTerms: (chunk: tf.Tensor2D) => tf.Tensor1D): number {
  const n = x.shape[0];
  let total = 0;
  for (let start = 0; start < n; start += HELD_OUT_CHUNK_ROWS) {
    const size = Math.min(HELD_OUT_CHUNK_ROWS, n - start);
    const terms = tf.tidy(() => rowTerms(size === n ? x : tf.slice(x, [start, 0], [size, -1])));
    for (const v of terms.dataSync()) total += v;
    terms.dispose();
  }
  return total / n;
}

function weightedMean(points: readonly Pick<EvaluationPoint, 'weight'>[], perPoint: number[]): number {
  return perPoint.reduce((acc, l, i) => acc + points[i].weight * l, 0) / perPoint.length;
}
