import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend, subVpSde, veSde, vpSde, type Sde, type ScoreFn } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { probabilityFlowLogLikelihood } from './probability-flow-likelihood';

beforeAll(async () => {
  await selectBackend('wasm');
});

// Correlated 2-D Gaussian data N(mu, Sigma), Sigma = Q diag(l) Q^T. Under an SDE p_t = N(m mu, C_t) with
// C_t = Q diag(m^2 l + s^2) Q^T, so the score, the log-density and the probability-flow map are closed forms.
const angle = 0.6;
const Q = [
  [Math.cos(angle), -Math.sin(angle)],
  [Math.sin(angle), Math.cos(angle)],
];
const l = [1.5, 0.2];
const mu = [1, -0.5];

/** Coordinates in the eigenbasis: u = Q^T (x - m mu). */
const toEigen = (x: number[], m: number) => [0, 1].map((k) => Q[0][k] * (x[0] - m * mu[0]) + Q[1][k] * (x[1] - m * mu[1]));
const fromEigen = (u: number[], m: number) => [0, 1].map((j) => m * mu[j] + Q[j][0] * u[0] + Q[j][1] * u[1]);
const eigenVariance = (sde: Sde, t: number) => {
  const { mean, std } = sde.marginal(t);
  return l.map((lk) => mean * mean * lk + std * std);
};

function logDensity(sde: Sde, x: number[], t: number): number {
  const v = eigenVariance(sde, t);
  const u = toEigen(x, sde.marginal(t).mean);
  return -Math.log(2 * Math.PI) - 0.5 * (Math.log(v[0]) + Math.log(v[1])) - 0.5 * (u[0] ** 2 / v[0] + u[1] ** 2 / v[1]);
}

function gaussianTimeScore(sde: Sde): ScoreFn {
  return (x, t) =>
    tf.tidy(() => {
      if (t === undefined) throw new Error('gaussianTimeScore needs t');
      const { mean, std } = sde.marginal(t);
      const m = tf.reshape(mean, [-1, 1]);
      const q = tf.tensor2d(Q);
      const variance = tf.add(tf.mul(tf.square(m), tf.tensor2d([l])), tf.reshape(tf.square(std), [-1, 1]));
      const u = tf.matMul(tf.sub(x, tf.mul(m, tf.tensor2d([mu]))), q);
      return tf.neg(tf.matMul(tf.div(u, variance), q, false, true)) as tf.Tensor2D;
    });
}

/** The score with a count of its forward passes (calls). */
function counting(score: ScoreFn): { score: ScoreFn; calls: () => number } {
  let calls = 0;
  return {
    score: (x, t) => {
      calls++;
      return score(x, t);
    },
    calls: () => calls,
  };
}

/**
 * What the method computes with the exact score and an exact integrator: log p_eps(x) minus the prior's error
 * at the end point, log p_T(x_T) - log prior(x_T), with x_T the exact flow map of x (per eigen-coordinate
 * u_T = sqrt(C_T / C_eps) u_eps).
 */
function expected(sde: Sde, x: number[]): number {
  // The default start is the training and likelihood eps (1e-5 for every SDE), not the sampling eps.
  const ve = eigenVariance(sde, sde.trainEps);
  const vt = eigenVariance(sde, sde.T);
  const u = toEigen(x, sde.marginal(sde.trainEps).mean);
  const xT = fromEigen(
    u.map((uk, k) => Math.sqrt(vt[k] / ve[k]) * uk),
    sde.marginal(sde.T).mean,
  );
  const prior = -Math.log(2 * Math.PI * sde.priorStd ** 2) - (xT[0] ** 2 + xT[1] ** 2) / (2 * sde.priorStd ** 2);
  return logDensity(sde, x, sde.trainEps) - (logDensity(sde, xT, sde.T) - prior);
}

const sdes: [string, Sde][] = [
  ['ve', veSde({ sigmaMin: 0.01, sigmaMax: 10 })],
  ['vp', vpSde()],
  ['subvp', subVpSde()],
];

