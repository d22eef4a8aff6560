import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';

/** A row-wise vector field f: [N, D] -> [N, D] (row n depends only on row n). */
export type VectorField = (x: tf.Tensor2D) => tf.Tensor2D;

/** The projection distribution of a Hutchinson estimator; each has E[v v^T] = I. */
export type Projection = 'rademacher' | 'gaussian' | 'sphere';

/** Draw M projection vectors per sample: returns M tensors of shape [N, D]. */
export function drawProjections(rng: Rng, projection: Projection, n: number, d: number, m: number): tf.Tensor2D[] {
  const out: tf.Tensor2D[] = [];
  for (let k = 0; k < m; k++) {
    switch (projection) {
      case 'rademacher':
        out.push(rng.rademacherTensor([n, d]) as tf.Tensor2D);
        break;
      case 'gaussian':
        out.push(rng.normalTensor([n, d]) as tf.Tensor2D);
        break;
      case 'sphere':
        out.push(rng.sphereTensor(n, d));
        break;
    }
  }
  return out;
}

/**
 * Exact divergence tr(df/dx) per row, one backward pass per dimension: [N].
 * Built from nested tf.grad, so a further gradient (w.r.t. weights captured by f) is exact.
 */
export function exactDivergence(f: VectorField, x: tf.Tensor2D): tf.Tensor1D {
  const d = x.shape[1];
  const terms: tf.Tensor1D[] = [];
  for (let i = 0; i < d; i++) {
    const gi = tf.grad((xx: tf.Tensor) => tf.sum(tf.slice(f(xx as tf.Tensor2D), [0, i], [-1, 1])))(x);
    terms.push(tf.reshape(tf.slice(gi, [0, i], [-1, 1]), [-1]) as tf.Tensor1D);
  }
  return tf.addN(terms) as tf.Tensor1D;
}

/** The full Jacobian J[n, i, j] = d f_i / d x_j of each row: [N, D, D]. */
export function jacobian(f: VectorField, x: tf.Tensor2D): tf.Tensor3D {
  const d = x.shape[1];
  const rows: tf.Tensor2D[] = [];
  for (let i = 0; i < d; i++) {
    rows.push(tf.grad((xx: tf.Tensor) => tf.sum(tf.slice(f(xx as tf.Tensor2D), [0, i], [-1, 1])))(x) as tf.Tensor2D);
  }
  return tf.stack(rows, 1) as tf.Tensor3D;
}

/**
 * Vector-Jacobian product v^T J per row, by one backward pass: [N, D].
 * (v^T J)_j = sum_i v_i d f_i / d x_j = d/dx_j (v . f(x)).
 */
export function vectorJacobianProduct(f: VectorField, x: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D {
  return tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor2D), v)))(x) as tf.Tensor2D;
}

/** The quadratic form v^T J v per row by double backprop: [N]. */
export function projectedJacobian(f: VectorField, x: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(vectorJacobianProduct(f, x, v), v), 1) as tf.Tensor1D;
}

/**
 * Hutchinson's estimate of tr(df/dx) per row, averaged over M projections: [N].
 * Unbiased for every projection in `Projection` because E[v v^T] = I.
 */
export function hutchinsonDivergence(f: VectorField, x: tf.Tensor2D, rng: Rng, projection: Projection = 'rademacher', projections = 1): tf.Tensor1D {
  const [n, d] = x.shape;
  const vs = drawProjections(rng, projection, n, d, projections);
  const est = tf.addN(vs.map((v) => projectedJacobian(f, x, v)));
  return tf.div(est, projections) as tf.Tensor1D;
}
