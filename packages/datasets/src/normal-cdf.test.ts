import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { logErfcRef, logPhiDifferenceRef } from './float64-reference';
import { log1mExp, logErfc, logNormalCdfDifference, normalInterval } from './normal-cdf';

beforeAll(async () => {
  await selectBackend('wasm');
});

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

describe('Float64 reference erfc', () => {
  it('matches tabulated values to 1e-13', () => {
    const table: [number, number][] = [
      [0.1, 0.8875370839817151],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [5, 1.5374597944280349e-12],
      [10, 2.088487583762545e-45],
    ];
    for (const [x, v] of table) expect(Math.abs(logErfcRef(x) - Math.log(v))).toBeLessThan(1e-13);
  });
});

describe('logErfc', () => {
  it('has the relative accuracy of the fit (1.2e-7) plus float32 rounding of t^2', () => {
    const t = Array.from({ length: 400 }, (_, i) => i * 0.05); // 0 .. 20
    const got = tf.tidy(() => logErfc(tf.tensor1d(t)).arraySync() as number[]);
    // ~10 float32 ops on values of size max(1, t^2): a few 1e-7 * max(1, t^2).
    t.forEach((ti, i) => expect(Math.abs(got[i] - logErfcRef(ti))).toBeLessThan(1e-6 * Math.max(1, ti * ti)));
  });
});

describe('log1mExp', () => {
  it('equals log(1 - e^a) in both regimes and stays finite at a = 0', () => {
    const a = [-1e-6, -1e-3, -0.1, -0.69, -0.7, -1, -5, -30, -200];
    const got = tf.tidy(() => log1mExp(tf.tensor1d(a)).arraySync() as number[]);
    a.forEach((ai, i) => {
      const ref = Math.log(-Math.expm1(ai));
      expect(Math.abs(got[i] - ref)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref)));
    });
    expect(Number.isFinite(tf.tidy(() => (log1mExp(tf.tensor1d([0])).arraySync() as number[])[0]))).toBe(true);
  });
});

describe('normalInterval', () => {
  // Intervals [c - w/2, c + w/2], float32-exact ends, covering both tails, the middle, narrow and wide.
  const cases: [number, number][] = [];
  for (const c of [-600, -40, -8, -3, -1, -0.2, 0, 0.3, 1.5, 4, 9, 50, 700]) {
    for (const w of [0.01, 0.5, 1, 5, 100]) cases.push([Math.fround(c - w / 2), Math.fround(c + w / 2)]);
  }
  const lower = () => tf.tensor1d(cases.map((c) => c[0]));
  const upper = () => tf.tensor1d(cases.map((c) => c[1]));

  it('log F matches the Float64 reference to float32 relative accuracy in both tails', () => {
    const got = tf.tidy(() => logNormalCdfDifference(lower(), upper()).arraySync() as number[]);
    cases.forEach(([l, u], i) => {
      const ref = logPhiDifferenceRef(l, u);
      // ~1e-7 relative on terms of size max(l^2, u^2)/2, plus the fit's 1.2e-7; narrow intervals
      // (width 0.01) lose a factor 1/width in log(1 - Phi(l)/Phi(u)).
      const tol = 1e-6 * Math.max(1, Math.abs(ref)) + 1e-7 / Math.min(1, u - l);
      expect(Math.abs(got[i] - ref), `[${l}, ${u}]`).toBeLessThan(tol);
    });
  });

  it('the ratios phi(u)/F and phi(l)/F match the Float64 reference without z^2-sized errors', () => {
    const [ru, rl] = tf.tidy(() => {
      const r = normalInterval(lower(), upper());
      return [tf.exp(r.logRatioUpper).arraySync() as number[], tf.exp(r.logRatioLower).arraySync() as number[]];
    });
    cases.forEach(([l, u], i) => {
      const logF = logPhiDifferenceRef(l, u);
      const refU = Math.exp(-0.5 * u * u - LOG_SQRT_2PI - logF);
      const refL = Math.exp(-0.5 * l * l - LOG_SQRT_2PI - logF);
      // Relative 1e-5 (float32 plus the fit); narrow intervals again lose 1/width.
      const tol = (r: number) => 1e-30 + (1e-5 + 2e-7 / Math.min(1, u - l)) * r;
      expect(Math.abs(ru[i] - refU), `phi(u)/F on [${l}, ${u}]`).toBeLessThan(tol(refU));
      expect(Math.abs(rl[i] - refL), `phi(l)/F on [${l}, ${u}]`).toBeLessThan(tol(refL));
    });
  });

  it('tf.grad of log F is finite and equals (phi(u)/F, -phi(l)/F)', () => {
    const l = lower();
    const u = upper();
    const [gl, gu] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(logNormalCdfDifference(a, b)))([l, u]);
    const gL = gl.arraySync() as number[];
    const gU = gu.arraySync() as number[];
    cases.forEach(([lo, hi], i) => {
      const logF = logPhiDifferenceRef(lo, hi);
      const refU = Math.exp(-0.5 * hi * hi - LOG_SQRT_2PI - logF);
      const refL = -Math.exp(-0.5 * lo * lo - LOG_SQRT_2PI - logF);
      // Backprop through -t^2 + log erfcx(t) is accurate to ~1e-6 relative; narrow intervals lose 1/width.
      const tol = (r: number) => 1e-6 + (1e-5 + 2e-6 / Math.min(1, hi - lo)) * Math.abs(r);
      expect(Math.abs(gU[i] - refU), `d/du [${lo}, ${hi}]`).toBeLessThan(tol(refU));
      expect(Math.abs(gL[i] - refL), `d/dl [${lo}, ${hi}]`).toBeLessThan(tol(refL));
    });
    tf.dispose([l, u, gl, gu]);
  });
});
