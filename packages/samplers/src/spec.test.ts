import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, selectBackend } from '@scorelab/core';
import { createSampler, initialSamples } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('createSampler', () => {
  const init = { kind: 'uniform', low: -8, high: 8 } as const;

  it('builds annealed Langevin from an ald spec and the schedule', () => {
    const s = createSampler({ kind: 'ald', stepSize: 0.1, stepsPerLevel: 100, samples: 1280, init, denoise: true }, [20, 10, 5]);
    expect(s.kind).toBe('ald');
    expect(s.totalSteps).toBe(300);
    expect(s.stepInfo(0)).toEqual({ stepSize: 0.1 * 16, sigma: 20, level: 0 });
    expect(s.stepInfo(299)).toEqual({ stepSize: 0.1, sigma: 5, level: 2 });
  });

  it('runs plain Langevin at the smallest sigma of a schedule, or without sigma for an unconditional model', () => {
    const conditional = createSampler({ kind: 'langevin', stepSize: 0.1, steps: 50, samples: 10, init }, [20, 10, 5]);
    expect(conditional.totalSteps).toBe(50);
    expect(conditional.stepInfo(0)).toEqual({ stepSize: 0.1, sigma: 5 });
    const unconditional = createSampler({ kind: 'langevin', stepSize: 0.1, steps: 50, samples: 10, init, convention: 'full' }, null);
    expect(unconditional.stepInfo(7)).toEqual({ stepSize: 0.1 });
  });

  it('refuses ald without a schedule', () => {
    expect(() => createSampler({ kind: 'ald', stepSize: 0.1, stepsPerLevel: 100, samples: 10, init }, null)).toThrow(/noise schedule/);
  });
});

describe('initialSamples', () => {
  // n = 20000 coordinates: the sample mean has sd std/sqrt(n); we allow 4 sd.
  const rows = 10_000;
  const n = 2 * rows;

  it('draws U[low, high) coordinates', () => {
    const x = initialSamples({ kind: 'uniform', low: -8, high: 4 }, rows, 2, new Rng(1));
    expect(x.shape).toEqual([rows, 2]);
    const v = x.dataSync();
    let mean = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of v) {
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
      mean += t / n;
    }
    expect(lo).toBeGreaterThanOrEqual(-8);
    expect(hi).toBeLessThan(4);
    // ... and fills the interval: the extremes of 20000 draws are within 0.01 of the ends.
    expect(lo).toBeLessThan(-7.99);
    expect(hi).toBeGreaterThan(3.99);
    expect(Math.abs(mean - -2)).toBeLessThan((4 * 12) / Math.sqrt(12 * n));
    x.dispose();
  });

  it('draws N(0, std^2) coordinates', () => {
    const x = initialSamples({ kind: 'gaussian', std: 2 }, rows, 2, new Rng(2));
    const v = x.dataSync();
    let m2 = 0;
    for (const t of v) m2 += (t * t) / n;
    // mean(x^2)/4 ~ chi^2_n / n: relative sd sqrt(2/n).
    expect(Math.abs(m2 / 4 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    x.dispose();
  });

  it('rejects bad specs', () => {
    expect(() => initialSamples({ kind: 'uniform', low: 1, high: 1 }, 5, 2, new Rng(0))).toThrow(/low < high/);
    expect(() => initialSamples({ kind: 'gaussian', std: 0 }, 5, 2, new Rng(0))).toThrow(/std/);
    expect(() => initialSamples({ kind: 'gaussian', std: 1 }, 0, 2, new Rng(0))).toThrow(/n must/);
  });
});
