import * as tf from '@tensorflow/tfjs';

export interface MmdOptions {
  /** RBF length scales h of k(a, b) = exp(-||a - b||^2 / (2 h^2)); the kernel is their sum. */
  bandwidths?: number[];
}

/** Default bandwidths are these multiples of the median pairwise distance within the reference sample y. */
export const MMD_BANDWIDTH_MULTIPLIERS: readonly number[] = [0.25, 0.5, 1, 2, 4];

/** The median heuristic uses the pairs among at most this many (leading) rows of y. */
const MEDIAN_ROWS = 1000;
/** Rows of the first argument per kernel block, to bound memory at block x M entries. */
const BLOCK_ROWS = 512;

/**
 * Squared maximum mean discrepancy between the laws of x: [M, D] and y: [N, D] (`sample/mmd`), the
 * unbiased U-statistic
 *   MMD^2 = sum_{i!=j} k(x_i, x_j) / (M(M-1)) + sum_{i!=j} k(y_i, y_j) / (N(N-1)) - 2 sum_{i,j} k(x_i, y_j) / (MN),
 * with k the sum of RBF kernels over the bandwidths. It can be slightly negative when the laws agree.
 * Default bandwidths: h_med * {0.25, 0.5, 1, 2, 4}, h_med the median pairwise distance within y, the
 * reference (data) sample, so every model compared against the same data gets the same kernel.
 */
export function mmd(x: tf.Tensor2D, y: tf.Tensor2D, opts: MmdOptions = {}): number {
  const [m, d] = x.shape;
  const [n, dy] = y.shape;
  if (d !== dy) throw new Error(`mmd: x has ${d} columns and y ${dy}`);
  if (m < 2 || n < 2) throw new Error('mmd: each sample needs at least 2 rows');
  const bandwidths = opts.bandwidths ?? defaultBandwidths(y);
  if (bandwidths.length === 0 || bandwidths.some((h) => !(h > 0))) throw new Error('mmd: bandwidths must be positive');
  const b = bandwidths.length;
  // Centre on y's mean: the kernel is translation invariant, and the expansion
  // ||a||^2 + ||b||^2 - 2 a.b cancels less in float32 near the origin.
  const [xc, yc] = tf.tidy(() => {
    const mean = tf.mean(y, 0, true);
    return [tf.sub(x, mean) as tf.Tensor2D, tf.sub(y, mean) as tf.Tensor2D];
  });
  try {
    const kxx = kernelSum(xc, xc, bandwidths);
    const kyy = kernelSum(yc, yc, bandwidths);
    const kxy = kernelSum(xc, yc, bandwidths);
    // k(a, a) = b exactly: drop the diagonal terms for the U-statistic.
    return (kxx - m * b) / (m * (m - 1)) + (kyy - n * b) / (n * (n - 1)) - (2 * kxy) / (m * n);
  } finally {
    tf.dispose([xc, yc]);
  }
}

/** h_med * MMD_BANDWIDTH_MULTIPLIERS, h_med the median distance between distinct rows of y (first MEDIAN_ROWS rows). */
export function defaultBandwidths(y: tf.Tensor2D): number[] {
  const median = medianPairwiseDistance(y);
  if (!(median > 0)) throw new Error('mmd: the median pairwise distance of the reference sample is 0; pass bandwidths explicitly');
  return MMD_BANDWIDTH_MULTIPLIERS.map((c) => c * median);
}

function medianPairwiseDistance(y: tf.Tensor2D): number {
  const [n0, d] = y.shape;
  const n = Math.min(n0, MEDIAN_ROWS);
  const values = y.dataSync();
  const distances = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let ss = 0;
      for (let c = 0; c < d; c++) {
        const t = values[i * d + c] - values[j * d + c];
        ss += t * t;
      }
      distances[k++] = Math.sqrt(ss);
    }
  }
  distances.sort();
  const mid = distances.length >> 1;
  return distances.length % 2 === 1 ? distances[mid] : 0.5 * (distances[mid - 1] + distances[mid]);
}

/** sum_{i,j} sum_h exp(-||a_i - b_j||^2 / (2 h^2)) for a: [P, D], b: [Q, D], diagonal included; row sums added in float64. */
function kernelSum(a: tf.Tensor2D, b: tf.Tensor2D, bandwidths: number[]): number {
  const bT = tf.tidy(() => tf.transpose(b)); // [D, Q]; an explicit transpose keeps matMul on the fast path
  const bNorms = tf.tidy(() => tf.reshape(tf.sum(tf.square(b), 1), [1, -1]));
  let total = 0;
  try {
    for (let start = 0; start < a.shape[0]; start += BLOCK_ROWS) {
      const size = Math.min(BLOCK_ROWS, a.shape[0] - start);
      const rowSums = tf.tidy(() => {
        const block = tf.slice(a, [start, 0], [size, -1]);
        const aNorms = tf.reshape(tf.sum(tf.square(block), 1), [-1, 1]);
        // ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b, clamped at 0 against rounding: [size, Q].
        const sq = tf.relu(tf.sub(tf.add(aNorms, bNorms), tf.mul(tf.matMul(block, bT), 2)));
        const kernels = bandwidths.map((h) => tf.exp(tf.mul(sq, -1 / (2 * h * h))));
        return tf.sum(kernels.length === 1 ? kernels[0] : tf.addN(kernels), 1);
      });
      for (const v of rowSums.dataSync()) total += v;
      rowSums.dispose();
    }
  } finally {
    tf.dispose([bT, bNorms]);
  }
  return total;
}
