import * as tf from '@tensorflow/tfjs';
import { SdeSchema } from '@scorelab/config';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { Rng } from '../rng';
import type { ScoreFn } from '../score';
import { oneMinusExpTensor, type Sde } from './sde';
import { sdeFromSpec } from './sde-from-spec';
import { subVpSde } from './subvp-sde';
import { veSde } from './ve-sde';
import { vpSde } from './vp-sde';

beforeAll(async () => {
  await selectBackend('wasm');
});

const sdes: [string, () => Sde][] = [
  ['ve', () => veSde({ sigmaMin: 0.05, sigmaMax: 10 })],
  ['vp', () => vpSde({ betaMin: 0.1, betaMax: 20 })],
  ['subvp', () => subVpSde({ betaMin: 0.1, betaMax: 20 })],
];
const times = [0, 1e-5, 1e-3, 0.05, 0.3, 0.7, 1];

describe.each(sdes)('%s SDE', (_name, make) => {
  const sde = make();

  it('evaluates the same functions of t on numbers (float64) and on [N] tensors (float32)', () => {
    const t = tf.tensor1d(times);
    const { mean, std } = sde.marginal(t);
    const g = sde.diffusion(t);
    const a = sde.driftCoefficient(t);
    const got = [mean, std, g, a].map((v) => Array.from(v.dataSync()));
    tf.dispose([t, mean, std, g, a]);
    times.forEach((ti, i) => {
      const m = sde.marginal(ti);
      const expected = [m.mean, m.std, sde.diffusion(ti), sde.driftCoefficient(ti)];
      // float32 relative rounding, a few ulps through exp/sqrt.
      expected.forEach((e, k) => expect(Math.abs(got[k][i] - e)).toBeLessThanOrEqual(2e-6 * Math.abs(e) + 1e-12));
    });
  });

  it('has marginals that solve the moment ODEs of dx = a(t) x dt + g(t) dW: (log m)\' = a, (s^2)\' = 2 a s^2 + g^2', () => {
    // Central differences in float64 (truncation O(h^2) ~ 1e-10 relative); an independent check that
    // marginal() belongs to drift() and diffusion().
    const h = 1e-5;
    for (const t of [0.01, 0.1, 0.3, 0.6, 0.9]) {
      const [lo, hi] = [sde.marginal(t - h), sde.marginal(t + h)];
      const mid = sde.marginal(t);
      const dLogM = (Math.log(hi.mean) - Math.log(lo.mean)) / (2 * h);
      expect(Math.abs(dLogM - sde.driftCoefficient(t))).toBeLessThan(1e-6 * (1 + Math.abs(sde.driftCoefficient(t))));
      const dVar = (hi.std ** 2 - lo.std ** 2) / (2 * h);
      const rhs = 2 * sde.driftCoefficient(t) * mid.std ** 2 + sde.diffusion(t) ** 2;
      expect(Math.abs(dVar - rhs)).toBeLessThan(1e-6 * (1 + Math.abs(rhs)));
    }
  });

  it('forward Euler-Maruyama simulation from x(0) = x0 + s(0) z matches m(t) x0 and s(t) at t = 0.05, 0.3, 1', () => {
    // N = 10000 one-dimensional paths of x0 = 2, 1000 steps of dt = 1e-3. The standard error of the mean
    // is s / sqrt(N) and of the std about s / sqrt(2N); the tolerance is 4.5 SE plus 1% of s for the
    // O(dt) Euler-Maruyama bias (at most beta dt / 8 = 0.25% of the std here, for beta = 20).
    const n = 10000;
    const steps = 1000;
    const dt = 1 / steps;
    const rng = new Rng(11);
    const check = new Map([
      [50, 0.05],
      [300, 0.3],
      [1000, 1],
    ]);
    let x = tf.tidy(() => tf.add(2, rng.normalTensor([n, 1], 0, sde.marginal(0).std)) as tf.Tensor2D);
    for (let k = 0; k < steps; k++) {
      const t = k * dt;
      const next = tf.tidy(() => tf.add(tf.add(x, tf.mul(sde.drift(x, t), dt)), tf.mul(rng.normalTensor([n, 1]), sde.diffusion(t) * Math.sqrt(dt))) as tf.Tensor2D);
      x.dispose();
      x = next;
      const tc = check.get(k + 1);
      if (tc === undefined) continue;
      const values = x.dataSync();
      let sum = 0;
      for (const v of values) sum += v;
      const mean = sum / n;
      let ss = 0;
      for (const v of values) ss += (v - mean) ** 2;
      const std = Math.sqrt(ss / (n - 1));
      const m = sde.marginal(tc);
      expect(Math.abs(mean - 2 * m.mean)).toBeLessThan((4.5 * m.std) / Math.sqrt(n) + 0.01 * m.std);
      expect(Math.abs(std - m.std)).toBeLessThan((4.5 * m.std) / Math.sqrt(2 * n) + 0.01 * m.std);
    }
    x.dispose();
  });

  it('discretize is the exact transition from t - dt to t: r = m(t)/m(t-dt), G^2 = s(t)^2 - r^2 s(t-dt)^2', () => {
    const x = tf.tensor2d([
      [1, -2],
      [0.5, 3],
    ]);
    for (const [t, dt] of [
      [0.5, 0.01],
      [0.02, 0.02],
      [1, 0.25],
    ]) {
      const { f, G } = sde.discretize(x, t, dt);
      const now = sde.marginal(t);
      const before = sde.marginal(t - dt);
      const r = now.mean / before.mean;
      expect(Array.from(f.dataSync()).map((v, i) => v - (r - 1) * [1, -2, 0.5, 3][i]).every((e) => Math.abs(e) < 1e-6)).toBe(true);
      // Variance propagation of x_t = r x_{t-dt} + G z reproduces the marginal.
      expect(Math.abs(r * r * before.std ** 2 + G * G - now.std ** 2)).toBeLessThan(1e-12 * (1 + now.std ** 2));
      f.dispose();
    }
    x.dispose();
    expect(() => sde.discretize(tf.zeros([1, 1]) as tf.Tensor2D, 0.1, 0.2)).toThrow(/dt <= t/);
  });

  it('reverse: drift f - g^2 s (SDE) or f - g^2 s / 2 (ODE), diffusion g or 0; reverse discretize f - G^2 s', () => {
    const x = tf.tensor2d([
      [1, -2],
      [0.5, 3],
      [-1, 0],
    ]);
    // A test score that depends on t, so a wrong time argument shows: s(x, t) = -x (1 + t).
    const score: ScoreFn = (xx, tt) => tf.mul(tf.neg(xx), tf.reshape(tf.add(1, tt!), [-1, 1])) as tf.Tensor2D;
    const t = 0.4;
    const a = sde.driftCoefficient(t);
    const g2 = sde.diffusion(t) ** 2;
    for (const pf of [false, true]) {
      const rev = sde.reverse(score, pf);
      const c = pf ? 0.5 : 1;
      const expected = [1, -2, 0.5, 3, -1, 0].map((v) => a * v + c * g2 * v * (1 + t));
      const got = rev.drift(x, t).dataSync();
      expected.forEach((e, i) => expect(Math.abs(got[i] - e)).toBeLessThan(1e-5 * (1 + Math.abs(e))));
      // Per-row times give the same rows as a shared number.
      const tt = tf.fill([3], t) as tf.Tensor1D;
      const perRow = rev.drift(x, tt).dataSync();
      expected.forEach((e, i) => expect(Math.abs(perRow[i] - e)).toBeLessThan(1e-5 * (1 + Math.abs(e))));
      expect(rev.diffusion(t)).toBe(pf ? 0 : Math.sqrt(g2));
      const d = rev.discretize(x, t, 0.01);
      const fwd = sde.discretize(x, t, 0.01);
      const fd = fwd.f.dataSync();
      const rd = d.f.dataSync();
      [1, -2, 0.5, 3, -1, 0].forEach((v, i) => expect(Math.abs(rd[i] - (fd[i] + c * fwd.G ** 2 * v * (1 + t)))).toBeLessThan(1e-6));
      expect(d.G).toBe(pf ? 0 : fwd.G);
      tf.dispose([tt, d.f, fwd.f]);
    }
    x.dispose();
  });

  it('prior: N(0, priorStd^2 I) samples and log-density', () => {
    const x = sde.priorSample(20000, 2, new Rng(3));
    const std = tf.tidy(() => Math.sqrt(tf.mean(tf.square(x)).dataSync()[0]));
    // Relative SE of a std from 40000 values: 1 / sqrt(2 * 40000) = 0.35%.
    expect(Math.abs(std / sde.priorStd - 1)).toBeLessThan(0.016);
    x.dispose();
    const p = tf.tensor2d([
      [0, 0],
      [1, -2],
    ]);
    const lp = sde.priorLogDensity(p).dataSync();
    const v = sde.priorStd ** 2;
    expect(Math.abs(lp[0] + Math.log(2 * Math.PI * v))).toBeLessThan(1e-5);
    expect(Math.abs(lp[1] + Math.log(2 * Math.PI * v) + 5 / (2 * v))).toBeLessThan(1e-5);
    p.dispose();
  });

  it('the tensor functions keep the tensor count flat', () => {
    const x = tf.ones([4, 2]) as tf.Tensor2D;
    const t = tf.fill([4], 0.3) as tf.Tensor1D;
    const score: ScoreFn = (xx) => tf.neg(xx);
    const before = tf.memory().numTensors;
    const outs = [sde.drift(x, t), sde.diffusion(t), sde.driftCoefficient(t), sde.reverse(score, true).drift(x, 0.3), sde.discretize(x, 0.3, 0.1).f];
    const { mean, std } = sde.marginal(t);
    expect(tf.memory().numTensors).toBe(before + outs.length + 2);
    tf.dispose([...outs, mean, std, x, t]);
  });
});

