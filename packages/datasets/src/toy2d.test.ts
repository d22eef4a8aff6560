import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from './create-dataset';
import type { DensityDatasetSpec as DatasetSpec } from './dataset';
import { mixtureLogDensityRef } from './float64-reference';
import { integrateOnGrid, mixtureMoments, rowsOf, sampleMoments, scoreVsAutodiff } from './test-helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

// [spec, half-width of a window holding all but ~1e-12 of the clean mass, smallest component std]
const TOYS: [DatasetSpec, number, number][] = [
  [{ kind: 'mog2d-weighted' }, 12, 1],
  [{ kind: '8gaussians', scale: 1 }, 3.5, 0.1],
  [{ kind: '25gaussians', scale: 1 }, 3.5, 0.1],
  [{ kind: 'rings', scale: 1 }, 4.5, 0.1],
  [{ kind: 'rings', scale: 0.5 }, 2.25, 0.05],
  [{ kind: 'swissroll', scale: 1 }, 4, 0.1],
  [{ kind: 'moons', scale: 1 }, 4, 0.1],
  [{ kind: 'moons', scale: 2 }, 8, 0.2],
];

describe.each(TOYS)('%o', (spec, window, std) => {
  const scale = 'scale' in spec ? spec.scale : 1;

  it('is a 2-D mixture inside the documented box, with weights summing to 1', () => {
    const ds = createDataset(spec);
    expect(ds.dim).toBe(2);
    expect(ds.spec).toBe(spec);
    const m = ds.mixture!;
    expect(m.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    if (spec.kind !== 'mog2d-weighted') {
      for (const mu of m.means) expect(Math.max(Math.abs(mu[0]), Math.abs(mu[1]))).toBeLessThanOrEqual(3.1 * scale);
      for (const c of m.covariances) expect(c).toEqual([[(0.1 * scale) ** 2, 0], [0, (0.1 * scale) ** 2]]);
    }
  });

  it('score equals tf.grad of logDensity, including far-away points', () => {
    const ds = createDataset(spec);
    const rng = new Rng(21);
    const x = tf.tidy(() => {
      const far = tf.tensor2d([
        [50, 50],
        [-50, 30],
        [0, -40],
        [1e3, -2e3],
      ]);
      return tf.concat([ds.sample(40, rng), rng.uniformTensor([40, 2], -6 * scale, 6 * scale) as tf.Tensor2D, far]) as tf.Tensor2D;
    });
    const sigma = tf.tensor1d(rng.uniformArray(x.shape[0], 0.01 * scale, 3 * scale));
    // Two float32 op sequences for the same numbers: they agree to a few hundred ulp of
    // (1 + |score|) (measured: < 2e-6); a wrong factor or sign would be O(1).
    expect(scoreVsAutodiff(ds, x)).toBeLessThan(5e-5);
    expect(scoreVsAutodiff(ds, x, 0.3 * scale)).toBeLessThan(5e-5);
    expect(scoreVsAutodiff(ds, x, 0.01 * scale)).toBeLessThan(5e-5);
    expect(scoreVsAutodiff(ds, x, sigma)).toBeLessThan(5e-5);
    tf.dispose([x, sigma]);
  });

  it('logDensity equals the Float64 mixture closed form', () => {
    const ds = createDataset(spec);
    const rng = new Rng(22);
    const x = tf.tidy(() => tf.concat([ds.sample(20, rng), rng.uniformTensor([20, 2], -6 * scale, 6 * scale) as tf.Tensor2D]) as tf.Tensor2D);
    const points = rowsOf(x);
    for (const sigma of [0, 0.4 * scale]) {
      const got = tf.tidy(() => ds.logDensity(x, sigma).arraySync());
      got.forEach((v, i) => {
        const ref = mixtureLogDensityRef(ds.mixture!, points[i], Math.fround(sigma));
        // float32: ~1e-7 relative per op on terms of size |log p|.
        expect(Math.abs(v - ref), `row ${i}, sigma ${sigma}`).toBeLessThan(2e-6 * (1 + Math.abs(ref)));
      });
    }
    x.dispose();
  });

  it('logDensity integrates to 1 on a grid, clean and at sigma = 0.5 scale', () => {
    const ds = createDataset(spec);
    // Midpoint rule with cell h <= smallest std: by Poisson summation the error for a Gaussian of
    // std s is ~2 exp(-2 pi^2 s^2 / h^2) <= 6e-9 per axis; the window drops < 1e-12 of the mass;
    // float32 densities add ~1e-6 relative. Tolerance 1e-5.
    expect(Math.abs(integrateOnGrid(ds, -window, window, std) - 1)).toBeLessThan(1e-5);
    const sigma = 0.5 * scale;
    const wide = window + 7 * sigma;
    expect(Math.abs(integrateOnGrid(ds, -wide, wide, 2 * std, sigma) - 1)).toBeLessThan(1e-5);
  });

  it('sample mean and covariance match the mixture within 5 standard errors; same seed, same samples', () => {
    const ds = createDataset(spec);
    const m = ds.mixture!;
    const { mean, cov } = mixtureMoments(m.weights, m.means, m.covariances);
    const rows = rowsOf(tf.tidy(() => ds.sample(10_000, new Rng(23))));
    const est = sampleMoments(rows);
    mean.forEach((v, j) => expect(Math.abs(est.mean[j] - v), `mean[${j}]`).toBeLessThan(5 * est.meanSe[j]));
    cov.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(est.cov[i][j] - v), `cov[${i}][${j}]`).toBeLessThan(5 * est.covSe[i][j])));
    const again = rowsOf(tf.tidy(() => ds.sample(10_000, new Rng(23))));
    expect(again).toEqual(rows);
    const other = rowsOf(tf.tidy(() => ds.sample(10, new Rng(24))));
    expect(other).not.toEqual(rows.slice(0, 10));
  });
});

describe('toy layouts', () => {
  it('8gaussians sit on the circle of radius 2 scale, 45 degrees apart', () => {
    const m = createDataset({ kind: '8gaussians', scale: 1.5 }).mixture!;
    expect(m.means).toHaveLength(8);
    m.means.forEach((mu, k) => {
      expect(Math.hypot(mu[0], mu[1])).toBeCloseTo(3, 12);
      expect(Math.atan2(mu[1], mu[0])).toBeCloseTo(Math.atan2(Math.sin((k * Math.PI) / 4), Math.cos((k * Math.PI) / 4)), 12);
    });
  });

  it('25gaussians sit on the grid {-2..2}^2 scale', () => {
    const m = createDataset({ kind: '25gaussians', scale: 2 }).mixture!;
    const keys = m.means.map((mu) => `${mu[0]},${mu[1]}`).sort();
    const expected: string[] = [];
    for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) expected.push(`${2 * i},${2 * j}`);
    expect(keys).toEqual(expected.sort());
  });

  it('rings have 32 r components on radius r scale for r = 1, 2, 3', () => {
    const m = createDataset({ kind: 'rings', scale: 1 }).mixture!;
    const radii = m.means.map((mu) => Math.round(Math.hypot(mu[0], mu[1]) * 1e9) / 1e9);
    expect([1, 2, 3].map((r) => radii.filter((v) => v === r).length)).toEqual([32, 64, 96]);
  });
});
