import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, selectBackend, type EnergyFn, type ScoreFn } from '@scorelab/core';
import type { NegativesSpec } from '@scorelab/config';
import { ContrastiveDivergence, contrastiveDivergenceSurrogate, type EnergyModel } from './contrastive-divergence';
import { inverse, matMul, transpose, type Mat } from './gaussian-fixture';
import { shortRunLangevin } from './short-run-langevin';

beforeAll(async () => {
  await selectBackend('wasm');
});

/**
 * A Gaussian energy E(x) = 1/2 (x - mu)^T A (x - mu), A = L L^T, with trainable mu [D] and L [D, D]:
 * p_theta = N(mu, A^-1), log Z = D/2 log 2 pi - 1/2 log det A, so the exact maximum-likelihood gradient is
 *   d NLL / d mu = -A (mean(x+) - mu),   d NLL / d A = 1/2 mean (x+ - mu)(x+ - mu)^T - 1/2 A^-1.
 */
function gaussianEnergy(mu0: number[], l0: Mat) {
  const mu = tf.variable(tf.tensor1d(mu0));
  const L = tf.variable(tf.tensor2d(l0));
  const A = () => tf.matMul(L, L, false, true) as tf.Tensor2D;
  const energy: EnergyFn = (x) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(tf.matMul(tf.sub(x, mu), A()), tf.sub(x, mu)), 1)) as tf.Tensor1D);
  const score: ScoreFn = (x) => tf.tidy(() => tf.neg(tf.matMul(tf.sub(x, mu), A())) as tf.Tensor2D);
  /** n exact samples of p_theta: mu + L^-T z. */
  const sample = (n: number, rng: Rng) =>
    tf.tidy(() => {
      const lInvT = tf.tensor2d(transpose(inverse(L.arraySync() as Mat)));
      return tf.add(mu, tf.matMul(rng.normalTensor([n, mu0.length]) as tf.Tensor2D, lInvT, false, true)) as tf.Tensor2D;
    });
  const model: EnergyModel = { energy, score };
  return { mu, L, A, model, sample, dispose: () => tf.dispose([mu, L]) };
}

/** Data from N(m, S), S = C C^T. */
const M = [1, -0.5];
const C: Mat = [
  [1.2, 0],
  [0.5, 0.6],
];
const S = matMul(C, transpose(C));
const data = (n: number, rng: Rng) => tf.tidy(() => tf.add(tf.tensor1d(M), tf.matMul(rng.normalTensor([n, 2]) as tf.Tensor2D, tf.tensor2d(C), false, true)) as tf.Tensor2D);

