import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { Rng } from './rng';

const N = 200_000;

function moments(xs: ArrayLike<number>) {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  let k = 0;
  for (let i = 0; i < xs.length; i++) {
    v += (xs[i] - m) ** 2;
    k += (xs[i] - m) ** 4;
  }
  v /= xs.length;
  k /= xs.length;
  return { mean: m, variance: v, kurtosis: k / (v * v) };
}

describe('Rng', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('same seed, same numbers; different seeds, different numbers', () => {
    const a = new Rng(42).normalArray(100);
    const b = new Rng(42).normalArray(100);
    const c = new Rng(43).normalArray(100);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(new Rng(7).normalTensor([3, 4]).dataSync())).toEqual(Array.from(new Rng(7).normalTensor([3, 4]).dataSync()));
  });

  it('uniform has mean 1/2 and variance 1/12', () => {
    const m = moments(new Rng(1).uniformArray(N));
    // standard errors: sqrt(1/12/N) = 6.5e-4 for the mean; 4 SE tolerance.
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / N));
    // var of the sample variance of U(0,1): (1/80 - 1/144)/N -> SE 1.7e-4.
    expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(4 * Math.sqrt((1 / 80 - 1 / 144) / N));
  });

  it('normal has mean 0, variance 1 and kurtosis 3', () => {
    const m = moments(new Rng(2).normalArray(N));
    expect(Math.abs(m.mean)).toBeLessThan(4 / Math.sqrt(N));
    expect(Math.abs(m.variance - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    // SE of the sample kurtosis of a normal is sqrt(24/N) ~ 0.011.
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(4 * Math.sqrt(24 / N));
  });

  it('normal tails match the Gaussian: P(|z| > 2) = 0.0455', () => {
    const xs = new Rng(3).normalArray(N);
    let c = 0;
    for (const x of xs) if (Math.abs(x) > 2) c++;
    const p = 0.0455;
    expect(Math.abs(c / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
  });

  it('rademacher entries are +-1 with mean 0; sphere rows have norm sqrt(D) and identity second moment', () => {
    const r = new Rng(4).rademacherTensor([N]).dataSync();
    expect(r.every((v) => v === 1 || v === -1)).toBe(true);
    expect(Math.abs(moments(r).mean)).toBeLessThan(4 / Math.sqrt(N));
    const d = 3;
    const n = 50_000;
    const s = new Rng(5).sphereTensor(n, d);
    const norms = tf.norm(s, 2, 1).dataSync();
    for (const v of norms) expect(v).toBeCloseTo(Math.sqrt(d), 4);
    const second = tf.div(tf.matMul(s, s, true, false), n).arraySync() as number[][];
    // Entries of v v^T are bounded by D, so 4 SE < 4 * 3 / sqrt(n) = 0.054.
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(Math.abs(second[i][j] - (i === j ? 1 : 0))).toBeLessThan(0.054);
  });

  it('split streams are independent of each other (correlation ~ 0)', () => {
    const parent = new Rng(9);
    const a = parent.split().normalArray(N);
    const b = parent.split().normalArray(N);
    let c = 0;
    for (let i = 0; i < N; i++) c += a[i] * b[i];
    expect(Math.abs(c / N)).toBeLessThan(4 / Math.sqrt(N));
  });

  it('categorical follows the weights and int stays in range', () => {
    const rng = new Rng(11);
    const counts = [0, 0, 0];
    const w = [0.2, 0.5, 0.3];
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[rng.categorical(w)]++;
    w.forEach((p, k) => expect(Math.abs(counts[k] / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n)));
    for (let i = 0; i < 1000; i++) {
      const k = rng.int(7);
      expect(k >= 0 && k < 7 && Number.isInteger(k)).toBe(true);
    }
  });

  it('state() and restore() continue a stream exactly, including a cached normal', () => {
    for (const draws of [0, 1, 2, 7]) {
      const a = new Rng(5);
      for (let i = 0; i < draws; i++) a.normal(); // an odd count leaves a spare normal cached
      const saved = a.state();
      const expected = [a.normal(), a.uniform(), a.nextUint32(), a.normal()];
      const b = new Rng(999);
      b.normal(); // b's own spare must not leak into the restored stream
      b.restore(saved);
      expect([b.normal(), b.uniform(), b.nextUint32(), b.normal()]).toEqual(expected);
    }
    const state = new Rng(1).state();
    // A copy that survives JSON (a checkpoint), and the restored stream is independent of the original.
    const copy = JSON.parse(JSON.stringify(state));
    const c = new Rng(2);
    c.restore(copy);
    expect(c.uniform()).toBe(new Rng(1).uniform());
    expect(() => c.restore({ words: [0, 0, 0, 0], spareNormal: null })).toThrow(/all-zero/);
    expect(() => c.restore({ words: [1, 2, 3, 2 ** 32], spareNormal: null })).toThrow(/32-bit/);
  });
});
