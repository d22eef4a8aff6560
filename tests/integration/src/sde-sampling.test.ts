/**
 * Reverse-SDE, predictor-corrector and probability-flow samplers with the exact marginal score of the NCSN
 * relative-weights mixture 0.2 N((-5,-5), I) + 0.8 N((5,5), I): unlike plain Langevin they recover the
 * mode weights, and their samples are as close to the data (MMD) as fresh data samples are.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SdeSamplerSpec } from '@scorelab/config';
import { Rng, exactScore, selectBackend, veSde, vpSde, type NoiseFamily, type Sde } from '@scorelab/core';
import { createDataset } from '@scorelab/datasets';
import { defaultBandwidths, mmd, modeWeights } from '@scorelab/metrics';
import { createSampler, initialSamples, runSampler } from '@scorelab/samplers';

const N = 1280;
const dataset = createDataset({ kind: 'mog2d-weighted' });

let reference: tf.Tensor2D;
let bandwidths: number[];
let freshMean = 0;
let freshSd = 0;

beforeAll(async () => {
  await selectBackend('wasm');
  // The yardstick: MMD^2 of fresh data samples of the same size against the reference sample (8 draws).
  reference = dataset.sample(N, new Rng(1000));
  bandwidths = defaultBandwidths(reference);
  const values = Array.from({ length: 8 }, (_, k) => {
    const fresh = dataset.sample(N, new Rng(2000 + k));
    const v = mmd(fresh, reference, { bandwidths });
    fresh.dispose();
    return v;
  });
  freshMean = values.reduce((a, b) => a + b) / values.length;
  freshSd = Math.sqrt(values.reduce((a, b) => a + (b - freshMean) ** 2, 0) / (values.length - 1));
});

// The prior must stand in for p_T: the probability-flow ODE is a bijection, so it carries KL(prior || p_T)
// to the samples unchanged (the reverse SDE contracts it). The data mean is (3, 3): with sigmaMax = 25 that KL is
// |mean|^2 / (2 sigmaMax^2) = 0.014 nats, which the MMD detects for the ODE; sigmaMax = 100 makes it 1e-3.
const sdes: [string, Sde][] = [
  ['ve', veSde({ sigmaMin: 0.01, sigmaMax: 100 })],
  ['vp', vpSde()],
];
// Resolved sampler sections (the config's defaults filled in).
const specs: SdeSamplerSpec[] = [
  { kind: 'euler-maruyama', steps: 300, samples: N, denoise: false },
  { kind: 'reverse-diffusion', steps: 300, samples: N, denoise: false },
  { kind: 'pc', steps: 200, snr: 0.16, correctorSteps: 1, predictor: 'reverse-diffusion', samples: N, denoise: true },
  { kind: 'ode', method: 'rk45', rtol: 1e-5, atol: 1e-5, samples: N, denoise: false },
];

describe.each(sdes)('SDE samplers with the exact score of mog2d-weighted (%s)', (_name, sde) => {
  const family: NoiseFamily = { kind: 'sde', sde };
  const score = exactScore(dataset, family);

  it.each(specs.map((s) => [s.kind, s] as const))('%s recovers the 0.8 mode weight within 0.05 and an MMD like fresh data', (_kind, spec) => {
    const rng = new Rng(7);
    // The SDE's prior at T: sde.priorSample(N, 2, rng).
    const xT = initialSamples(spec, family, 2, rng);
    const { samples, scoreEvaluations } = runSampler(createSampler(spec, family), score, xT, rng);
    xT.dispose();
    const { fractions } = modeWeights(samples, dataset.mixture!);
    const distance = mmd(samples, reference, { bandwidths });
    samples.dispose();
    // Component 1 is N((5,5), I) with weight 0.8; SE of a fraction at N = 1280 is sqrt(0.16 / 1280) = 0.011.
    expect(Math.abs(fractions[1] - 0.8)).toBeLessThan(0.05);
    // Within 4 standard deviations of the fresh-data MMD^2 (the sampler's law differs from the data's by
    // discretisation and prior error only).
    expect(distance).toBeLessThan(freshMean + 4 * freshSd);
    expect(scoreEvaluations).toBeGreaterThan(10);
  });
});