describe('loss ml: the contrastive-divergence surrogate has the maximum-likelihood gradient', () => {
  it('with exact negatives of the model, its gradient in mu and A equals the exact ML gradient within 4 Monte-Carlo standard errors', () => {
    const g = gaussianEnergy([0.3, 0.2], [
      [1.1, 0],
      [0.4, 0.8],
    ]);
    const rng = new Rng(21);
    const nNeg = 20000;
    const xPos = data(500, rng);
    const xNeg = g.sample(nNeg, rng);
    // The surrogate's gradient in A: differentiate w.r.t. a variable A directly (E is linear in A).
    const Av = tf.variable(g.A());
    const muV = g.mu;
    const energyA: EnergyFn = (x) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(tf.matMul(tf.sub(x, muV), Av), tf.sub(x, muV)), 1)) as tf.Tensor1D);
    const { grads, value } = tf.variableGrads(() => contrastiveDivergenceSurrogate(energyA, xPos, xNeg, 0).loss, [muV, Av]);
    const a = Av.arraySync() as Mat;
    const aInv = inverse(a);
    const mu = muV.arraySync() as number[];
    const pos = xPos.arraySync() as number[][];
    const mPos = [0, 1].map((j) => pos.reduce((acc, r) => acc + r[j], 0) / pos.length);
    const cPos = [0, 1].map((i) => [0, 1].map((j) => pos.reduce((acc, r) => acc + (r[i] - mu[i]) * (r[j] - mu[j]), 0) / pos.length));
    const exactMu = [0, 1].map((i) => -[0, 1].reduce((acc, j) => acc + a[i][j] * (mPos[j] - mu[j]), 0));
    const exactA = [0, 1].map((i) => [0, 1].map((j) => 0.5 * cPos[i][j] - 0.5 * aInv[i][j]));
    const gMu = grads[muV.name].arraySync() as number[];
    const gA = grads[Av.name].arraySync() as number[][];
    // Only the negatives are random given the batch: d/dmu = A mean(x- - mu) has covariance A A^-1 A / n = A / n;
    // d/dA_ij = -1/2 mean (x- - mu)_i (x- - mu)_j has variance (S_ii S_jj + S_ij^2) / (4 n), S = A^-1.
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(gMu[i] - exactMu[i])).toBeLessThan(4 * Math.sqrt(a[i][i] / nNeg));
      for (let j = 0; j < 2; j++) expect(Math.abs(gA[i][j] - exactA[i][j])).toBeLessThan(4 * Math.sqrt((aInv[i][i] * aInv[j][j] + aInv[i][j] ** 2) / (4 * nNeg)));
    }
    // And it is a real gradient, not zero: the model is far from the data.
    expect(Math.hypot(...exactMu)).toBeGreaterThan(0.3);
    tf.dispose([xPos, xNeg, Av, value, ...Object.values(grads)]);
    g.dispose();
  });

  it('ML training with exact negatives recovers mu and A^-1 (the data mean and covariance) within 3 standard errors', () => {
    const g = gaussianEnergy([0, 0], [
      [1, 0],
      [0, 1],
    ]);
    const rng = new Rng(5);
    const n = 4000;
    const x = data(n, rng);
    const opt = tf.train.adam(0.02);
    const steps = 1500;
    const avgFrom = 1000;
    const sumMu = [0, 0];
    const sumCov = [
      [0, 0],
      [0, 0],
    ];
    for (let step = 0; step < steps; step++) {
      const xNeg = g.sample(n, rng);
      opt.minimize(() => contrastiveDivergenceSurrogate(g.model.energy, x, xNeg, 0).loss, false, [g.mu, g.L]);
      xNeg.dispose();
      if (step >= avgFrom) {
        // Polyak averages of mu and A^-1 over the last steps (the negatives' noise averages out).
        const mu = g.mu.arraySync() as number[];
        const cov = inverse(tf.tidy(() => g.A().arraySync()) as Mat);
        for (let i = 0; i < 2; i++) {
          sumMu[i] += mu[i];
          for (let j = 0; j < 2; j++) sumCov[i][j] += cov[i][j];
        }
      }
    }
    const k = steps - avgFrom;
    // The MLE's standard errors on n points: se(mu_i) = sqrt(S_ii / n), se(S_ij) = sqrt((S_ii S_jj + S_ij^2) / n);
    // the averaged iterate adds the negatives' noise, of the same order: 3 sqrt(2) se.
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(sumMu[i] / k - M[i])).toBeLessThan(3 * Math.SQRT2 * Math.sqrt(S[i][i] / n));
      for (let j = 0; j < 2; j++) expect(Math.abs(sumCov[i][j] / k - S[i][j])).toBeLessThan(3 * Math.SQRT2 * Math.sqrt((S[i][i] * S[j][j] + S[i][j] ** 2) / n));
    }
    x.dispose();
    opt.dispose();
    g.dispose();
  });

  it('alpha adds alpha (mean E(x+)^2 + mean E(x-)^2)', () => {
    const energy: EnergyFn = (x) => tf.sum(x, 1) as tf.Tensor1D;
    tf.tidy(() => {
      const pos = tf.tensor2d([[1, 2], [3, 0]]);
      const neg = tf.tensor2d([[0, 1], [-1, 0]]);
      // E+ = [3, 3], E- = [1, -1]: gap 3 - 0; mean squares 9 and 1.
      const t = contrastiveDivergenceSurrogate(energy, pos, neg, 0.5);
      expect(t.energyPos.dataSync()[0]).toBeCloseTo(3, 6);
      expect(t.energyNeg.dataSync()[0]).toBeCloseTo(0, 6);
      expect(t.loss.dataSync()[0]).toBeCloseTo(3 + 0.5 * (9 + 1), 5);
    });
  });
});

