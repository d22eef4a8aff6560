// The default MMD bandwidths (median heuristic times 0.25..4) in 64-D, the digits' dimension: against the
// closed form of MMD^2 between isotropic Gaussians, and still able to tell a 10% wider Gaussian from data.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { defaultBandwidths, mmd } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** E exp(-||x - y||^2 / (2 h^2)) for x ~ N(0, a^2 I), y ~ N(0, b^2 I) in D dimensions: (h^2 / (h^2 + a^2 + b^2))^(D/2). */
const meanKernel = (h: number, a: number, b: number, d: number) => (h * h / (h * h + a * a + b * b)) ** (d / 2);

describe('mmd in 64-D with the default bandwidths', () => {
  it('estimates the closed-form MMD^2 of N(0, I) against N(0, 1.1^2 I), far above its scatter', () => {
    const d = 64;
    const n = 400;
    const scale = 1.1;
    const values: number[] = [];
    let bandwidths: number[] = [];
    for (let s = 0; s < 6; s++) {
      const rng = new Rng(10 + s);
      const y = rng.normalTensor([n, d]) as tf.Tensor2D;
      const x = tf.tidy(() => tf.mul(rng.normalTensor([n, d]), scale) as tf.Tensor2D);
      // The same kernel for every repetition: the bandwidths of the first reference sample.
      if (s === 0) bandwidths = defaultBandwidths(y);
      values.push(mmd(x, y, { bandwidths }));
      tf.dispose([x, y]);
    }
    // The median distance of N(0, I) points in 64-D is ~ sqrt(2 * 64) = 11.3.
    expect(bandwidths[2]).toBeGreaterThan(10.5);
    expect(bandwidths[2]).toBeLessThan(12);
    const exact = bandwidths.reduce((acc, h) => acc + meanKernel(h, scale, scale, d) + meanKernel(h, 1, 1, d) - 2 * meanKernel(h, scale, 1, d), 0);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    // The U-statistic is unbiased: its mean over 6 repetitions is within 4 standard errors of the closed form.
    expect(Math.abs(mean - exact)).toBeLessThan(4 * (sd / Math.sqrt(values.length)));
    // And the difference is detectable at this size: the closed form is several sds above 0, the floor's mean
    // (measured: 5.7 sd; per bandwidth the signal-to-noise peaks at 0.25-0.5 x median, 6.4-6.8, and the 2x and 4x
    // kernels are nearly flat in 64-D: dead weight, but they add no noise either).
    expect(exact).toBeGreaterThan(4 * sd);
  });
});
