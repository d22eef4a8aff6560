import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';
import type { Dataset, DensityDatasetSpec as DatasetSpec, GaussianMixture } from './dataset';
import { isDiagonal, symmetricEigen } from './linalg';
import { resolveNoiseLevel, type NoiseLevel } from './noise-level';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * A Gaussian mixture p(x) = sum_k w_k N(x; mu_k, C_k) in any dimension D, with its exact
 * perturbed density p_sigma(x) = sum_k w_k N(x; mu_k, C_k + sigma^2 I).
 *
 * Each C_k is factorised once in Float64 as C_k = Q_k diag(l_k) Q_k^T, so for every sigma
 * (a number or one per row) (C_k + s^2 I)^{-1} = Q_k diag(1 / (l_k + s^2)) Q_k^T and
 * log det(C_k + s^2 I) = sum_j log(l_k,j + s^2) are plain tensor ops. When every C_k is diagonal
 * Q_k = I and the rotations are skipped (isotropic and toy mixtures).
 *
 * score(x) = sum_k r_k(x) * (-(C_k + s^2 I)^{-1} (x - mu_k)), with responsibilities
 * r_k = softmax_k(log w_k + log N_k(x)) computed in log space, so it stays finite far from all modes.
 */
export function gaussianMixtureDataset(spec: DatasetSpec, mixture: GaussianMixture, exposeMixture: boolean): Dataset {
  return new GaussianMixtureDataset(spec, mixture, exposeMixture);
}

class GaussianMixtureDataset implements Dataset {
  readonly dim: number;
  readonly mixture?: GaussianMixture;
  private readonly k: number;
  private readonly weights: number[];
  private readonly means64: number[][];
  private readonly sqrtEigenvalues64: number[][];
  private readonly rotations64: number[][][] | null;
  // Float32 constants copied into tensors per call (no tensors live between calls: nothing to dispose).
  private readonly logWeights: Float32Array; // [K]
  private readonly means: Float32Array; // [K, D]
  private readonly eigenvalues: Float32Array; // [K, D]
  private readonly rotations: Float32Array | null; // Q_k: [K, D, D]
  private readonly rotationsT: Float32Array | null; // Q_k^T: [K, D, D]

  constructor(
    readonly spec: DatasetSpec,
    mixture: GaussianMixture,
    exposeMixture: boolean,
  ) {
    const k = mixture.weights.length;
    const d = mixture.means[0].length;
    this.k = k;
    this.dim = d;
    this.weights = mixture.weights.slice();
    this.means64 = mixture.means.map((m) => m.slice());
    if (exposeMixture) {
      this.mixture = { weights: mixture.weights.slice(), means: mixture.means.map((m) => m.slice()), covariances: mixture.covariances.map((c) => c.map((r) => r.slice())) };
    }
    const rotate = !mixture.covariances.every(isDiagonal);
    const eigen = mixture.covariances.map((c) => (rotate ? symmetricEigen(c) : { values: c.map((row, i) => row[i]), vectors: [] }));
    this.sqrtEigenvalues64 = eigen.map((e) => e.values.map(Math.sqrt));
    this.rotations64 = rotate ? eigen.map((e) => e.vectors) : null;
    this.logWeights = Float32Array.from(mixture.weights, Math.log);
    this.means = Float32Array.from(mixture.means.flat());
    this.eigenvalues = Float32Array.from(eigen.flatMap((e) => e.values));
    this.rotations = rotate ? Float32Array.from(eigen.flatMap((e) => e.vectors.flat())) : null;
    this.rotationsT = rotate ? Float32Array.from(eigen.flatMap((e) => transpose(e.vectors).flat())) : null;
    // Bound, so that `dataset.score` can be handed to a sampler as a plain function.
    this.sample = this.sample.bind(this);
    this.logDensity = this.logDensity.bind(this);
    this.score = this.score.bind(this);
  }

  sample(n: number, rng: Rng): tf.Tensor2D {
    checkSampleCount(n);
    const d = this.dim;
    const out = new Float32Array(n * d);
    const z = new Array<number>(d);
    for (let i = 0; i < n; i++) {
      const k = rng.categorical(this.weights);
      const mu = this.means64[k];
      const sqrtL = this.sqrtEigenvalues64[k];
      for (let j = 0; j < d; j++) z[j] = sqrtL[j] * rng.normal();
      const q = this.rotations64?.[k];
      for (let j = 0; j < d; j++) {
        // x = mu_k + Q_k diag(sqrt(l_k)) z
        let v = mu[j];
        if (q) for (let m = 0; m < d; m++) v += q[j][m] * z[m];
        else v += z[j];
        out[i * d + j] = v;
      }
    }
    return tf.tensor2d(out, [n, d]);
  }

  logDensity(x: tf.Tensor2D, sigma?: number | tf.Tensor1D): tf.Tensor1D {
    const level = resolveNoiseLevel(x, this.dim, sigma, 'logDensity');
    return tf.tidy(() => tf.logSumExp(this.componentTerms(x, level).logComponents, 0) as tf.Tensor1D);
  }

