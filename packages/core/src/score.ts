import type * as tf from '@tensorflow/tfjs';

/**
 * The one score signature (DESIGN.md section 2): s(x, cond) ~ grad_x log p(x | cond).
 * x: [N, D]; cond: [N], the network's noise coordinate for each row — the noise level sigma of a
 * noise-conditional model, the time t of a time-conditional (SDE) model — or undefined for an
 * unconditional model. Which coordinate a model takes is fixed by its spec (see NoiseFamily).
 * Rows must be independent: row n of the output depends only on row n of x and cond[n]
 * (the exact divergence and the Hutchinson estimators rely on it).
 */
export type ScoreFn = (x: tf.Tensor2D, cond?: tf.Tensor1D) => tf.Tensor2D;

/**
 * A score function that can also push tangent vectors through itself in the same forward
 * pass (forward-mode differentiation): for each tangent v: [N, D] it returns J v, where
 * J = ds/dx row by row. The weight gradient of a loss built from J v then needs only
 * first-order backprop (see DESIGN.md section 7).
 */
export interface TangentScoreFn {
  (x: tf.Tensor2D, cond?: tf.Tensor1D): tf.Tensor2D;
  withTangents(x: tf.Tensor2D, cond: tf.Tensor1D | undefined, tangents: tf.Tensor2D[]): { score: tf.Tensor2D; jvps: tf.Tensor2D[] };
  /** Optional: the same with K tangents stacked along the batch, [K*N, D] in and out (no split). */
  withStackedTangents?(x: tf.Tensor2D, cond: tf.Tensor1D | undefined, tangents: tf.Tensor2D): { score: tf.Tensor2D; jvpStacked: tf.Tensor2D };
}

export function hasTangents(f: ScoreFn): f is ScoreFn & TangentScoreFn {
  return typeof (f as Partial<TangentScoreFn>).withTangents === 'function';
}
