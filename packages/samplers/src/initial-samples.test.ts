import { beforeAll, describe, expect, it } from 'vitest';
import { CLEAN, type NoiseFamily, Rng, levelsFamily, selectBackend, veSde } from '@scorelab/core';
import type { SamplerInit, SamplerSpec } from '@scorelab/config';
import { initialSamples } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

const langevinWith = (init: SamplerInit, samples: number): SamplerSpec => ({ kind: 'langevin', stepSize: 0.1, steps: 10, samples, init, convention: 'half' });

describe('initialSamples', () => {
  // n = 20000 coordinates: the sample mean has sd std/sqrt(n); we allow 4 sd.
  const rows = 10_000;
  const n = 2 * rows;

  it('draws U[low, high) coordinates', () => {
    const x = initialSamples(langevinWith({ kind: 'uniform', low: -8, high: 4 }, rows), CLEAN, 2, new Rng(1));
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
    const spec: SamplerSpec = { kind: 'ald', stepSize: 0.1, stepsPerLevel: 10, samples: rows, init: { kind: 'gaussian', std: 2 }, denoise: false, convention: 'half' };
    const x = initialSamples(spec, levelsFamily([2, 1]), 2, new Rng(2));
    const v = x.dataSync();
    let m2 = 0;
    for (const t of v) m2 += (t * t) / n;
    // mean(x^2)/4 ~ chi^2_n / n: relative sd sqrt(2/n).
    expect(Math.abs(m2 / 4 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    x.dispose();
  });

  it('draws the SDE prior for the SDE samplers, as sde.priorSample does', () => {
    const sde = veSde({ sigmaMax: 20 });
    const family: NoiseFamily = { kind: 'sde', sde };
    const x = initialSamples({ kind: 'pc', steps: 10, samples: 6, snr: 0.16, correctorSteps: 1, predictor: 'reverse-diffusion', denoise: false }, family, 3, new Rng(3));
    const y = sde.priorSample(6, 3, new Rng(3));
    expect(x.shape).toEqual([6, 3]);
    expect(Array.from(x.dataSync())).toEqual(Array.from(y.dataSync()));
    x.dispose();
    y.dispose();
  });

  it('rejects bad specs and the families createSampler rejects', () => {
    expect(() => initialSamples(langevinWith({ kind: 'uniform', low: 1, high: 1 }, 5), CLEAN, 2, new Rng(0))).toThrow(/low < high/);
    expect(() => initialSamples(langevinWith({ kind: 'gaussian', std: 0 }, 5), CLEAN, 2, new Rng(0))).toThrow(/std/);
    expect(() => initialSamples(langevinWith({ kind: 'gaussian', std: 1 }, 0), CLEAN, 2, new Rng(0))).toThrow(/samples must/);
    expect(() => initialSamples(langevinWith({ kind: 'gaussian', std: 1 }, 5), CLEAN, 0, new Rng(0))).toThrow(/dim must/);
    expect(() => initialSamples({ kind: 'euler-maruyama', steps: 10, samples: 5, denoise: false }, levelsFamily([2, 1]), 2, new Rng(0))).toThrow(/needs an sde/);
    expect(() => initialSamples(langevinWith({ kind: 'gaussian', std: 1 }, 5), { kind: 'sde', sde: veSde() }, 2, new Rng(0))).toThrow(/not on an sde/);
  });
});
