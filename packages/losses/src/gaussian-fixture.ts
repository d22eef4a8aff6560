// Test support (not exported from the package): Gaussian data N(mu, Sigma) with
// Sigma = Q diag(lambda) Q^T, small dense linear algebra in float64, and score functions whose
// Jacobians are known in closed form. Matrices are number[][] (row-major), D <= 3.
import * as tf from '@tensorflow/tfjs';
import type { Rng, ScoreFn, Sde, TangentScoreFn } from '@scorelab/core';

export type Mat = number[][];

export const eye = (d: number): Mat => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
export const transpose = (a: Mat): Mat => a[0].map((_, j) => a.map((row) => row[j]));
export const matMul = (a: Mat, b: Mat): Mat => a.map((row) => b[0].map((_, j) => row.reduce((acc, v, k) => acc + v * b[k][j], 0)));
export const matVec = (a: Mat, v: number[]): number[] => a.map((row) => row.reduce((acc, x, k) => acc + x * v[k], 0));
export const addMat = (a: Mat, b: Mat, cb = 1): Mat => a.map((row, i) => row.map((v, j) => v + cb * b[i][j]));
export const scaleMat = (a: Mat, c: number): Mat => a.map((row) => row.map((v) => c * v));
export const trace = (a: Mat): number => a.reduce((acc, row, i) => acc + row[i], 0);
export const dot = (u: number[], v: number[]): number => u.reduce((acc, x, i) => acc + x * v[i], 0);
export const outer = (u: number[], v: number[]): Mat => u.map((x) => v.map((y) => x * y));

/** Gauss-Jordan inverse with partial pivoting. */
export function inverse(a: Mat): Mat {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...eye(n)[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const piv = m[c][c];
    if (Math.abs(piv) < 1e-14) throw new Error('singular matrix');
    for (let j = 0; j < 2 * n; j++) m[c][j] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample variance (n - 1). */
export function variance(xs: number[]): number {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
}

export interface Gaussian {
  d: number;
  mu: number[];
  /** Orthogonal eigenvectors (columns) and eigenvalues of Sigma. */
  q: Mat;
  lambda: number[];
  sigma: Mat;
}

function rotation2(t: number): Mat {
  return [
    [Math.cos(t), -Math.sin(t)],
    [Math.sin(t), Math.cos(t)],
  ];
}

function rotation3(a: number, b: number): Mat {
  const rz = [
    [Math.cos(a), -Math.sin(a), 0],
    [Math.sin(a), Math.cos(a), 0],
    [0, 0, 1],
  ];
  const rx = [
    [1, 0, 0],
    [0, Math.cos(b), -Math.sin(b)],
    [0, Math.sin(b), Math.cos(b)],
  ];
  return matMul(rz, rx);
}

/** A fixed, correlated, non-centred Gaussian in D = 2 or 3. */
export function gaussian(d: 2 | 3): Gaussian {
  const q = d === 2 ? rotation2(0.6) : rotation3(0.6, -0.9);
  const lambda = d === 2 ? [1.5, 0.4] : [2, 0.8, 0.3];
  const mu = d === 2 ? [1, -0.5] : [0.5, -1, 0.3];
  const sigma = matMul(matMul(q, lambda.map((l, i) => eye(d)[i].map((v) => v * l))), transpose(q));
  return { d, mu, q, lambda, sigma };
}

/** Rows x = mu + Q sqrt(lambda) z, rounded to float32 so JS sees exactly what tfjs sees. */
export function sampleGaussian(g: Gaussian, n: number, rng: Rng): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const z = g.lambda.map((l) => Math.sqrt(l) * rng.normal());
    rows.push(g.mu.map((m, j) => Math.fround(m + dot(g.q[j], z))));
  }
  return rows;
}

/** (Sigma + sigma^2 I)^{-1} = Q diag(1 / (lambda + sigma^2)) Q^T: the precision of p_sigma. */
export function perturbedPrecision(g: Gaussian, s: number): Mat {
  const inv = g.lambda.map((l) => 1 / (l + s * s));
  return matMul(matMul(g.q, inv.map((v, i) => eye(g.d)[i].map((e) => e * v))), transpose(g.q));
}

/** A matrix from an Rng: c I + scale * N(0, 1) entries (generically non-symmetric). */
export function randomMatrix(rng: Rng, d: number, c: number, scale: number): Mat {
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? c : 0) + scale * rng.normal()));
}

export interface TestScore {
  plain: ScoreFn;
  tangent: TangentScoreFn;
  dispose(): void;
}