describe('short-run Langevin negatives', () => {
  it("reach the unadjusted Langevin chain's stationary variance 1 / (a_i (1 - h a_i / 2)) on a Gaussian energy", () => {
    // E = 1/2 sum_i a_i x_i^2: x <- (1 - h a) x + sqrt(2h) z has stationary variance 2h / (1 - (1 - h a)^2).
    const a = [1, 4];
    const h = 0.05;
    const score: ScoreFn = (x) => tf.tidy(() => tf.neg(tf.mul(x, tf.tensor1d(a))) as tf.Tensor2D);
    const n = 8000;
    const x0 = tf.zeros([n, 2]) as tf.Tensor2D;
    const out = shortRunLangevin(score, x0, { steps: 150, stepSize: h, noiseScale: 1 }, new Rng(2));
    const v = tf.tidy(() => tf.moments(out, 0).variance.arraySync() as number[]);
    // After 150 steps the start is forgotten ((1 - h a)^150 < 1e-3); se of a sample variance: var sqrt(2 / n).
    a.forEach((ai, i) => {
      const want = 1 / (ai * (1 - (h * ai) / 2));
      expect(Math.abs(v[i] - want)).toBeLessThan(4 * want * Math.sqrt(2 / n));
    });
    // A stop-gradient: the chain's result has no path back to the weights of the score that moved it (tfjs refuses).
    const w = tf.variable(tf.tensor1d([1, 1]));
    expect(() => tf.variableGrads(() => tf.sum(shortRunLangevin((x) => tf.mul(x, w) as tf.Tensor2D, x0, { steps: 2, stepSize: h, noiseScale: 1 }, new Rng(1))) as tf.Scalar, [w])).toThrow(/Cannot find a connection/);
    tf.dispose([x0, out, w]);
  });
});

describe('ContrastiveDivergence negatives', () => {
  const spec = (init: NegativesSpec['init']): NegativesSpec => ({ init, steps: 3, stepSize: 0.1, noiseScale: 1, bufferSize: 50, reinit: 0.2 });
  const model: EnergyModel = {
    energy: (x) => tf.mul(0.5, tf.sum(tf.square(x), 1)) as tf.Tensor1D,
    score: (x) => tf.neg(x) as tf.Tensor2D,
  };
  const box = { low: [-3, -1], high: [3, 1] };

  it('data (CD-k) starts at the batch, noise on the box: same seed, same negatives, and noise starts differ from data starts', () => {
    tf.tidy(() => {
      const xPos = tf.tensor2d([[5, 5], [5, -5], [-5, 5], [-5, -5]]);
      const cdData = new ContrastiveDivergence({ negatives: spec('data'), alpha: 0, box }, 2);
      const a = cdData.negatives(model, xPos, new Rng(1)).arraySync();
      // 3 steps of x <- 0.8 x + noise from |x| = 5: still near 0.8^3 * 5 = 2.56 in every coordinate.
      a.forEach((r) => r.forEach((v) => expect(Math.abs(v)).toBeGreaterThan(0.5)));
      expect(cdData.negatives(model, xPos, new Rng(1)).arraySync()).toEqual(a);
      const cdNoise = new ContrastiveDivergence({ negatives: spec('noise'), alpha: 0, box }, 2);
      const b = cdNoise.negatives(model, xPos, new Rng(1)).arraySync();
      expect(b).not.toEqual(a);
      expect(cdData.bufferState()).toBeNull();
    });
  });

  it('persistent (PCD) writes the chains back to the buffer, and a restored buffer and stream continue identically', () => {
    const cd = new ContrastiveDivergence({ negatives: spec('persistent'), alpha: 0, box }, 2);
    const rng = new Rng(9);
    const xPos = tf.zeros([8, 2]) as tf.Tensor2D;
    expect(cd.bufferState()).toBeNull();
    tf.dispose(cd.negatives(model, xPos, rng));
    const buf = cd.bufferState()!;
    expect(buf.length).toBe(100);
    // The fill is uniform on the box.
    for (let i = 0; i < 50; i++) expect(Math.abs(buf[2 * i + 1])).toBeLessThanOrEqual(3);
    const rngState = rng.state();
    const next = cd.negatives(model, xPos, rng);
    const after = cd.bufferState()!;
    // Some slots changed (the chains' end points were written back), most did not.
    let changed = 0;
    for (let i = 0; i < 100; i++) if (after[i] !== buf[i]) changed++;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(16);
    const resumed = new ContrastiveDivergence({ negatives: spec('persistent'), alpha: 0, box }, 2);
    resumed.restoreBuffer(buf);
    const rng2 = new Rng(0);
    rng2.restore(rngState);
    const again = resumed.negatives(model, xPos, rng2);
    expect(again.arraySync()).toEqual(next.arraySync());
    expect(Array.from(resumed.bufferState()!)).toEqual(Array.from(after));
    expect(() => new ContrastiveDivergence({ negatives: spec('data'), alpha: 0, box }, 2).restoreBuffer(buf)).toThrow(/no replay buffer/);
    tf.dispose([xPos, next, again]);
  });
});
