import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { MMD_PERMUTATIONS, mmd, mmdPermutationTest } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Two-component 2-D mixture 0.5 N((-2, 0), I) + 0.5 N((2, 0), s^2 I), n rows. */
function mixture(rng: Rng, n: number, s = 1): tf.Tensor2D {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const right = rng.uniform() < 0.5;
    const scale = right ? s : 1;
    out[2 * i] = (right ? 2 : -2) + scale * rng.normal();
    out[2 * i + 1] = scale * rng.normal();
  }
  return tf.tensor2d(out, [n, 2]);
}

describe('mmdPermutationTest', () => {
  it('its statistic is sample/mmd, and the p-value lies on the grid (1 + c) / (1 + permutations)', () => {
    const rng = new Rng(1);
    const x = mixture(rng, 300);
    const y = mixture(rng, 250, 1.3);
    const t = mmdPermutationTest(x, y, rng, { permutations: 99 });
    expect(t.mmd).toBeCloseTo(mmd(x, y), 5);
    expect(t.permutations).toBe(99);
    expect(Math.abs(t.pValue * 100 - Math.round(t.pValue * 100))).toBeLessThan(1e-9);
    // Unequal sizes either way round give the same observed statistic as mmd.
    expect(mmdPermutationTest(y, x, rng, { permutations: 9 }).mmd).toBeCloseTo(mmd(y, x), 5);
    tf.dispose([x, y]);
  });

  it('is calibrated under the null: P(p < 0.05) and P(p < 0.5) over 400 seeds within 3 binomial sd', () => {
    const seeds = 400;
    let below05 = 0;
    let below50 = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const rng = new Rng(1000 + seed);
      const x = mixture(rng, 200);
      const y = mixture(rng, 200);
      const { pValue } = mmdPermutationTest(x, y, rng);
      if (pValue < 0.05) below05++;
      if (pValue < 0.5) below50++;
      tf.dispose([x, y]);
    }
    // With 200 permutations, P(p < 0.05) = 10/201 and P(p < 0.5) = 100/201 exactly under exchangeability.
    for (const [count, a] of [[below05, 10 / 201], [below50, 100 / 201]] as const) {
      const sd = Math.sqrt((a * (1 - a)) / seeds);
      expect(Math.abs(count / seeds - a)).toBeLessThan(3 * sd);
    }
  }, 120_000);

  it('gives the smallest p-value 1/201 for clearly different laws at n = 1000, and stays cheap', () => {
    const rng = new Rng(5);
    // The right component 1.5x too wide.
    const x = mixture(rng, 1000, 1.5);
    const y = mixture(rng, 1000);
    const t0 = performance.now();
    const t = mmdPermutationTest(x, y, rng);
    const seconds = (performance.now() - t0) / 1000;
    expect(t.permutations).toBe(MMD_PERMUTATIONS);
    expect(t.pValue).toBeCloseTo(1 / 201, 10);
    expect(seconds).toBeLessThan(5);
    tf.dispose([x, y]);
  }, 30_000);

  it('rejects mismatched columns, too few rows and bad permutation counts', () => {
    const rng = new Rng(0);
    const a = tf.zeros([5, 2]) as tf.Tensor2D;
    const b = rng.normalTensor([5, 3]) as tf.Tensor2D;
    const c = rng.normalTensor([5, 2]) as tf.Tensor2D;
    expect(() => mmdPermutationTest(a, b, rng)).toThrow(/columns/);
    expect(() => mmdPermutationTest(tf.zeros([1, 2]) as tf.Tensor2D, c, rng)).toThrow(/at least 2/);
    expect(() => mmdPermutationTest(c, c, rng, { permutations: 0 })).toThrow(/positive integer/);
    tf.dispose([a, b, c]);
  });
});
