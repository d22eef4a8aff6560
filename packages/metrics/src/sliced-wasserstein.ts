import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';

export interface SlicedWassersteinOptions {
  /** Number of random directions; default 256. */
  projections?: number;
}

const DEFAULT_PROJECTIONS = 256;

/**
 * Sliced Wasserstein-2 distance between the empirical laws of x: [M, D] and y: [N, D] (`sample/swd`):
 *   SW_2 = sqrt( mean over directions theta of W_2^2(theta.x, theta.y) ),
 * theta uniform on the unit sphere (drawn from `rng`), and W_2 in 1-D the L2 distance between the
 * quantile functions: with M = N the mean of (x_(i) - y_(i))^2 over sorted projections; otherwise
 * the exact integral over the merged quantile breakpoints. Same units as x (not squared).
 */
export function slicedWasserstein(x: tf.Tensor2D, y: tf.Tensor2D, rng: Rng, opts: SlicedWassersteinOptions = {}): number {
  const [m, d] = x.shape;
  const [n, dy] = y.shape;
  if (d !== dy) throw new Error(`slicedWasserstein: x has ${d} columns and y ${dy}`);
  if (m < 1 || n < 1) throw new Error('slicedWasserstein: both samples need at least one row');
  const p = opts.projections ?? DEFAULT_PROJECTIONS;
  if (!Number.isInteger(p) || p < 1) throw new Error(`slicedWasserstein: projections must be a positive integer, got ${p}`);
  const directions = unitDirections(rng, p, d); // [D, P], columns on the unit sphere
  // Return tensors, not typed arrays, from tidy: tidy walks the returned container element by element.
  const projected = tf.tidy(() => {
    const theta = tf.tensor2d(directions, [d, p]);
    return [tf.matMul(x, theta), tf.matMul(y, theta)]; // [M, P], [N, P]
  });
  const px = projected[0].dataSync();
  const py = projected[1].dataSync();
  tf.dispose(projected);
  const a = new Float64Array(m);
  const b = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < p; k++) {
    for (let i = 0; i < m; i++) a[i] = px[i * p + k];
    for (let j = 0; j < n; j++) b[j] = py[j * p + k];
    a.sort();
    b.sort();
    total += wasserstein2Squared1d(a, b);
  }
  return Math.sqrt(total / p);
}

/** P directions uniform on the unit sphere of R^D, stored column-wise: [D, P]. */
function unitDirections(rng: Rng, p: number, d: number): Float32Array {
  const out = new Float32Array(d * p);
  for (let k = 0; k < p; k++) {
    const v = rng.normalArray(d);
    let norm = 0;
    for (const t of v) norm += t * t;
    norm = Math.sqrt(norm);
    for (let c = 0; c < d; c++) out[c * p + k] = v[c] / norm;
  }
  return out;
}

/**
 * W_2^2 between two sorted 1-D samples: integral over u in (0, 1) of (F^{-1}(u) - G^{-1}(u))^2, both
 * quantile functions piecewise constant with steps at i/M and j/N. Breakpoints are compared as
 * integers in units of 1/(MN) so no step is skipped by rounding.
 */
export function wasserstein2Squared1d(a: Float64Array, b: Float64Array): number {
  const m = a.length;
  const n = b.length;
  if (m === n) {
    let s = 0;
    for (let i = 0; i < m; i++) s += (a[i] - b[i]) ** 2;
    return s / m;
  }
  let i = 0;
  let j = 0;
  let t = 0; // current u in units of 1/(MN)
  let s = 0;
  while (i < m && j < n) {
    const endA = (i + 1) * n;
    const endB = (j + 1) * m;
    const end = Math.min(endA, endB);
    s += (end - t) * (a[i] - b[j]) ** 2;
    t = end;
    if (endA === end) i++;
    if (endB === end) j++;
  }
  return s / (m * n);
}
