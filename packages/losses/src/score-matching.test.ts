import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreMatching } from './score-matching';
import {
  addMat,
  dot,
  gaussian,
  inverse,
  linearScore,
  type Mat,
  matMul,
  matVec,
  mean,
  outer,
  randomMatrix,
  sampleGaussian,
  trace,
  transpose,
  variance,
} from './gaussian-fixture';

beforeAll(async () => {
  await selectBackend('wasm');
});

// Linear score s(x) = -A x + b on Gaussian data x ~ N(mu, Sigma): J = -A, so the per-sample sm
// term is -tr(A) + 1/2 ||b - A x||^2, and its expectation is
//   -tr(A) + 1/2 [tr(A^T A (Sigma + mu mu^T)) - 2 b^T A mu + ||b||^2].
const smTerm = (a: Mat, b: number[], x: number[]) => {
  const s = matVec(a, x).map((v, i) => b[i] - v);
  return -trace(a) + 0.5 * dot(s, s);
};

const smClosedForm = (a: Mat, b: number[], mu: number[], sigma: Mat) => {
  const second = addMat(sigma, outer(mu, mu));
  return -trace(a) + 0.5 * (trace(matMul(matMul(transpose(a), a), second)) - 2 * dot(b, matVec(a, mu)) + dot(b, b));
};

const lossValue = (loss: ReturnType<typeof scoreMatching>, score: Parameters<typeof loss>[0], x: tf.Tensor2D) =>
  tf.tidy(() => loss(score, x, new Rng(0)).dataSync()[0]);

describe.each([2, 3] as const)('exact score matching, D = %i', (d) => {
  const g = gaussian(d);
  const paramRng = new Rng(100 + d);
  // Three linear models: two generic ones and the true score (A = Sigma^{-1}, b = Sigma^{-1} mu).
  const precision = inverse(g.sigma);
  const models: { a: Mat; b: number[] }[] = [
    { a: randomMatrix(paramRng, d, 1, 0.5), b: g.mu.map(() => paramRng.normal()) },
    { a: randomMatrix(paramRng, d, 0.3, 0.8), b: g.mu.map(() => 2 * paramRng.normal()) },
    { a: precision, b: matVec(precision, g.mu) },
  ];

  it('equals the per-sample average on the batch (both Jacobian modes) and the closed form', () => {
    const n = 4000;
    const rows = sampleGaussian(g, n, new Rng(10 + d));
    const x = tf.tensor2d(rows);
    for (const { a, b } of models) {
      const terms = rows.map((r) => smTerm(a, b, r));
      const batchMean = mean(terms);
      const scale = mean(terms.map(Math.abs));
      const score = linearScore(a, b);
      const forward = lossValue(scoreMatching(), score.tangent, x);
      const backprop = lossValue(scoreMatching(), score.plain, x);
      const backpropForced = lossValue(scoreMatching({ jacobian: 'backprop' }), score.tangent, x);
      score.dispose();
      // float32 sums over a few thousand terms: relative error ~1e-6.
      for (const v of [forward, backprop, backpropForced]) expect(Math.abs(v - batchMean)).toBeLessThan(2e-5 * scale);
      // Against the population value: 4 standard errors of the batch mean.
      const se = Math.sqrt(variance(terms) / n);
      expect(Math.abs(forward - smClosedForm(a, b, g.mu, g.sigma))).toBeLessThan(4 * se);
    }
    x.dispose();
  });

  it('differs from the Fisher divergence by the same constant -1/2 tr(Sigma^{-1}) for every (A, b)', () => {
    // Hyvarinen: sm = 1/2 E||s - grad log p||^2 - 1/2 E||grad log p||^2, and for a Gaussian
    // E||grad log p||^2 = E||Sigma^{-1}(x - mu)||^2 = tr(Sigma^{-1}). On a finite batch the
    // identity holds up to the sampling error of the per-sample difference sm_n - fisher_n.
    const n = 20000;
    const rows = sampleGaussian(g, n, new Rng(20 + d));
    const x = tf.tensor2d(rows);
    const constant = -0.5 * trace(precision);
    const fishers: number[] = [];
    let maxTol = 0;
    for (const { a, b } of models) {
      const fisherTerms = rows.map((r) => {
        const s = matVec(a, r).map((v, i) => b[i] - v);
        const gradLogP = matVec(precision, r.map((v, i) => v - g.mu[i])).map((v) => -v);
        const diff = s.map((v, i) => v - gradLogP[i]);
        return 0.5 * dot(diff, diff);
      });
      const diffs = rows.map((r, i) => smTerm(a, b, r) - fisherTerms[i]);
      const score = linearScore(a, b);
      const sm = lossValue(scoreMatching(), score.tangent, x);
      score.dispose();
      const fisher = mean(fisherTerms);
      const tol = 4 * Math.sqrt(variance(diffs) / n) + 1e-5 * (1 + Math.abs(sm));
      maxTol = Math.max(maxTol, tol);
      expect(Math.abs(sm - fisher - constant)).toBeLessThan(tol);
      fishers.push(fisher);
    }
    // The three models are far apart in Fisher divergence (the last one has ~0), so a loss that
    // were off by an (A, b)-dependent amount would not pass by accident.
    expect(Math.max(...fishers) - Math.min(...fishers)).toBeGreaterThan(20 * maxTol);
    expect(fishers[2]).toBeLessThan(0.01);
    x.dispose();
  });
});