  score(x: tf.Tensor2D, sigma?: number | tf.Tensor1D): tf.Tensor2D {
    const level = resolveNoiseLevel(x, this.dim, sigma, 'score');
    return tf.tidy(() => {
      const { logComponents, whitened } = this.componentTerms(x, level);
      // r_k(x) = softmax over k of log w_k N_k(x): [K, N]. Shift by the max, not by log p: far away
      // log p ~ -1e8 and adding log(sum) to it in float32 would round away the normalisation.
      const shifted = tf.exp(tf.sub(logComponents, tf.max(logComponents, 0, true)));
      const responsibilities = tf.div(shifted, tf.sum(shifted, 0, true));
      // (C_k + s^2 I)^{-1} (x - mu_k) = Q_k (y / v): [K, N, D]
      const precisionTimesDiff = this.rotationsT ? tf.matMul(whitened, tf.tensor3d(this.rotationsT, [this.k, this.dim, this.dim])) : whitened;
      return tf.neg(tf.sum(tf.mul(tf.expandDims(responsibilities, 2), precisionTimesDiff), 0)) as tf.Tensor2D;
    });
  }

  /**
   * Per component, in the eigenbasis of C_k: y = Q_k^T (x - mu_k), v = l_k + s^2,
   * log w_k N(x; mu_k, C_k + s^2 I) = log w_k - (D log 2pi + sum log v + sum y^2 / v) / 2.
   * Returns logComponents: [K, N] and whitened = y / v: [K, N, D].
   */
  private componentTerms(x: tf.Tensor2D, level: NoiseLevel): { logComponents: tf.Tensor2D; whitened: tf.Tensor3D } {
    const { k, dim: d } = this;
    const n = x.shape[0];
    const diff = tf.sub(tf.reshape(x, [1, n, d]), tf.tensor3d(this.means, [k, 1, d])); // [K, N, D]
    const y = this.rotations ? tf.matMul(diff, tf.tensor3d(this.rotations, [k, d, d])) : diff;
    const l = tf.tensor3d(this.eigenvalues, [k, 1, d]);
    let variances: tf.Tensor; // [K, 1, D] or [K, N, D]
    switch (level.kind) {
      case 'clean':
        variances = l;
        break;
      case 'scalar':
        variances = tf.add(l, level.sigma * level.sigma);
        break;
      case 'rows':
        variances = tf.add(l, tf.reshape(tf.square(level.sigma), [1, n, 1]));
        break;
    }
    const whitened = tf.div(y, variances) as tf.Tensor3D;
    const quadratic = tf.sum(tf.mul(y, whitened), 2); // [K, N]
    const logDet = tf.sum(tf.log(variances), 2); // [K, 1] or [K, N]
    const logNormal = tf.mul(-0.5, tf.add(tf.add(logDet, quadratic), d * LOG_2PI));
    const logComponents = tf.add(tf.tensor2d(this.logWeights, [k, 1]), logNormal) as tf.Tensor2D;
    return { logComponents, whitened };
  }
}

function transpose(m: number[][]): number[][] {
  return m.map((row, i) => row.map((_, j) => m[j][i]));
}

export function checkSampleCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`sample: n must be an integer >= 0, got ${n}`);
}

/**
 * Validate a mixture and return a clean copy: weights > 0 that sum to 1 within 1e-6 (then divided
 * by their sum, so [0.1, 0.2, 0.7] is exact), means of one dimension, covariances symmetric
 * (within 1e-9 relative; symmetrised) and positive definite. `where` prefixes every error.
 */
