import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { slicedWasserstein, wasserstein2Squared1d } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('wasserstein2Squared1d', () => {
  it('pairs sorted values for equal counts and integrates quantile functions otherwise', () => {
    expect(wasserstein2Squared1d(Float64Array.from([0, 1, 5]), Float64Array.from([1, 2, 3]))).toBeCloseTo((1 + 1 + 4) / 3, 12);
    // F^-1 = 0 on (0, 1/2], 1 on (1/2, 1]; G^-1 = 0, 1, 2 on thirds:
    // (1/3, 1/2): (0 - 1)^2 * 1/6, (2/3, 1): (1 - 2)^2 * 1/3 => 1/2.
    expect(wasserstein2Squared1d(Float64Array.from([0, 1]), Float64Array.from([0, 1, 2]))).toBeCloseTo(0.5, 12);
    // Against a point mass: E (x - c)^2.
    expect(wasserstein2Squared1d(Float64Array.from([1, 2, 6]), Float64Array.from([3]))).toBeCloseTo((4 + 1 + 9) / 3, 12);
  });
});

describe('slicedWasserstein', () => {
  it('is 0 for identical sets and the sorted-pairing W2 in 1-D', () => {
    const x = tf.tensor2d([[3], [-1], [0.5], [2]]);
    const y = tf.tensor2d([[0], [1], [4], [-2]]);
    expect(slicedWasserstein(x, x, new Rng(0))).toBe(0);
    // In 1-D every direction is +-1: SW_2 = W_2 = sqrt(mean (sorted x - sorted y)^2).
    const w2 = ((-1 + 2) ** 2 + (0.5 - 0) ** 2 + (2 - 1) ** 2 + (3 - 4) ** 2) / 4;
    expect(slicedWasserstein(x, y, new Rng(0), { projections: 7 })).toBeCloseTo(Math.sqrt(w2), 5);
    const z = new Rng(1).normalTensor([300, 4]) as tf.Tensor2D;
    expect(slicedWasserstein(z, z, new Rng(2))).toBe(0);
    tf.dispose([x, y, z]);
  });

  it('gives W2 = sqrt(dmu^2 + dsigma^2) between 1-D Gaussians, with unequal sample counts', () => {
    // N(0, 1) vs N(1, 2^2): W2^2 = 1 + 1 = 2. The estimate's spread is dominated by the sample mean
    // and sd: sd(W2^2) ~ 2 sqrt(5/n) * 1 + 2 sqrt(5/(2n)) * 1 ~ 0.05 for n ~ 15-20k; 4 sd on W2^2,
    // halved for W2 = sqrt(W2^2) near sqrt(2). Pairing unsorted values would give sqrt(6).
    const rng = new Rng(6);
    const x = rng.normalTensor([20_000, 1]) as tf.Tensor2D;
    const y = rng.normalTensor([15_000, 1], 1, 2) as tf.Tensor2D;
    const sw = slicedWasserstein(x, y, new Rng(7), { projections: 3 });
    expect(Math.abs(sw * sw - 2)).toBeLessThan(4 * 0.05);
    tf.dispose([x, y]);
  });

  it('gives d / sqrt(2) for a shift d of an isotropic 2-D Gaussian', () => {
    // W2^2 along theta is (theta . delta)^2 = d^2 cos^2: its mean over directions is d^2/2.
    // Spread of the estimate of SW^2 (about 4.5 for d = 3): random directions, sd d^2 sqrt(Var cos^2 / P)
    // = 9 sqrt(1/8/2000) = 0.07; the sample mean difference, sd about 2 d sqrt(2/n)/sqrt(2) = 0.1.
    // Tolerance 4 * 0.12 on SW^2. Unnormalised directions (radius sqrt 2) would give 9, W1 would give 3.6.
    const rng = new Rng(8);
    const n = 2000;
    const d = 3;
    const angle = 0.7;
    const x = rng.normalTensor([n, 2]) as tf.Tensor2D;
    const y = tf.tidy(() => tf.add(rng.normalTensor([n, 2]), tf.tensor1d([d * Math.cos(angle), d * Math.sin(angle)])) as tf.Tensor2D);
    const sw = slicedWasserstein(x, y, new Rng(9), { projections: 2000 });
    expect(Math.abs(sw * sw - (d * d) / 2)).toBeLessThan(4 * 0.12);
    tf.dispose([x, y]);
  });

  it('is reproducible for a seed, leaks no tensors, and rejects bad input', () => {
    const rng = new Rng(10);
    const x = rng.normalTensor([100, 3]) as tf.Tensor2D;
    const y = rng.normalTensor([80, 3], 1) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const a = slicedWasserstein(x, y, new Rng(11), { projections: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(slicedWasserstein(x, y, new Rng(11), { projections: 16 })).toBe(a);
    expect(() => slicedWasserstein(x, y, new Rng(11), { projections: 0 })).toThrow(/projections/);
    const z = tf.zeros([3, 2]) as tf.Tensor2D;
    expect(() => slicedWasserstein(x, z, new Rng(11))).toThrow(/columns/);
    tf.dispose([x, y, z]);
  });
});
