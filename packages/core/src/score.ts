import type * as tf from '@tensorflow/tfjs';

/**
 * A score function s(x, sigma) ~ grad_x log p_sigma(x).
 * x: [N, D]; sigma: [N] (one noise level per sample) or undefined for an unconditional model.
 * Rows must be independent: row n of the output depends only on row n of x and sigma[n]
 * (the exact divergence and the Hutchinson estimators rely on it).
 */
export type ScoreFn = (x: tf.Tensor2D, sigma?: tf.Tensor1D) => tf.Tensor2D;

/**
 * A score function that can also push tangent vectors through itself in the same forward
 * pass (forward-mode differentiation): for each tangent v: [N, D] it returns J v, where
 * J = ds/dx row by row. The weight gradient of a loss built from J v then needs only
 * first-order backprop (see DESIGN.md section 7).
 */
export interface TangentScoreFn {
  (x: tf.Tensor2D, sigma?: tf.Tensor1D): tf.Tensor2D;
  withTangents(x: tf.Tensor2D, sigma: tf.Tensor1D | undefined, tangents: tf.Tensor2D[]): { score: tf.Tensor2D; jvps: tf.Tensor2D[] };
  /** Optional: the same with K tangents stacked along the batch, [K*N, D] in and out (no split). */
  withStackedTangents?(x: tf.Tensor2D, sigma: tf.Tensor1D | undefined, tangents: tf.Tensor2D): { score: tf.Tensor2D; jvpStacked: tf.Tensor2D };
}

export function hasTangents(f: ScoreFn): f is ScoreFn & TangentScoreFn {
  return typeof (f as Partial<TangentScoreFn>).withTangents === 'function';
}
