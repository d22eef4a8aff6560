/**
 * Probability-flow ODE log-likelihoods with the exact marginal score of Gaussian mixtures: the ODE
 * (rk45, exact divergence in 2-D, Hutchinson in 5-D) recovers the true log-density of data points.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, analyticTimeLogDensity, analyticTimeScore, selectBackend, subVpSde, veSde, vpSde, type Sde } from '@scorelab/core';
import { createDataset } from '@scorelab/datasets';
import { probabilityFlowLogLikelihood } from '@scorelab/metrics';

beforeAll(async () => {
  await selectBackend('wasm');
});

// Three anisotropic, correlated components (the Jacobian of the score is far from diagonal).
const mixture2d = createDataset({
  kind: 'gmm',
  means: [
    [-3, -2],
    [3, 0],
    [0, 3.5],
  ],
  covariances: [
    [
      [1, 0.6],
      [0.6, 0.8],
    ],
    [
      [0.4, -0.2],
      [-0.2, 1.2],
    ],
    [
      [0.7, 0],
      [0, 0.3],
    ],
  ],
  stds: undefined,
  weights: [0.5, 0.3, 0.2],
});

// sigmaMax = 100 makes the prior N(0, sigmaMax^2 I) stand in for p_T to ~1e-3 nats (data spread ~4 << 100).
const sdes: [string, Sde][] = [
  ['ve', veSde({ sigmaMin: 0.01, sigmaMax: 100 })],
  ['vp', vpSde()],
  ['subvp', subVpSde()],
];

function evaluate(dataset: typeof mixture2d, sde: Sde, n: number, seed: number, opts: Parameters<typeof probabilityFlowLogLikelihood>[3]) {
  const x = dataset.sample(n, new Rng(seed));
  const { logLikelihood, nfe } = probabilityFlowLogLikelihood(analyticTimeScore(dataset, sde), sde, x, opts);
  const [atEps, clean] = tf.tidy(() => [
    Array.from(analyticTimeLogDensity(dataset, sde)(x, tf.fill([n], sde.trainEps) as tf.Tensor1D).dataSync()),
    Array.from(dataset.logDensity(x).dataSync()),
  ]);
  x.dispose();
  return { logLikelihood, atEps, clean, nfe };
}

describe.each(sdes)('probability-flow likelihood of a 2-D Gaussian mixture with the exact score (%s)', (_name, sde) => {
  it('matches the true log-density within 0.02 nats on average (rk45, exact divergence)', () => {
    const n = 200;
    const { logLikelihood, atEps, clean, nfe } = evaluate(mixture2d, sde, n, 1, {});
    const meanAbs = (ref: number[]) => logLikelihood.reduce((acc, v, i) => acc + Math.abs(v - ref[i]), 0) / n;
    // Against log p_eps, what the ODE computes exactly up to solver and prior error, and against the clean
    // density (p_eps differs from p_0 by O(s(eps)^2) ~ 1e-4 nats here).
    expect(meanAbs(atEps)).toBeLessThan(0.02);
    expect(meanAbs(clean)).toBeLessThan(0.02);
    // Pointwise too (the average could hide a few bad rows).
    logLikelihood.forEach((v, i) => expect(Math.abs(v - atEps[i])).toBeLessThan(0.05));
    // What remains (~3e-3 per point) is the prior standing in for p_T: log p_T(x_T) - log prior(x_T) is
    // ~x_T . m(1) mu for VP, mean ~ KL(p_T || prior) ~ 1e-4, so the signed mean error is far smaller.
    // (With betaMax = 40 or sigmaMax = 1000 the mean absolute error drops to ~5e-5.)
    expect(Math.abs(logLikelihood.reduce((acc, v, i) => acc + v - atEps[i], 0) / n)).toBeLessThan(1e-3);
    // The points' log-densities spread over several nats, so agreement is not an accident.
    expect(Math.max(...clean) - Math.min(...clean)).toBeGreaterThan(4);
    expect(nfe).toBeGreaterThan(8);
  });
});

describe('probability-flow likelihood in 5-D with Hutchinson divergence', () => {
  const rng = new Rng(21);
  const dataset = createDataset({
    kind: 'gmm',
    means: [Array.from({ length: 5 }, () => 2 * rng.normal()), Array.from({ length: 5 }, () => 2 * rng.normal())],
    stds: [0.8, 1.3],
    weights: [0.4, 0.6],
  });

  it('is unbiased: the mean error over rows is within 4.5 SE of 0 (and within 0.02 nats), VP', () => {
    const sde = vpSde();
    const n = 300;
    const { logLikelihood, atEps } = evaluate(dataset, sde, n, 2, { divergence: 'hutchinson', rng: new Rng(5) });
    const diffs = logLikelihood.map((v, i) => v - atEps[i]);
    const mean = diffs.reduce((a, b) => a + b) / n;
    const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    // One Rademacher vector per row, fixed along the path: each row's estimate is unbiased with sd ~ 0.1-1 nats.
    expect(sd).toBeGreaterThan(0.01);
    expect(Math.abs(mean)).toBeLessThan((4.5 * sd) / Math.sqrt(n) + 0.02);
  });
});
