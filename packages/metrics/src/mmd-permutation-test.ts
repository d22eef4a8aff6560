import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';
import { defaultBandwidths, type MmdOptions } from './mmd';

export interface MmdPermutationTestOptions extends MmdOptions {
  /** Random relabellings of the pooled sample; default MMD_PERMUTATIONS (200). */
  permutations?: number;
}

/** Permutations of `sample/mmd_p`: p-values on the grid 1/201, 2/201, ..., 1. */
export const MMD_PERMUTATIONS = 200;

/** Rows of the pooled sample per kernel block, to bound the transient tensors at block x (M + N) entries. */
const BLOCK_ROWS = 512;
/** The pooled kernel matrix is (M + N)^2 float32 entries: refuse beyond 8000 rows (256 MB). */
const MAX_POOLED_ROWS = 8000;

export interface MmdPermutationTest {
  /** The observed unbiased MMD^2 of x against y (the statistic of `sample/mmd`, from the same kernel matrix). */
  mmd: number;
  /** (1 + #{permutations with MMD^2 >= observed}) / (1 + permutations) (`sample/mmd_p`). */
  pValue: number;
  permutations: number;
}

/**
 * Permutation test of "x: [M, D] and y: [N, D] have the same law" with the unbiased MMD^2 of `mmd`
 * (same kernel: the sum of RBFs at h_med(y) * {0.25, ..., 4}). The pooled kernel matrix K: [M+N, M+N]
 * is computed once; each permutation relabels M pooled rows as x and needs only S_AA = sum_{i,j in A} K_ij:
 *   S_AB = sum_{i in A} r_i - S_AA,  S_BB = sum r - S_AA - 2 S_AB  (r = row sums of K).
 * The p-value counts the observed labelling as one permutation, so it is never 0 and is valid
 * (P(p <= a) <= a under the null) for a kernel fixed by the pooled sample; here the bandwidths come
 * from y as in `sample/mmd`, which moves the calibration negligibly (tested).
 */
export function mmdPermutationTest(x: tf.Tensor2D, y: tf.Tensor2D, rng: Rng, opts: MmdPermutationTestOptions = {}): MmdPermutationTest {
  const [m, d] = x.shape;
  const [n, dy] = y.shape;
  if (d !== dy) throw new Error(`mmdPermutationTest: x has ${d} columns and y ${dy}`);
  if (m < 2 || n < 2) throw new Error('mmdPermutationTest: each sample needs at least 2 rows');
  const total = m + n;
  if (total > MAX_POOLED_ROWS) throw new Error(`mmdPermutationTest: ${total} pooled rows exceed ${MAX_POOLED_ROWS} (the kernel matrix is held in memory)`);
  const permutations = opts.permutations ?? MMD_PERMUTATIONS;
  if (!Number.isInteger(permutations) || permutations < 1) throw new Error(`mmdPermutationTest: permutations must be a positive integer, got ${permutations}`);
  const bandwidths = opts.bandwidths ?? defaultBandwidths(y);
  if (bandwidths.length === 0 || bandwidths.some((h) => !(h > 0))) throw new Error('mmdPermutationTest: bandwidths must be positive');
  const kernel = pooledKernel(x, y, bandwidths); // [total, total] row-major, symmetric
  const diagonal = bandwidths.length; // k(a, a) = number of bandwidths
  const rowSums = new Float64Array(total);
  let sumAll = 0;
  for (let i = 0; i < total; i++) {
    let s = 0;
    for (let j = 0; j < total; j++) s += kernel[i * total + j];
    rowSums[i] = s;
    sumAll += s;
  }
  // Gather over the smaller group (G, size g); the other group is its complement.
  const xIsSmaller = m <= n;
  const g = xIsSmaller ? m : n;
  const statistic = (groupRows: Int32Array): number => {
    let sGG = 0;
    let rG = 0;
    for (let a = 0; a < g; a++) {
      const row = groupRows[a] * total;
      let s = 0;
      for (let b = a + 1; b < g; b++) s += kernel[row + groupRows[b]];
      sGG += s;
      rG += rowSums[groupRows[a]];
    }
    sGG = 2 * sGG + g * diagonal;
    const sCross = rG - sGG;
    const sOther = sumAll - sGG - 2 * sCross;
    const [sXX, sYY] = xIsSmaller ? [sGG, sOther] : [sOther, sGG];
    return (sXX - m * diagonal) / (m * (m - 1)) + (sYY - n * diagonal) / (n * (n - 1)) - (2 * sCross) / (m * n);
  };
  const observedRows = Int32Array.from({ length: g }, (_, a) => (xIsSmaller ? a : m + a));
  const observed = statistic(observedRows);
  const order = Int32Array.from({ length: total }, (_, i) => i);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    // Partial Fisher-Yates: the first g entries of `order` become a uniform random g-subset.
    for (let a = 0; a < g; a++) {
      const b = a + rng.int(total - a);
      const t = order[a];
      order[a] = order[b];
      order[b] = t;
    }
    const rows = order.slice(0, g).sort(); // sorted rows read the kernel matrix in order
    if (statistic(rows) >= observed) atLeast++;
  }
  return { mmd: observed, pValue: (1 + atLeast) / (1 + permutations), permutations };
}

/** K_ij = sum_h exp(-||z_i - z_j||^2 / (2 h^2)) over the pooled rows z = [x; y], centred on y's mean (as `mmd`). */
function pooledKernel(x: tf.Tensor2D, y: tf.Tensor2D, bandwidths: number[]): Float32Array {
  const total = x.shape[0] + y.shape[0];
  const z = tf.tidy(() => tf.sub(tf.concat([x, y], 0), tf.mean(y, 0, true)) as tf.Tensor2D);
  const zT = tf.tidy(() => tf.transpose(z));
  const norms = tf.tidy(() => tf.reshape(tf.sum(tf.square(z), 1), [1, -1]));
  const out = new Float32Array(total * total);
  try {
    for (let start = 0; start < total; start += BLOCK_ROWS) {
      const size = Math.min(BLOCK_ROWS, total - start);
      const block = tf.tidy(() => {
        const rows = tf.slice(z, [start, 0], [size, -1]);
        const rowNorms = tf.reshape(tf.sum(tf.square(rows), 1), [-1, 1]);
        const sq = tf.relu(tf.sub(tf.add(rowNorms, norms), tf.mul(tf.matMul(rows, zT), 2)));
        const kernels = bandwidths.map((h) => tf.exp(tf.mul(sq, -1 / (2 * h * h))));
        return kernels.length === 1 ? kernels[0] : tf.addN(kernels);
      });
      out.set(block.dataSync(), start * total);
      block.dispose();
    }
  } finally {
    tf.dispose([z, zT, norms]);
  }
  // The diagonal is exactly the number of bandwidths; rounding in ||a||^2 + ||a||^2 - 2 a.a would blur it.
  for (let i = 0; i < total; i++) out[i * total + i] = bandwidths.length;
  return out;
}
