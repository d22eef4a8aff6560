import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from './create-dataset';
import type { Dataset, DensityDatasetSpec as DatasetSpec, GaussianMixture } from './dataset';
import { mixtureLogDensityRef } from './float64-reference';
import { mixtureMoments, rowsOf, sampleMoments, scoreVsAutodiff } from './test-helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

// A 3-D mixture with full, correlated covariances and unequal weights.
const FULL_3D: DatasetSpec = {
  kind: 'gmm',
  means: [
    [1, -2, 0.5],
    [-3, 1, 2],
  ],
  covariances: [
    [
      [2, 0.6, -0.3],
      [0.6, 1, 0.2],
      [-0.3, 0.2, 0.5],
    ],
    [
      [0.3, -0.1, 0],
      [-0.1, 0.4, 0.15],
      [0, 0.15, 1.5],
    ],
  ],
  stds: undefined,
  weights: [0.35, 0.65],
};
// A diagonal Gaussian with one std per axis: wider than the config's `gaussian` section (one std), still
// built by createDataset through mixtureFromGaussianSpec.
const GAUSSIAN_5D_PARAMETERS = { dim: 5, mean: [1, -2, 0, 0.5, 3], std: [0.5, 1, 2, 0.1, 1.5] };
const GAUSSIAN_5D = { kind: 'gaussian', ...GAUSSIAN_5D_PARAMETERS } as unknown as DatasetSpec;
// The config's `gaussian` section: a mean vector and one std.
const GAUSSIAN_3D: DatasetSpec = { kind: 'gaussian', dim: 3, mean: [0.5, -1, 2], std: 0.7 };
const ISOTROPIC_1D: DatasetSpec = { kind: 'gmm', means: [[-2], [0.5], [4]], stds: [0.3, 1, 0.05], weights: [0.5, 0.3, 0.2] };

/** The clean mixture of any Gaussian-family dataset, independently of `mixture` (which gaussian hides). */
function componentsOf(spec: DatasetSpec): GaussianMixture {
  if (spec.kind === 'gaussian') {
    const { mean, std } = spec === GAUSSIAN_5D ? GAUSSIAN_5D_PARAMETERS : { mean: spec.mean, std: spec.mean.map(() => spec.std) };
    return { weights: [1], means: [mean], covariances: [std.map((s, i) => std.map((_, j) => (i === j ? s * s : 0)))] };
  }
  const ds = createDataset(spec);
  if (!ds.mixture) throw new Error('expected a mixture');
  return ds.mixture;
}

/** Samples, random points around them and far-away points: [N, D], float32-exact values. */
function testPoints(ds: Dataset, rng: Rng): tf.Tensor2D {
  const d = ds.dim;
  return tf.tidy(() => {
    const far = tf.tensor2d([new Array<number>(d).fill(50), Array.from({ length: d }, (_, j) => (j % 2 ? 40 : -300))]);
    return tf.concat([ds.sample(30, rng), rng.normalTensor([30, d], 0, 4) as tf.Tensor2D, far]) as tf.Tensor2D;
  });
}

describe.each([
  ['gmm, full covariances, 3-D', FULL_3D],
  ['gaussian, diagonal, 5-D', GAUSSIAN_5D],
  ['gaussian, isotropic, 3-D', GAUSSIAN_3D],
  ['gmm, isotropic stds, 1-D', ISOTROPIC_1D],
])('%s', (_name, spec) => {
  it('logDensity equals the Float64 Cholesky closed form, clean, scalar and per-row sigma', () => {
    const ds = createDataset(spec);
    const mixture = componentsOf(spec);
    const rng = new Rng(5);
    const x = testPoints(ds, rng);
    const sigmaRows = rng.uniformArray(x.shape[0], 0.01, 3);
    const sigmaTensor = tf.tensor1d(sigmaRows);
    const points = rowsOf(x);
    const check = (got: number[], sigmaOf: (i: number) => number) => {
      got.forEach((v, i) => {
        const ref = mixtureLogDensityRef(mixture, points[i], sigmaOf(i));
        // float32: relative ~1e-7 per op on terms of size |log p| (the quadratic form dominates far away).
        expect(Math.abs(v - ref), `row ${i}`).toBeLessThan(2e-6 * (1 + Math.abs(ref)));
      });
    };
    check(tf.tidy(() => ds.logDensity(x).arraySync()), () => 0);
    check(tf.tidy(() => ds.logDensity(x, 0).arraySync()), () => 0);
    check(tf.tidy(() => ds.logDensity(x, 0.7).arraySync()), () => Math.fround(0.7));
    check(tf.tidy(() => ds.logDensity(x, sigmaTensor).arraySync()), (i) => sigmaRows[i]);
    tf.dispose([x, sigmaTensor]);
  });

  it('score equals tf.grad of logDensity (clean, scalar, per-row sigma, far points)', () => {
    const ds = createDataset(spec);
    const rng = new Rng(6);
    const x = testPoints(ds, rng);
    const sigma = tf.tensor1d(rng.uniformArray(x.shape[0], 0.01, 3));
    // Two float32 op sequences for the same numbers: they agree to a few hundred ulp of
    // (1 + |score|); a wrong factor or sign would be O(1).
    expect(scoreVsAutodiff(ds, x)).toBeLessThan(5e-5);
    expect(scoreVsAutodiff(ds, x, 0.7)).toBeLessThan(5e-5);
    expect(scoreVsAutodiff(ds, x, sigma)).toBeLessThan(5e-5);
    tf.dispose([x, sigma]);
  });

  it('sample mean and covariance match the closed form within 5 standard errors', () => {
    const ds = createDataset(spec);
    const m = componentsOf(spec);
    const { mean, cov } = mixtureMoments(m.weights, m.means, m.covariances);
    const samples = ds.sample(20_000, new Rng(7));
    expect(samples.shape).toEqual([20_000, ds.dim]);
    const est = sampleMoments(rowsOf(samples));
    samples.dispose();
    // SEs are estimated from the samples themselves (sqrt(Var(term)/n)); 5 SE: false alarm < 1e-6 per check.
    mean.forEach((v, j) => expect(Math.abs(est.mean[j] - v), `mean[${j}]`).toBeLessThan(5 * est.meanSe[j]));
    cov.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(est.cov[i][j] - v), `cov[${i}][${j}]`).toBeLessThan(5 * est.covSe[i][j] + 1e-12)));
  });
});