describe('SDE specifics', () => {
  it('VE: sigma(0) = sigmaMin, sigma(1) = sigmaMax, g^2 = d sigma^2/dt, m = 1, s = sigma', () => {
    const sde = veSde({ sigmaMin: 0.01, sigmaMax: 50 });
    expect(sde.sigma(0)).toBeCloseTo(0.01, 15);
    expect(sde.sigma(1)).toBeCloseTo(50, 10);
    expect(sde.diffusion(0.5) ** 2).toBeCloseTo(sde.sigma(0.5) ** 2 * 2 * Math.log(5000), 10);
    expect(sde.marginal(0.5)).toEqual({ mean: 1, std: sde.sigma(0.5) });
    expect(sde.eps).toBe(1e-5);
    expect(sde.trainEps).toBe(1e-5);
    expect(sde.priorStd).toBe(50);
  });

  it('VP: m(t) = exp(-t^2 (b1 - b0) / 4 - t b0 / 2), s = sqrt(1 - m^2); sub-VP s = 1 - m^2 and g^2 = beta (1 - exp(-2 B))', () => {
    const vp = vpSde({ betaMin: 0.1, betaMax: 20 });
    const sub = subVpSde({ betaMin: 0.1, betaMax: 20 });
    for (const t of [0.001, 0.2, 1]) {
      const m = Math.exp(-0.25 * t * t * 19.9 - 0.05 * t);
      expect(vp.marginal(t).mean).toBeCloseTo(m, 14);
      expect(vp.marginal(t).std).toBeCloseTo(Math.sqrt(1 - m * m), 12);
      expect(sub.marginal(t).mean).toBeCloseTo(m, 14);
      expect(sub.marginal(t).std).toBeCloseTo(1 - m * m, 12);
      const beta = 0.1 + 19.9 * t;
      expect(vp.beta(t)).toBeCloseTo(beta, 14);
      expect(vp.diffusion(t)).toBeCloseTo(Math.sqrt(beta), 14);
      expect(sub.diffusion(t) ** 2).toBeCloseTo(beta * (1 - m ** 4), 12);
      expect(vp.driftCoefficient(t)).toBeCloseTo(-beta / 2, 14);
    }
    // score_sde: sampling eps 1e-3, training and likelihood eps 1e-5.
    expect([vp.eps, vp.trainEps, sub.eps, sub.trainEps]).toEqual([1e-3, 1e-5, 1e-3, 1e-5]);
    expect(sub.priorStd).toBe(1);
    // VP discretize is DDPM's step with beta_i = 1 - r^2, which is beta(t) dt to first order.
    const x = tf.ones([1, 1]) as tf.Tensor2D;
    const { f, G } = vp.discretize(x, 0.5, 1e-3);
    expect(Math.abs(G * G - vp.beta(0.5) * 1e-3)).toBeLessThan(1e-3 * vp.beta(0.5) * 1e-3 * 10);
    expect(Math.abs(f.dataSync()[0] - (Math.sqrt(1 - G * G) - 1))).toBeLessThan(1e-7);
    tf.dispose([x, f]);
  });

  it('oneMinusExpTensor is accurate where 1 - exp(u) cancels in float32', () => {
    const u = [-1e-9, -1e-6, -1e-4, -9e-3, -1.1e-2, -0.5, -20];
    const got = oneMinusExpTensor(tf.tensor1d(u)).dataSync();
    u.forEach((v, i) => expect(Math.abs(got[i] / -Math.expm1(v) - 1)).toBeLessThan(1e-6));
  });

  it('sdeFromSpec builds each kind and validates', () => {
    // A resolved sde section always has eps and trainEps; the config's defaults are the SDEs' own (sampling:
    // 1e-5 for VE, 1e-3 otherwise; training and likelihood: 1e-5).
    expect(sdeFromSpec(SdeSchema.parse({ kind: 've', sigmaMin: 0.1, sigmaMax: 20 }))).toMatchObject({ kind: 've', sigmaMin: 0.1, sigmaMax: 20, eps: 1e-5, trainEps: 1e-5 });
    expect(sdeFromSpec({ kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 1e-4, trainEps: 2e-5 })).toMatchObject({ kind: 'vp', eps: 1e-4, trainEps: 2e-5 });
    expect(sdeFromSpec(SdeSchema.parse({ kind: 'subvp', betaMin: 0.1, betaMax: 20 }))).toMatchObject({ kind: 'subvp', eps: 1e-3, trainEps: 1e-5 });
    expect(() => sdeFromSpec({ kind: 've', sigmaMin: 1, sigmaMax: 0.5, eps: 1e-5, trainEps: 1e-5 })).toThrow(/sigmaMin < sigmaMax/);
    expect(() => sdeFromSpec({ kind: 'vp', betaMin: 0, betaMax: 20, eps: 1e-3, trainEps: 1e-5 })).toThrow(/betaMin/);
    expect(() => sdeFromSpec({ kind: 'subvp', betaMin: 0.1, betaMax: 20, eps: 0, trainEps: 1e-5 })).toThrow(/: eps must be/);
    expect(() => sdeFromSpec({ kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 1e-3, trainEps: 1 })).toThrow(/trainEps must be in \(0, 1\), got 1/);
  });
});