describe.each(sdes)('probability-flow log-likelihood of Gaussian data (%s)', (_name, sde) => {
  const score = gaussianTimeScore(sde);
  const n = 200;
  const rows = (() => {
    const rng = new Rng(3);
    return Array.from({ length: n }, () => fromEigen([Math.sqrt(l[0]) * rng.normal(), Math.sqrt(l[1]) * rng.normal()], 1).map(Math.fround));
  })();
  const want = rows.map((r) => expected(sde, r));

  it('rk45 with the exact divergence equals the closed form within 2e-3 nats per point; NFE = D (2 + 6 attempts) forward passes', () => {
    const x = tf.tensor2d(rows);
    const counted = counting(score);
    const result = probabilityFlowLogLikelihood(counted.score, sde, x);
    x.dispose();
    // rtol = atol = 1e-5 on a state of size ~10 (|delta| up to ~D log(sigmaMax / sigmaMin)): the global error
    // of delta is ~1e-4; 2e-3 leaves room for float32 rounding over the steps.
    const errors = result.logLikelihood.map((v, i) => Math.abs(v - want[i]));
    expect(Math.max(...errors)).toBeLessThan(2e-3);
    // Each right-hand side takes one score forward (and backward) pass per coordinate: nfe counts passes.
    expect(result.rhsEvaluations).toBe(2 + 6 * (result.steps + result.rejectedSteps));
    expect(result.nfe).toBe(counted.calls());
    expect(result.nfe).toBe(2 * result.rhsEvaluations);
    // Power: the log-likelihood varies across points far more than the tolerance.
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(3);
  });

  it('rk4 with 100 fixed steps agrees too', () => {
    const x = tf.tensor2d(rows.slice(0, 20));
    const counted = counting(score);
    const result = probabilityFlowLogLikelihood(counted.score, sde, x, { method: 'rk4', steps: 100 });
    x.dispose();
    expect(result.rhsEvaluations).toBe(400);
    expect(counted.calls()).toBe(800);
    expect(result.nfe).toBe(800);
    result.logLikelihood.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(5e-3));
  });

  it('hutchinson (one fixed noise vector per row) is unbiased: the mean error over rows is within 4.5 SE', () => {
    for (const projection of ['rademacher', 'gaussian'] as const) {
      const x = tf.tensor2d(rows);
      const counted = counting(score);
      const result = probabilityFlowLogLikelihood(counted.score, sde, x, { divergence: 'hutchinson', projection, rng: new Rng(9) });
      x.dispose();
      // One probe: one forward pass per right-hand side.
      expect(result.nfe).toBe(counted.calls());
      expect(result.nfe).toBe(result.rhsEvaluations);
      const diffs = result.logLikelihood.map((v, i) => v - want[i]);
      const mean = diffs.reduce((a, b) => a + b) / n;
      const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      // The off-diagonal Jacobian (rotated covariance) gives Rademacher probes a nonzero variance too.
      expect(sd).toBeGreaterThan(1e-3);
      expect(Math.abs(mean)).toBeLessThan((4.5 * sd) / Math.sqrt(n) + 2e-3);
    }
  });
});

describe('probability-flow likelihood plumbing', () => {
  it('keeps the tensor count flat and validates options', () => {
    const sde = vpSde();
    const score = gaussianTimeScore(sde);
    const x = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const before = tf.memory().numTensors;
    probabilityFlowLogLikelihood(score, sde, x, { rtol: 1e-3, atol: 1e-3 });
    probabilityFlowLogLikelihood(score, sde, x, { method: 'euler', steps: 3, divergence: 'hutchinson', rng: new Rng(1) });
    expect(tf.memory().numTensors).toBe(before);
    expect(() => probabilityFlowLogLikelihood(score, sde, x, { divergence: 'hutchinson' })).toThrow(/rng/);
    expect(() => probabilityFlowLogLikelihood(score, sde, x, { method: 'euler' })).toThrow(/steps/);
    expect(() => probabilityFlowLogLikelihood(score, sde, x, { steps: 4 })).toThrow(/rtol/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
