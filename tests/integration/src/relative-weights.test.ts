/**
 * The NCSN relative-weights example (Song & Ermon 2019, figure 3): on 0.2 N((-5,-5), I) + 0.8 N((5,5), I)
 * with the exact score, plain Langevin keeps the mode weights of its uniform start (~1/2 each),
 * because the two basins barely communicate, while annealed Langevin recovers 0.8.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SamplerSpec } from '@scorelab/config';
import { CLEAN, Rng, exactScore, geometricSigmas, levelsFamily, selectBackend, type NoiseFamily } from '@scorelab/core';
import { createDataset } from '@scorelab/datasets';
import { modeWeights } from '@scorelab/metrics';
import { createSampler, initialSamples, runSampler } from '@scorelab/samplers';

const N = 1280;

describe('mog2d-weighted with the exact score', () => {
  const dataset = createDataset({ kind: 'mog2d-weighted' });
  const init = { kind: 'uniform', low: -8, high: 8 } as const;
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  function weightOfUpperMode(spec: SamplerSpec, family: NoiseFamily, seed: number): number {
    const rng = new Rng(seed);
    const x0 = initialSamples(spec, family, 2, rng);
    const { samples } = runSampler(createSampler(spec, family), exactScore(dataset, family), x0, rng);
    const { fractions } = modeWeights(samples, dataset.mixture!);
    x0.dispose();
    samples.dispose();
    // Component 1 of mog2d-weighted is N((5,5), I) with weight 0.8.
    expect(dataset.mixture!.means[1]).toEqual([5, 5]);
    return fractions[1];
  }

  it('plain Langevin (eps 0.1, 1000 steps) leaves the (5,5) weight far from 0.8', () => {
    // A clean (single-scale) model: the score is the data's own, called without sigma.
    const w = weightOfUpperMode({ kind: 'langevin', stepSize: 0.1, steps: 1000, samples: N, init, convention: 'half' }, CLEAN, 0);
    // A uniform start puts ~1/2 of the chains in each basin; SE of a fraction at N = 1280 is <= 0.014.
    expect(Math.abs(w - 0.5)).toBeLessThan(0.06);
    expect(Math.abs(w - 0.8)).toBeGreaterThan(0.2);
  });

  it('annealed Langevin (sigma 20 -> 1 over 10 levels, eps 0.1, T = 100) recovers 0.8 within 0.05', () => {
    const spec: SamplerSpec = { kind: 'ald', stepSize: 0.1, stepsPerLevel: 100, samples: N, init, denoise: false, convention: 'half' };
    const family = levelsFamily(geometricSigmas(20, 1, 10));
    for (const seed of [0, 1]) {
      const w = weightOfUpperMode(spec, family, seed);
      // 0.05 is ~4 standard errors of the fraction (sqrt(0.16 / 1280) = 0.011).
      expect(Math.abs(w - 0.8)).toBeLessThan(0.05);
    }
  });
});