/** s(x) = -A x + b per row, i.e. S = b - X A^T; J = -A everywhere. Ignores sigma. */
export function linearScore(a: Mat, b: number[]): TestScore {
  const at = tf.tensor2d(transpose(a));
  const bt = tf.tensor1d(b);
  const plain: ScoreFn = (x) => tf.sub(bt, tf.matMul(x, at)) as tf.Tensor2D;
  const tangent = ((x: tf.Tensor2D, sigma?: tf.Tensor1D) => plain(x, sigma)) as TangentScoreFn;
  tangent.withTangents = (x, sigma, tangents) => ({ score: plain(x, sigma), jvps: tangents.map((v) => tf.neg(tf.matMul(v, at)) as tf.Tensor2D) });
  return { plain, tangent, dispose: () => tf.dispose([at, bt]) };
}

/**
 * The exact score of p_sigma = N(mu, Sigma + sigma^2 I) with one sigma per row:
 *   s(x, sigma) = -((x - mu) Q / (lambda + sigma^2)) Q^T,  J v = -((v Q) / (lambda + sigma^2)) Q^T.
 */
export function perturbedGaussianScore(g: Gaussian): TestScore {
  const q = tf.tensor2d(g.q);
  const qt = tf.tensor2d(transpose(g.q));
  const mu = tf.tensor1d(g.mu);
  const lam = tf.tensor2d([g.lambda]);
  const apply = (v: tf.Tensor2D, sigma: tf.Tensor1D | undefined) => {
    if (sigma === undefined) throw new Error('perturbedGaussianScore needs sigma');
    const denom = tf.add(lam, tf.reshape(tf.square(sigma), [-1, 1]));
    return tf.neg(tf.matMul(tf.div(tf.matMul(v, q), denom), qt)) as tf.Tensor2D;
  };
  const plain: ScoreFn = (x, sigma) => apply(tf.sub(x, mu) as tf.Tensor2D, sigma);
  const tangent = ((x: tf.Tensor2D, sigma?: tf.Tensor1D) => plain(x, sigma)) as TangentScoreFn;
  tangent.withTangents = (x, sigma, tangents) => ({ score: plain(x, sigma), jvps: tangents.map((v) => apply(v, sigma)) });
  return { plain, tangent, dispose: () => tf.dispose([q, qt, mu, lam]) };
}

/**
 * The exact time score of the same data under an SDE: p_t = N(m mu, m^2 Sigma + s^2 I), one t per row, so
 *   s*(x, t) = -((x - m mu) Q / (m^2 lambda + s^2)) Q^T,  J v = -((v Q) / (m^2 lambda + s^2)) Q^T.
 */
export function perturbedGaussianTimeScore(g: Gaussian, sde: Sde): TestScore {
  const q = tf.tensor2d(g.q);
  const qt = tf.tensor2d(transpose(g.q));
  const mu = tf.tensor2d([g.mu]);
  const lam = tf.tensor2d([g.lambda]);
  const parts = (t: tf.Tensor1D | undefined) => {
    if (t === undefined) throw new Error('perturbedGaussianTimeScore needs t');
    const { mean, std } = sde.marginal(t);
    const m = tf.reshape(mean, [-1, 1]);
    return { m, denom: tf.add(tf.mul(lam, tf.square(m)), tf.reshape(tf.square(std), [-1, 1])) };
  };
  const apply = (v: tf.Tensor2D, denom: tf.Tensor) => tf.neg(tf.matMul(tf.div(tf.matMul(v, q), denom), qt)) as tf.Tensor2D;
  const plain: ScoreFn = (x, t) => {
    const { m, denom } = parts(t);
    return apply(tf.sub(x, tf.mul(mu, m)) as tf.Tensor2D, denom);
  };
  const tangent = ((x: tf.Tensor2D, t?: tf.Tensor1D) => plain(x, t)) as TangentScoreFn;
  tangent.withTangents = (x, t, tangents) => {
    const { denom } = parts(t);
    return { score: plain(x, t), jvps: tangents.map((v) => apply(v, denom)) };
  };
  return { plain, tangent, dispose: () => tf.dispose([q, qt, mu, lam]) };
}

/**
 * Var_v(v^T Q v) for symmetric Q: [D, D] and a projection with E[v v^T] = I:
 *   gaussian 2 tr(Q^2); rademacher 2 sum_{i != j} Q_ij^2;
 *   sphere (radius sqrt(D)) 2 (D tr(Q^2) - tr(Q)^2) / (D + 2).
 */
export function projectionVariance(kind: 'rademacher' | 'gaussian' | 'sphere', q: Mat): number {
  const d = q.length;
  const t1 = trace(q);
  const t2 = trace(matMul(q, q));
  switch (kind) {
    case 'gaussian':
      return 2 * t2;
    case 'rademacher':
      return 2 * (t2 - q.reduce((acc, row, i) => acc + row[i] ** 2, 0));
    case 'sphere':
      return (2 * (d * t2 - t1 * t1)) / (d + 2);
  }
}
