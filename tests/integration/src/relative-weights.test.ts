/**
 * The NCSN relative-weights example (Song & Ermon 2019, figure 3): on 0.2 N((-5,-5), I) + 0.8 N((5,5), I)
 * with the exact score, plain Langevin keeps the mode weights of its uniform start (~1/2 each),
 * because the two basins barely communicate, while annealed Langevin recovers 0.8.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, geometricSigmas, selectBackend, type ScoreFn } from '@scorelab/core';
import { createDataset } from '@scorelab/datasets';
import { modeWeights } from '@scorelab/metrics';
import { annealedLangevin, initialSamples, langevin, runSampler } from '@scorelab/samplers';

const N = 1280;

describe('mog2d-weighted with the exact score', () => {
  const dataset = createDataset({ kind: 'mog2d-weighted' });
  const score: ScoreFn = (x, sigma) => dataset.score(x, sigma);
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  function weightOfUpperMode(sampler: Parameters<typeof runSampler>[0], seed: number): number {
    const rng = new Rng(seed);
    const x0 = initialSamples({ kind: 'uniform', low: -8, high: 8 }, N, 2, rng);
    const { samples } = runSampler(sampler, score, x0, rng);
    const { fractions } = modeWeights(samples, dataset.mixture!);
    x0.dispose();
    samples.dispose();
    // Component 1 of mog2d-weighted is N((5,5), I) with weight 0.8.
    expect(dataset.mixture!.means[1]).toEqual([5, 5]);
    return fractions[1];
  }

  it('plain Langevin (eps 0.1, 1000 steps) leaves the (5,5) weight far from 0.8', () => {
    const w = weightOfUpperMode(langevin({ stepSize: 0.1, steps: 1000 }), 0);
    // A uniform start puts ~1/2 of the chains in each basin; SE of a fraction at N = 1280 is <= 0.014.
    expect(Math.abs(w - 0.5)).toBeLessThan(0.06);
    expect(Math.abs(w - 0.8)).toBeGreaterThan(0.2);
  });

  it('annealed Langevin (sigma 20 -> 1 over 10 levels, eps 0.1, T = 100) recovers 0.8 within 0.05', () => {
    const sampler = annealedLangevin({ sigmas: geometricSigmas(20, 1, 10), stepSize: 0.1, stepsPerLevel: 100 });
    for (const seed of [0, 1]) {
      const w = weightOfUpperMode(sampler, seed);
      // 0.05 is ~4 standard errors of the fraction (sqrt(0.16 / 1280) = 0.011).
      expect(Math.abs(w - 0.8)).toBeLessThan(0.05);
    }
  });
});