describe('gaussian mixture behaviour', () => {
  it('score far from every mode is that of the nearest component, finite, and logDensity is finite', () => {
    const ds = createDataset({ kind: 'mog2d-weighted' });
    const x = tf.tensor2d([
      [50, 50],
      [-1e3, -2e3],
    ]);
    const s = tf.tidy(() => ds.score(x).arraySync());
    const lp = tf.tidy(() => ds.logDensity(x).arraySync());
    // At (50, 50) component (5, 5) has responsibility 1 - e^{-900}: score = -(x - (5, 5)).
    expect(s[0][0]).toBeCloseTo(-45, 4);
    expect(s[0][1]).toBeCloseTo(-45, 4);
    // At (-1e3, -2e3) it is component (-5, -5): score = -(x + 5) = (995, 1995).
    expect(s[1][0]).toBeCloseTo(995, 2);
    expect(s[1][1]).toBeCloseTo(1995, 2);
    expect(lp.every(Number.isFinite)).toBe(true);
    // With sigma: score = -(x - mu) / (1 + sigma^2).
    const sSig = tf.tidy(() => ds.score(x, 2).arraySync());
    expect(sSig[0][0]).toBeCloseTo(-45 / 5, 4);
    x.dispose();
  });

  it('a zero in a per-row sigma tensor gives the clean row', () => {
    const ds = createDataset(FULL_3D);
    const x = tf.tensor2d([
      [0.5, -1, 1],
      [2, 0, -1],
    ]);
    const [mixed, clean, noisy] = tf.tidy(() => [ds.logDensity(x, tf.tensor1d([0, 1.5])).arraySync(), ds.logDensity(x).arraySync(), ds.logDensity(x, 1.5).arraySync()]);
    expect(mixed[0]).toBeCloseTo(clean[0], 5);
    expect(mixed[1]).toBeCloseTo(noisy[1], 5);
    x.dispose();
  });

  it('mode frequencies of mog2d-weighted are 0.2 and 0.8 within 4 standard errors', () => {
    const ds = createDataset({ kind: 'mog2d-weighted' });
    const n = 20_000;
    const rows = rowsOf(tf.tidy(() => ds.sample(n, new Rng(8))));
    // The modes are 14 std apart: the sign of x1 + x2 assigns each sample without error.
    const low = rows.filter((r) => r[0] + r[1] < 0).length / n;
    expect(Math.abs(low - 0.2)).toBeLessThan(4 * Math.sqrt((0.2 * 0.8) / n));
  });

  it('keeps the number of live tensors flat', () => {
    const ds = createDataset(FULL_3D);
    const x = tf.tensor2d([[1, 2, 3]]);
    const sigma = tf.tensor1d([0.5]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose([ds.logDensity(x), ds.score(x, 0.3), ds.score(x, sigma), ds.logDensity(x, sigma), ds.sample(4, new Rng(i))]);
      tf.dispose(tf.grad((xx: tf.Tensor) => tf.sum(ds.logDensity(xx as tf.Tensor2D, sigma)))(x));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, sigma]);
  });

  it('rejects x of the wrong width and sigma tensors of the wrong length', () => {
    const ds = createDataset(FULL_3D);
    const x = tf.zeros([4, 2]) as tf.Tensor2D;
    const y = tf.zeros([4, 3]) as tf.Tensor2D;
    const sigma = tf.ones([3]) as tf.Tensor1D;
    expect(() => ds.logDensity(x)).toThrow(/x must have shape \[N, 3\], got \[4, 2\]/);
    expect(() => ds.score(y, sigma)).toThrow(/sigma tensor must have shape \[N\] = \[4\]/);
    expect(() => ds.score(y, -1)).toThrow(/sigma must be a finite number >= 0/);
    expect(() => ds.sample(1.5, new Rng(0))).toThrow(/n must be an integer >= 0/);
    tf.dispose([x, y, sigma]);
  });
});
