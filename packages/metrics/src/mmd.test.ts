import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { MMD_BANDWIDTH_MULTIPLIERS, defaultBandwidths, mmd } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Direct float64 U-statistic, an independent implementation for small samples. */
function directMmd(x: number[][], y: number[][], bandwidths: number[]): number {
  const k = (a: number[], b: number[]) => {
    const sq = a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
    return bandwidths.reduce((s, h) => s + Math.exp(-sq / (2 * h * h)), 0);
  };
  const within = (z: number[][]) => {
    let s = 0;
    for (let i = 0; i < z.length; i++) for (let j = 0; j < z.length; j++) if (i !== j) s += k(z[i], z[j]);
    return s / (z.length * (z.length - 1));
  };
  let cross = 0;
  for (const a of x) for (const b of y) cross += k(a, b);
  return within(x) + within(y) - (2 * cross) / (x.length * y.length);
}

/** Population MMD^2 between N(m1, s^2 I_D) and N(m2, s^2 I_D): for u ~ N(mu, t^2 I_D),
 * E exp(-||u||^2 / (2h^2)) = (h^2 / (h^2 + t^2))^(D/2) exp(-||mu||^2 / (2 (h^2 + t^2))), with t^2 = 2 s^2. */
function gaussianMmd(shift2: number, s: number, d: number, bandwidths: number[]): number {
  return bandwidths.reduce((acc, h) => {
    const t2 = 2 * s * s;
    const c = (h * h / (h * h + t2)) ** (d / 2);
    return acc + 2 * c * (1 - Math.exp(-shift2 / (2 * (h * h + t2))));
  }, 0);
}

function meanAndSe(values: number[]): { mean: number; se: number } {
  const r = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / r;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (r - 1);
  return { mean, se: Math.sqrt(variance / r) };
}

describe('mmd', () => {
  it('matches a direct float64 U-statistic, with explicit and default bandwidths', () => {
    const rng = new Rng(3);
    const x = rng.normalTensor([50, 3]) as tf.Tensor2D;
    const y = rng.normalTensor([40, 3], 0.5, 1.5) as tf.Tensor2D;
    const xa = x.arraySync();
    const ya = y.arraySync();
    expect(mmd(x, y, { bandwidths: [0.7, 3] })).toBeCloseTo(directMmd(xa, ya, [0.7, 3]), 5);
    // Default: multiples of the median distance between distinct rows of y.
    const dist: number[] = [];
    for (let i = 0; i < ya.length; i++) for (let j = i + 1; j < ya.length; j++) dist.push(Math.hypot(...ya[i].map((v, c) => v - ya[j][c])));
    dist.sort((a, b) => a - b);
    const median = (dist[dist.length / 2 - 1] + dist[dist.length / 2]) / 2;
    const hs = defaultBandwidths(y);
    expect(hs).toHaveLength(MMD_BANDWIDTH_MULTIPLIERS.length);
    hs.forEach((h, i) => expect(h).toBeCloseTo(MMD_BANDWIDTH_MULTIPLIERS[i] * median, 5));
    expect(mmd(x, y)).toBeCloseTo(directMmd(xa, ya, hs), 5);
    tf.dispose([x, y]);
  });

  it('is unbiased: ~0 within its standard error for two samples of one law, clearly positive for a shift', () => {
    // R independent replicates give the standard error of their mean empirically.
    const rng = new Rng(4);
    const n = 500;
    const bandwidths = [0.5, 1, 2];
    const same: number[] = [];
    const shifted: number[] = [];
    for (let r = 0; r < 10; r++) {
      const x = rng.normalTensor([n, 2]) as tf.Tensor2D;
      const y = rng.normalTensor([n, 2]) as tf.Tensor2D;
      const z = rng.normalTensor([n, 2], 0.5) as tf.Tensor2D;
      same.push(mmd(x, y, { bandwidths }));
      shifted.push(mmd(x, z, { bandwidths }));
      tf.dispose([x, y, z]);
    }
    const s = meanAndSe(same);
    expect(Math.abs(s.mean)).toBeLessThan(4 * s.se);
    // The test has the power to see a biased estimator: the V-statistic (diagonal kept) would average
    // 2 (B - sum_h E k_h(x, x')) / n, with E k_h = h^2 / (h^2 + 2) for N(0, I_2).
    const vBias = (2 * bandwidths.reduce((a, h) => a + 1 - (h * h) / (h * h + 2), 0)) / n;
    expect(vBias).toBeGreaterThan(5 * s.se);
    const t = meanAndSe(shifted);
    expect(t.mean).toBeGreaterThan(20 * s.se + 4 * t.se);
    // ... and matches the population value for the shift (0.5, 0.5), within 4 standard errors.
    expect(Math.abs(t.mean - gaussianMmd(0.5, 1, 2, bandwidths))).toBeLessThan(4 * t.se);
  });

  it('matches the closed form between N(m1, s^2 I) and N(m2, s^2 I)', () => {
    const rng = new Rng(5);
    const n = 500;
    const s = 0.8;
    const bandwidths = [1, 2.5];
    const shift = [1.2, -0.4, 0.3];
    const values: number[] = [];
    for (let r = 0; r < 8; r++) {
      const x = rng.normalTensor([n, 3], 0, s) as tf.Tensor2D;
      const y = tf.tidy(() => tf.add(rng.normalTensor([n, 3], 0, s), tf.tensor1d(shift)) as tf.Tensor2D);
      values.push(mmd(x, y, { bandwidths }));
      tf.dispose([x, y]);
    }
    const { mean, se } = meanAndSe(values);
    const expected = gaussianMmd(shift.reduce((a, v) => a + v * v, 0), s, 3, bandwidths);
    expect(Math.abs(mean - expected)).toBeLessThan(4 * se);
    expect(se).toBeLessThan(0.05 * expected); // the comparison is sharp enough to mean something
  });

  it('does not leak tensors and rejects bad input', () => {
    const x = tf.randomNormal([600, 2], 0, 1, 'float32', 1) as tf.Tensor2D; // > one 512-row block
    const before = tf.memory().numTensors;
    mmd(x, x);
    expect(tf.memory().numTensors).toBe(before);
    const y = tf.zeros([5, 3]) as tf.Tensor2D;
    expect(() => mmd(x, y)).toThrow(/columns/);
    expect(() => mmd(y, y)).toThrow(/median pairwise distance/);
    tf.dispose([x, y]);
  });
});