export function validateMixture(mixture: GaussianMixture, where: string): GaussianMixture {
  const { weights, means, covariances } = mixture;
  if (!Array.isArray(means) || means.length === 0) throw new Error(`${where}: means must be a non-empty array of points`);
  const k = means.length;
  if (!Array.isArray(means[0]) || means[0].length === 0) throw new Error(`${where}: means[0] must be a non-empty array of numbers`);
  const d = means[0].length;
  means.forEach((m, i) => {
    if (!Array.isArray(m) || m.length !== d) throw new Error(`${where}: means[${i}] must have ${d} entries (the length of means[0]), got ${Array.isArray(m) ? m.length : typeof m}`);
    m.forEach((v, j) => checkFinite(v, `${where}: means[${i}][${j}]`));
  });
  if (!Array.isArray(weights) || weights.length !== k) throw new Error(`${where}: weights must have ${k} entries (one per mean), got ${Array.isArray(weights) ? weights.length : typeof weights}`);
  weights.forEach((w, i) => {
    checkFinite(w, `${where}: weights[${i}]`);
    if (w <= 0) throw new Error(`${where}: weights[${i}] must be > 0 (drop the component instead), got ${w}`);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-6) throw new Error(`${where}: weights must sum to 1, got ${total} (divide them by their sum)`);
  if (!Array.isArray(covariances) || covariances.length !== k) throw new Error(`${where}: covariances must have ${k} entries (one per mean), got ${Array.isArray(covariances) ? covariances.length : typeof covariances}`);
  const clean = covariances.map((c, i) => {
    const name = `${where}: covariances[${i}]`;
    if (!Array.isArray(c) || c.length !== d || !c.every((row) => Array.isArray(row) && row.length === d)) throw new Error(`${name} must be a ${d}x${d} matrix (the dimension of the means)`);
    let maxAbs = 0;
    c.forEach((row, r) => row.forEach((v, s) => {
      checkFinite(v, `${name}[${r}][${s}]`);
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }));
    for (let r = 0; r < d; r++) {
      for (let s = r + 1; s < d; s++) if (Math.abs(c[r][s] - c[s][r]) > 1e-9 * maxAbs) throw new Error(`${name} must be symmetric: [${r}][${s}] = ${c[r][s]} but [${s}][${r}] = ${c[s][r]}`);
    }
    const sym = c.map((row, r) => row.map((v, s) => (v + c[s][r]) / 2));
    const values = isDiagonal(sym) ? sym.map((row, r) => row[r]) : symmetricEigen(sym).values;
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    // float32 tensors need 1/l and l + s^2 representable; a condition number beyond 1e12 is singular in float32 anyway.
    if (!(lo > 0) || lo < 1e-30 || lo < 1e-12 * hi) throw new Error(`${name} must be positive definite (eigenvalues from ${lo} to ${hi})`);
    return sym;
  });
  return { weights: weights.map((w) => w / total), means: means.map((m) => m.slice()), covariances: clean };
}

export function checkFinite(v: unknown, name: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name} must be a finite number, got ${String(v)}`);
}

/** `{ kind: 'gmm' }`: C_k from stds (isotropic), covariances, or I; uniform weights by default. */
export function mixtureFromGmmSpec(spec: Extract<DatasetSpec, { kind: 'gmm' }>): GaussianMixture {
  const where = 'gmm';
  const { means, stds, covariances } = spec;
  if (!Array.isArray(means) || means.length === 0) throw new Error(`${where}: means must be a non-empty array of points`);
  const k = means.length;
  const d = Array.isArray(means[0]) ? means[0].length : 0;
  if (stds !== undefined && covariances !== undefined) throw new Error(`${where}: give either stds or covariances, not both`);
  let covs: number[][][];
  if (covariances !== undefined) {
    covs = covariances;
  } else if (stds !== undefined) {
    if (!Array.isArray(stds) || stds.length !== k) throw new Error(`${where}: stds must have ${k} entries (one per mean), got ${Array.isArray(stds) ? stds.length : typeof stds}`);
    stds.forEach((s, i) => {
      checkFinite(s, `${where}: stds[${i}]`);
      if (s <= 0) throw new Error(`${where}: stds[${i}] must be > 0, got ${s}`);
    });
    covs = stds.map((s) => isotropic(d, s * s));
  } else {
    covs = means.map(() => isotropic(d, 1));
  }
  const weights = spec.weights ?? means.map(() => 1 / k);
  return validateMixture({ weights, means, covariances: covs }, where);
}

/** A Gaussian's parameters: a number applies to every axis (the `gaussian` dataset section gives a mean vector and one std). */
export interface GaussianParameters {
  dim: number;
  mean?: number | number[];
  std?: number | number[];
}

/** `{ kind: 'gaussian' }`: one component N(mean, diag(std^2)). */
export function mixtureFromGaussianSpec(spec: GaussianParameters): GaussianMixture {
  const where = 'gaussian';
  const { dim } = spec;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`${where}: dim must be an integer >= 1, got ${dim}`);
  const mean = perAxis(spec.mean ?? 0, dim, `${where}: mean`);
  const std = perAxis(spec.std ?? 1, dim, `${where}: std`);
  std.forEach((s, i) => {
    if (s <= 0) throw new Error(`${where}: std${typeof spec.std === 'number' ? '' : `[${i}]`} must be > 0, got ${s}`);
  });
  const cov = std.map((s, i) => std.map((_, j) => (i === j ? s * s : 0)));
  return validateMixture({ weights: [1], means: [mean], covariances: [cov] }, where);
}

function perAxis(value: number | number[], dim: number, name: string): number[] {
  if (typeof value === 'number') {
    checkFinite(value, name);
    return new Array<number>(dim).fill(value);
  }
  if (!Array.isArray(value) || value.length !== dim) throw new Error(`${name} must be a number or ${dim} numbers (dim), got ${Array.isArray(value) ? `${value.length} numbers` : typeof value}`);
  value.forEach((v, i) => checkFinite(v, `${name}[${i}]`));
  return value.slice();
}

export function isotropic(d: number, variance: number): number[][] {
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? variance : 0)));
}
