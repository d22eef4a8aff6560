import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from './create-dataset';
import { checkerboardLogDensityRef } from './float64-reference';
import { integrateOnGrid, rowsOf, scoreVsAutodiff } from './test-helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe.each([1, 1.5])('checkerboard, scale %d', (s) => {
  const spec = { kind: 'checkerboard' as const, scale: s };

  /** Grid of points covering [-6s, 6s]^2 (including square edges and far corners), float32-exact. */
  function gridPoints(step: number): tf.Tensor2D {
    const pts: number[][] = [];
    for (let a = -6; a <= 6 + 1e-9; a += step) for (let b = -6; b <= 6 + 1e-9; b += step) pts.push([Math.fround(a * s), Math.fround(b * s)]);
    return tf.tensor2d(pts);
  }

  it('has no mixture and is 2-D', () => {
    const ds = createDataset(spec);
    expect(ds.mixture).toBeUndefined();
    expect(ds.dim).toBe(2);
  });

  it('perturbed logDensity equals the Float64 closed form on [-6s, 6s]^2 for sigma from 0.01s to 3s', () => {
    const ds = createDataset(spec);
    const x = gridPoints(0.7);
    const points = rowsOf(x);
    for (const sigma of [0.01 * s, 0.1 * s, 0.5 * s, 3 * s]) {
      const got = tf.tidy(() => ds.logDensity(x, sigma).arraySync());
      got.forEach((v, i) => {
        const ref = checkerboardLogDensityRef(points[i], s, Math.fround(sigma));
        // float32: (a - x)/sigma carries relative 1e-7, which moves log p by ~1e-7 |log p|; the erfc
        // fit adds 1.2e-7. Tolerance 2e-6 (1 + |log p|).
        expect(Math.abs(v - ref), `x = ${points[i]}, sigma = ${sigma}`).toBeLessThan(2e-6 * (1 + Math.abs(ref)));
      });
    }
    x.dispose();
  });

  it('score equals tf.grad of logDensity for scalar and per-row sigma on [-6s, 6s]^2', () => {
    const ds = createDataset(spec);
    const x = gridPoints(0.45);
    const rng = new Rng(31);
    const sigmaRows = tf.tensor1d(rng.uniformArray(x.shape[0], 0.01 * s, 3 * s));
    // Two float32 op sequences for the same numbers (measured < 1e-5 of 1 + |score|); a wrong
    // factor, sign or sigma would be O(1).
    for (const sigma of [0.01 * s, 0.1 * s, 0.5 * s, 3 * s]) expect(scoreVsAutodiff(ds, x, sigma), `sigma ${sigma}`).toBeLessThan(5e-5);
    expect(scoreVsAutodiff(ds, x, sigmaRows)).toBeLessThan(5e-5);
    tf.dispose([x, sigmaRows]);
  });

  it('stays finite and points back to the board far away', () => {
    const ds = createDataset(spec);
    const x = tf.tensor2d([
      [50, 50],
      [-60 * s, 7 * s],
    ]);
    for (const sigma of [0.01 * s, 0.5 * s]) {
      const [lp, sc] = tf.tidy(() => [ds.logDensity(x, sigma).arraySync(), ds.score(x, sigma).arraySync()]);
      expect(lp.every(Number.isFinite)).toBe(true);
      // Far away a Gaussian tail: score ~ -(x - nearest point of the board) / sigma^2 (to leading order).
      expect(sc[0][0]).toBeCloseTo(-(50 - 2 * s) / sigma ** 2, -Math.log10((50 / sigma ** 2) * 1e-3));
      expect(sc[1][0]).toBeGreaterThan(0);
    }
    x.dispose();
  });

  it('clean: -log(8 s^2) on dark squares, -Infinity elsewhere, score 0; rows with sigma 0 are clean', () => {
    const ds = createDataset(spec);
    // Centres of dark (0,0), (1,1), (3,3) and light (0,1), (2,1) squares, then outside the board.
    const centre = (i: number, j: number) => [(i - 1.5) * s, (j - 1.5) * s];
    const x = tf.tensor2d([centre(0, 0), centre(1, 1), centre(3, 3), centre(0, 1), centre(2, 1), [2.5 * s, 0]]);
    const [lp, sc, mixed] = tf.tidy(() => [ds.logDensity(x).arraySync(), ds.score(x).arraySync(), ds.logDensity(x, tf.tensor1d([0, 0.3, 0, 0, 0.3, 0])).arraySync()]);
    const inside = -Math.log(8 * s * s);
    expect(lp.slice(0, 3).map((v) => v - inside)).toEqual([expect.closeTo(0, 6), expect.closeTo(0, 6), expect.closeTo(0, 6)]);
    expect(lp.slice(3)).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(sc.flat().every((v) => v === 0)).toBe(true);
    expect(mixed[0]).toBeCloseTo(inside, 6);
    expect(mixed[3]).toBe(-Infinity);
    expect(mixed[1]).toBeCloseTo(checkerboardLogDensityRef(centre(1, 1), s, Math.fround(0.3)), 5);
    expect(mixed[4]).toBeCloseTo(checkerboardLogDensityRef(centre(2, 1), s, Math.fround(0.3)), 5);
    // Clean score 0 is also what autodiff gives inside the squares; per-row sigma with zeros too.
    const inner = tf.tensor2d([centre(0, 0), centre(1, 1)]);
    expect(scoreVsAutodiff(ds, inner)).toBe(0);
    const sigma = tf.tensor1d([0, 0.2 * s]);
    expect(scoreVsAutodiff(ds, inner, sigma)).toBeLessThan(5e-5);
    tf.dispose([x, inner, sigma]);
  });

  it('integrates to 1: clean (midpoint grid aligned with the squares) and at sigma = 0.5 s', () => {
    const ds = createDataset(spec);
    // Clean: the cells tile every square exactly, so the midpoint sum is exact up to float32 rounding.
    expect(Math.abs(integrateOnGrid(ds, -3 * s, 3 * s, 0.1 * s) - 1)).toBeLessThan(1e-5);
    // sigma = 0.5 s: p_sigma is a Gaussian-smoothed box; the midpoint rule's aliasing error is
    // ~exp(-2 pi^2 sigma^2 / h^2) (h = 0.1 s: e^-490) and [-6s, 6s]^2 leaves out the tail beyond 8 sigma (~1e-15).
    expect(Math.abs(integrateOnGrid(ds, -6 * s, 6 * s, 0.1 * s, 0.5 * s) - 1)).toBeLessThan(1e-5);
  });

  it('samples lie on dark squares, each square with frequency 1/8, uniform inside; same seed same samples', () => {
    const ds = createDataset(spec);
    const n = 16_000;
    const rows = rowsOf(tf.tidy(() => ds.sample(n, new Rng(32))));
    const counts = new Array<number>(16).fill(0);
    let fracSum = 0;
    const offBoard: number[][] = [];
    for (const [a, b] of rows) {
      const i = Math.floor(a / s + 2);
      const j = Math.floor(b / s + 2);
      if (!(i >= 0 && i < 4 && j >= 0 && j < 4 && (i + j) % 2 === 0)) offBoard.push([a, b]);
      else counts[4 * i + j]++;
      fracSum += a / s + 2 - i;
    }
    expect(offBoard).toEqual([]);
    // Multinomial: SE of each frequency sqrt(p (1 - p) / n) with p = 1/8; 4 SE.
    const se = Math.sqrt(((1 / 8) * (7 / 8)) / n);
    counts.forEach((c, k) => {
      const dark = (Math.floor(k / 4) + (k % 4)) % 2 === 0;
      expect(Math.abs(c / n - (dark ? 1 / 8 : 0))).toBeLessThan(dark ? 4 * se : 1e-12);
    });
    // Position inside a square: uniform, mean 1/2, SE sqrt(1/12 / n).
    expect(Math.abs(fracSum / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(rowsOf(tf.tidy(() => ds.sample(n, new Rng(32))))).toEqual(rows);
  });

  it('keeps the number of live tensors flat', () => {
    const ds = createDataset(spec);
    const x = tf.tensor2d([[0.3, -1.2]]);
    const sigma = tf.tensor1d([0.5]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose([ds.logDensity(x), ds.logDensity(x, 0.3), ds.score(x, 0.3), ds.score(x, sigma), ds.logDensity(x, sigma)]);
      tf.dispose(tf.grad((xx: tf.Tensor) => tf.sum(ds.logDensity(xx as tf.Tensor2D, sigma)))(x));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, sigma]);
  });
});
