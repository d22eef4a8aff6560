import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetSchema } from '@scorelab/config';
import { createDataset, createDensityDataset } from './create-dataset';
import type { DensityDatasetSpec as DatasetSpec } from './dataset';
import { mixtureFromGaussianSpec } from './gaussian-mixture';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('createDataset', () => {
  it('builds every kind with its dimension; only mixtures expose `mixture`', () => {
    const specs: [DatasetSpec, number, boolean][] = [
      [{ kind: 'mog2d-weighted' }, 2, true],
      [{ kind: 'gaussian', dim: 4, mean: [0, 0, 0, 0], std: 1 }, 4, false],
      [{ kind: 'gmm', means: [[0, 0, 0]], stds: [1], weights: [1] }, 3, true],
      [{ kind: '8gaussians', scale: 1 }, 2, true],
      [{ kind: '25gaussians', scale: 1 }, 2, true],
      [{ kind: 'rings', scale: 1 }, 2, true],
      [{ kind: 'swissroll', scale: 1 }, 2, true],
      [{ kind: 'moons', scale: 1 }, 2, true],
      [{ kind: 'checkerboard', scale: 1 }, 2, false],
    ];
    for (const [spec, dim, hasMixture] of specs) {
      const ds = createDataset(spec);
      expect(ds.dim, spec.kind).toBe(dim);
      expect(ds.mixture !== undefined, spec.kind).toBe(hasMixture);
      expect(ds.spec).toBe(spec);
    }
  });

  it('applies the documented defaults: gaussian N(0, I), gmm identity covariances and uniform weights', () => {
    const g = createDataset({ kind: 'gaussian', dim: 2, mean: [3, 3], std: 2 });
    const x = tf.tensor2d([[3, 3]]);
    // log N(mu; mu, 4 I) in 2-D = -log(2 pi) - log 4
    expect(tf.tidy(() => g.logDensity(x).arraySync()[0])).toBeCloseTo(-Math.log(2 * Math.PI) - Math.log(4), 5);
    // A scalar mean applies to every axis (mixtureFromGaussianSpec, wider than the config's section): the same law.
    expect(mixtureFromGaussianSpec({ dim: 2, mean: 3, std: 2 })).toEqual(mixtureFromGaussianSpec({ dim: 2, mean: [3, 3], std: [2, 2] }));
    // The defaults are filled where the spec is resolved (config), and the datasets read them.
    const g0 = createDensityDataset(DatasetSchema.parse({ kind: 'gaussian', dim: 2 }));
    // log N(0; 0, I) in 2-D = -log(2 pi)
    expect(tf.tidy(() => g0.logDensity(tf.zeros([1, 2]) as tf.Tensor2D).arraySync()[0])).toBeCloseTo(-Math.log(2 * Math.PI), 5);
    expect(mixtureFromGaussianSpec({ dim: 2 })).toEqual(mixtureFromGaussianSpec({ dim: 2, mean: [0, 0], std: 1 }));
    const resolved = DatasetSchema.parse({ kind: 'gmm', means: [[0], [2], [4]] });
    for (const spec of [resolved, { kind: 'gmm', means: [[0], [2], [4]] } as DatasetSpec]) {
      const m = createDensityDataset(spec).mixture!;
      expect(m.weights).toEqual([1 / 3, 1 / 3, 1 / 3]);
      expect(m.covariances).toEqual([[[1]], [[1]], [[1]]]);
    }
    x.dispose();
  });

  it('normalises weights that sum to 1 up to rounding; the mixture is a copy', () => {
    const spec: Extract<DatasetSpec, { kind: 'gmm' }> = { kind: 'gmm', means: [[0], [1], [2]], stds: [1, 1, 1], weights: [0.1, 0.2, 0.7] };
    const ds = createDataset(spec);
    expect(ds.mixture!.weights.reduce((a, b) => a + b, 0)).toBe(1);
    ds.mixture!.means[0][0] = 99;
    expect(createDataset(spec).mixture!.means[0][0]).toBe(0);
    expect(spec.means[0][0]).toBe(0);
  });

  it('rejects bad specs with errors naming the kind and field', () => {
    const bad: [unknown, RegExp][] = [
      [{ kind: 'nope' }, /unknown dataset kind 'nope'/],
      [null, /dataset spec must be an object/],
      [{ kind: 'gmm', means: [[0], [1]], weights: [1, 4] }, /gmm: weights must sum to 1, got 5/],
      [{ kind: 'gmm', means: [[0], [1]], weights: [1.5, -0.5] }, /gmm: weights\[1\] must be > 0/],
      [{ kind: 'gmm', means: [[0], [1]], weights: [1] }, /gmm: weights must have 2 entries/],
      [{ kind: 'gmm', means: [] }, /gmm: means must be a non-empty array/],
      [{ kind: 'gmm', means: [[0, 0], [1, 1, 1]] }, /gmm: means\[1\] must have 2 entries/],
      [{ kind: 'gmm', means: [[0, NaN]] }, /gmm: means\[0\]\[1\] must be a finite number/],
      [{ kind: 'gmm', means: [[0]], stds: [1], covariances: [[[1]]] }, /gmm: give either stds or covariances, not both/],
      [{ kind: 'gmm', means: [[0], [1]], stds: [1] }, /gmm: stds must have 2 entries/],
      [{ kind: 'gmm', means: [[0]], stds: [0] }, /gmm: stds\[0\] must be > 0/],
      [{ kind: 'gmm', means: [[0, 0]], covariances: [[[1, 0, 0], [0, 1, 0], [0, 0, 1]]] }, /gmm: covariances\[0\] must be a 2x2 matrix/],
      [{ kind: 'gmm', means: [[0, 0]], covariances: [[[1, 0.5], [0.4, 1]]] }, /gmm: covariances\[0\] must be symmetric/],
      [{ kind: 'gmm', means: [[0, 0]], covariances: [[[1, 2], [2, 1]]] }, /gmm: covariances\[0\] must be positive definite/],
      [{ kind: 'gmm', means: [[0, 0]], covariances: [[[1, 1], [1, 1]]] }, /gmm: covariances\[0\] must be positive definite/],
      [{ kind: 'gmm', means: [[0, 0], [1, 1]], covariances: [[[1, 0], [0, 1]]] }, /gmm: covariances must have 2 entries/],
      [{ kind: 'gaussian', dim: 0 }, /gaussian: dim must be an integer >= 1/],
      [{ kind: 'gaussian', dim: 2.5 }, /gaussian: dim must be an integer >= 1/],
      [{ kind: 'gaussian', dim: 2, mean: [1, 2, 3] }, /gaussian: mean must be a number or 2 numbers/],
      [{ kind: 'gaussian', dim: 2, std: -1 }, /gaussian: std must be > 0/],
      [{ kind: 'gaussian', dim: 2, std: [1, 0] }, /gaussian: std\[1\] must be > 0/],
      [{ kind: 'rings', scale: 0 }, /rings: scale must be a finite number > 0/],
      [{ kind: 'checkerboard', scale: -1 }, /checkerboard: scale must be a finite number > 0/],
      [{ kind: 'moons', scale: Infinity }, /moons: scale must be a finite number > 0/],
    ];
    for (const [spec, message] of bad) expect(() => createDataset(spec as DatasetSpec), JSON.stringify(spec)).toThrow(message);
  });

  it('methods work unbound (a sampler may receive dataset.score as a plain function)', () => {
    for (const spec of [
      { kind: 'moons', scale: 1 },
      { kind: 'checkerboard', scale: 1 },
    ] as const) {
      const ds = createDataset(spec);
      const { score, logDensity, sample } = ds;
      const x = sample(3, new Rng(1));
      const [a, b, c, d] = tf.tidy(() => [score(x, 0.5).arraySync(), ds.score(x, 0.5).arraySync(), logDensity(x, 0.5).arraySync(), ds.logDensity(x, 0.5).arraySync()]);
      expect(a).toEqual(b);
      expect(c).toEqual(d);
      x.dispose();
    }
  });

  it('same seed, same samples for every kind; different seeds differ', () => {
    const specs: DatasetSpec[] = [
      { kind: 'gaussian', dim: 3, mean: [0, 0, 0], std: 1 },
      { kind: 'gmm', means: [[0, 1], [2, 3]], covariances: [[[1, 0.5], [0.5, 1]], [[2, 0], [0, 1]]], stds: undefined, weights: [0.5, 0.5] },
      { kind: 'checkerboard', scale: 1 },
      { kind: 'swissroll', scale: 1 },
    ];
    for (const spec of specs) {
      const ds = createDataset(spec);
      const [a, b, c] = tf.tidy(() => [ds.sample(50, new Rng(9)).arraySync(), ds.sample(50, new Rng(9)).arraySync(), ds.sample(50, new Rng(10)).arraySync()]);
      expect(a, spec.kind).toEqual(b);
      expect(a, spec.kind).not.toEqual(c);
    }
  });
});
