import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { Rng } from '../rng';
import { analyticTimeLogDensity, analyticTimeScore, type PerturbedDensitySource, type PerturbedScoreSource } from './analytic-time-score';
import type { Sde } from './sde';
import { subVpSde } from './subvp-sde';
import { veSde } from './ve-sde';
import { vpSde } from './vp-sde';

beforeAll(async () => {
  await selectBackend('wasm');
});

// A 2-D isotropic Gaussian mixture sum_k w_k N(mu_k, c_k^2 I), perturbed: N(mu_k, (c_k^2 + sigma^2) I).
const w = [0.3, 0.7];
const mu = [
  [-2, 1],
  [1.5, -0.5],
];
const c = [0.5, 1.2];

/** The source the helper composes, in tfjs ops (one sigma per row). */
const source: PerturbedScoreSource & PerturbedDensitySource = {
  score: (x, sigma) =>
    tf.tidy(() => {
      const { logr, diffs, vars } = terms(x, sigma!);
      const r = tf.softmax(logr, 1); // [N, K]
      const parts = diffs.map((d, k) => tf.mul(tf.div(tf.neg(d), vars[k]), tf.slice(r, [0, k], [-1, 1])));
      return tf.addN(parts) as tf.Tensor2D;
    }),
  logDensity: (x, sigma) => tf.tidy(() => tf.logSumExp(terms(x, sigma).logr, 1) as tf.Tensor1D),
};

function terms(x: tf.Tensor2D, sigma: tf.Tensor1D) {
  const s2 = tf.reshape(tf.square(sigma), [-1, 1]);
  const diffs = mu.map((m) => tf.sub(x, tf.tensor2d([m])));
  const vars = c.map((ck) => tf.add(s2, ck * ck)); // [N, 1]
  const logr = tf.concat(
    diffs.map((d, k) =>
      tf.sub(tf.sub(Math.log(w[k]), tf.mul(tf.log(tf.mul(vars[k], 2 * Math.PI)), 1)), tf.div(tf.sum(tf.square(d), 1, true), tf.mul(vars[k], 2))),
    ),
    1,
  );
  return { logr, diffs, vars };
}

/** p_t in float64 straight from the SDE: x_t = m x_0 + s z gives sum_k w_k N(m mu_k, (m^2 c_k^2 + s^2) I). */
function closedForm(x: number[], m: number, s: number): { logp: number; score: number[] } {
  const logs = w.map((wk, k) => {
    const v = m * m * c[k] * c[k] + s * s;
    const q = x.reduce((acc, xi, j) => acc + (xi - m * mu[k][j]) ** 2, 0);
    return Math.log(wk) - Math.log(2 * Math.PI * v) - q / (2 * v);
  });
  const top = Math.max(...logs);
  const sum = logs.reduce((acc, l) => acc + Math.exp(l - top), 0);
  const r = logs.map((l) => Math.exp(l - top) / sum);
  const score = x.map((xi, j) => w.reduce((acc, _, k) => acc - (r[k] * (xi - m * mu[k][j])) / (m * m * c[k] * c[k] + s * s), 0));
  return { logp: top + Math.log(sum), score };
}

describe.each([
  ['ve', veSde({ sigmaMin: 0.01, sigmaMax: 20 })],
  ['vp', vpSde()],
  ['subvp', subVpSde()],
] as [string, Sde][])('analytic time score under %s', (_name, sde) => {
  it('equals the closed-form score and log-density of the mixture pushed through the SDE', () => {
    const n = 64;
    const rng = new Rng(7);
    const ts = Array.from({ length: n }, (_, i) => [1e-3, 0.05, 0.2, 0.5, 0.9, 1][i % 6]);
    const m0 = ts.map((t) => sde.marginal(t));
    // Points spread around the marginal at each t.
    const xs = ts.map((_, i) => [m0[i].mean * mu[i % 2][0] + (m0[i].std + 1) * rng.normal(), m0[i].mean * mu[i % 2][1] + (m0[i].std + 1) * rng.normal()].map(Math.fround));
    const x = tf.tensor2d(xs);
    const t = tf.tensor1d(ts);
    const score = analyticTimeScore(source, sde)(x, t).arraySync();
    const logp = analyticTimeLogDensity(source, sde)(x, t).dataSync();
    tf.dispose([x, t]);
    xs.forEach((xi, i) => {
      const exact = closedForm(xi, m0[i].mean, m0[i].std);
      // float32: relative 1e-4 covers rounding through x / m, the softmax and 1 / variance.
      expect(Math.abs(logp[i] - exact.logp)).toBeLessThan(1e-4 * (1 + Math.abs(exact.logp)));
      const scale = 1 + Math.hypot(...exact.score);
      exact.score.forEach((e, j) => expect(Math.abs(score[i][j] - e)).toBeLessThan(1e-4 * scale));
    });
  });
});
