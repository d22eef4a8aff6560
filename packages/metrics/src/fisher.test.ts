import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, type ScoreFn, selectBackend } from '@scorelab/core';
import { fisherDivergence } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** s(x, sigma) = -x / v(sigma): the score of N(0, v(sigma) I). */
function linearScore(v: (sigma: number | undefined) => number): ScoreFn {
  return (x, sigma) => {
    if (!sigma) return tf.div(x, -v(undefined)) as tf.Tensor2D;
    const s = sigma.dataSync()[0];
    // All rows share one sigma here; check it instead of assuming it.
    for (const t of sigma.dataSync()) if (t !== s) throw new Error('mixed sigmas');
    return tf.div(x, -v(s)) as tf.Tensor2D;
  };
}

function sumSquares(x: tf.Tensor2D): number {
  let s = 0;
  for (const v of x.dataSync()) s += v * v;
  return s;
}

describe('fisherDivergence', () => {
  const d = 2;
  const n = 20_000;

  it('is exactly 0 for the exact score against itself', () => {
    const exact = linearScore((s) => 1 + (s ?? 0) ** 2);
    const rng = new Rng(0);
    const samples = [rng.normalTensor([100, d]) as tf.Tensor2D, rng.normalTensor([100, d]) as tf.Tensor2D];
    const r = fisherDivergence({ model: exact, exact, samples, sigmas: [2, 1] });
    expect(r.perLevel).toEqual([0, 0]);
    expect(r.weighted).toBe(0);
    tf.dispose(samples);
  });

  it('unconditional: model -x/c against N(0, I) gives 1/2 (1/c - 1)^2 E||x||^2 = 1/2 (1/c - 1)^2 D', () => {
    const c = 1.5;
    const x = new Rng(1).normalTensor([n, d]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const r = fisherDivergence({ model: linearScore(() => c), exact: linearScore(() => 1), samples: [x], sigmas: null });
    expect(tf.memory().numTensors).toBe(before);
    const k2 = (1 / c - 1) ** 2;
    // Against the same samples computed independently: float32 scores, so ~1e-6 relative.
    expect(r.perLevel[0]).toBeCloseTo((0.5 * k2 * sumSquares(x)) / n, 5);
    expect(r.weighted).toBe(r.perLevel[0]);
    // Against the population value: ||x||^2 ~ chi^2_D has variance 2D, so the estimate has sd 1/2 k2 sqrt(2D/n); 4 sd.
    expect(Math.abs(r.perLevel[0] - 0.5 * k2 * d)).toBeLessThan(4 * 0.5 * k2 * Math.sqrt((2 * d) / n));
    x.dispose();
  });

  it('perturbed levels: F_i = 1/2 (m_i - e_i)^2 D (1 + sigma_i^2) and weighted = mean sigma_i^2 F_i', () => {
    // Data N(0, I): p_sigma = N(0, (1 + sigma^2) I), exact score -e x with e = 1/(1 + sigma^2).
    // Model -m x with m = 1/(1 + sigma^2 + 0.3 sigma): F = 1/2 (m - e)^2 E||x||^2, E||x||^2 = D (1 + sigma^2).
    const sigmas = [3, 1, 0.3];
    const rng = new Rng(2);
    const samples = sigmas.map((s) => rng.normalTensor([n, d], 0, Math.sqrt(1 + s * s)) as tf.Tensor2D);
    const exact = linearScore((s) => 1 + s! ** 2);
    const model = linearScore((s) => 1 + s! ** 2 + 0.3 * s!);
    const r = fisherDivergence({ model, exact, samples, sigmas });
    let weighted = 0;
    sigmas.forEach((s, i) => {
      const k2 = (1 / (1 + s * s + 0.3 * s) - 1 / (1 + s * s)) ** 2;
      const v = 1 + s * s;
      expect(r.perLevel[i] / ((0.5 * k2 * sumSquares(samples[i])) / n)).toBeCloseTo(1, 5);
      // ||x||^2 / v ~ chi^2_D: sd of the estimate 1/2 k2 v sqrt(2D/n); 4 sd.
      expect(Math.abs(r.perLevel[i] - 0.5 * k2 * d * v)).toBeLessThan(4 * 0.5 * k2 * v * Math.sqrt((2 * d) / n));
      weighted += (s * s * r.perLevel[i]) / sigmas.length;
    });
    expect(r.weighted).toBeCloseTo(weighted, 10);
    tf.dispose(samples);
  });

  it('needs one batch per level', () => {
    const x = tf.zeros([2, 2]) as tf.Tensor2D;
    const s = linearScore(() => 1);
    expect(() => fisherDivergence({ model: s, exact: s, samples: [x], sigmas: [2, 1] })).toThrow(/2 sample batch/);
    expect(() => fisherDivergence({ model: s, exact: s, samples: [x, x], sigmas: null })).toThrow(/1 sample batch/);
    x.dispose();
  });
});
