/** Test-only helpers shared by the *.test.ts files of this package (not exported). */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './dataset';

/**
 * Largest |score - tf.grad(logDensity)| / (1 + |tf.grad|) over all entries of x.
 * Both sides are float32 computations of the same quantity along different op sequences.
 */
export function scoreVsAutodiff(ds: Dataset, x: tf.Tensor2D, sigma?: number | tf.Tensor1D): number {
  return tf.tidy(() => {
    const s = ds.score(x, sigma).dataSync();
    const g = tf.grad((xx: tf.Tensor) => tf.sum(ds.logDensity(xx as tf.Tensor2D, sigma)))(x).dataSync();
    let worst = 0;
    for (let i = 0; i < s.length; i++) {
      const err = Math.abs(s[i] - g[i]) / (1 + Math.abs(g[i]));
      if (!(err <= worst)) worst = err; // a NaN on either side becomes the answer
    }
    return worst;
  });
}

/**
 * Midpoint rule on the square [lo, hi]^2 with cells of side h: sum exp(log p) h^2, summed in
 * Float64 and evaluated in chunks so the [K, N, D] intermediates of big mixtures stay small.
 */
export function integrateOnGrid(ds: Dataset, lo: number, hi: number, h: number, sigma?: number): number {
  const m = Math.round((hi - lo) / h);
  const chunk = 4096;
  const points = new Float32Array(2 * m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      points[2 * (i * m + j)] = lo + (i + 0.5) * h;
      points[2 * (i * m + j) + 1] = lo + (j + 0.5) * h;
    }
  }
  let total = 0;
  for (let start = 0; start < m * m; start += chunk) {
    const rows = Math.min(chunk, m * m - start);
    const values = tf.tidy(() => ds.logDensity(tf.tensor2d(points.subarray(2 * start, 2 * (start + rows)), [rows, 2]), sigma).dataSync());
    for (let r = 0; r < rows; r++) total += Math.exp(values[r]);
  }
  return total * h * h;
}

/** Rows of a tensor as plain arrays. */
export function rowsOf(x: tf.Tensor2D): number[][] {
  return x.arraySync();
}

/** Sample mean, covariance, and the standard errors of both estimated from the same samples. */
export function sampleMoments(rows: number[][]): { mean: number[]; cov: number[][]; meanSe: number[]; covSe: number[][] } {
  const n = rows.length;
  const d = rows[0].length;
  const mean = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  const cov = mean.map(() => new Array<number>(d).fill(0));
  const sq = mean.map(() => new Array<number>(d).fill(0));
  for (const r of rows) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const p = (r[i] - mean[i]) * (r[j] - mean[j]);
        cov[i][j] += p / n;
        sq[i][j] += (p * p) / n;
      }
    }
  }
  // SE of a mean of n i.i.d. terms = sqrt(Var(term) / n).
  const meanSe = mean.map((_, j) => Math.sqrt(cov[j][j] / n));
  const covSe = cov.map((row, i) => row.map((c, j) => Math.sqrt(Math.max(sq[i][j] - c * c, 0) / n)));
  return { mean, cov, meanSe, covSe };
}

/** Mean and covariance of a Gaussian mixture: sum w mu; sum w (C + mu mu^T) - m m^T. */
export function mixtureMoments(weights: number[], means: number[][], covariances: number[][][]): { mean: number[]; cov: number[][] } {
  const d = means[0].length;
  const mean = new Array<number>(d).fill(0);
  weights.forEach((w, k) => means[k].forEach((v, j) => (mean[j] += w * v)));
  const cov = mean.map((_, i) => mean.map((__, j) => weights.reduce((s, w, k) => s + w * (covariances[k][i][j] + means[k][i] * means[k][j]), 0) - mean[i] * mean[j]));
  return { mean, cov };
}
