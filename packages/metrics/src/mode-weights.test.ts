import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { type GaussianMixture, modeWeights } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Draw n samples of a 2-D mixture: component by weight, then mean + L z with L the 2x2 Cholesky factor. */
function drawMixture(mixture: GaussianMixture, n: number, rng: Rng): tf.Tensor2D {
  const out = new Float32Array(n * 2);
  for (let r = 0; r < n; r++) {
    const k = rng.categorical(mixture.weights);
    const [[a, b], [, c]] = mixture.covariances[k];
    const l11 = Math.sqrt(a);
    const l21 = b / l11;
    const l22 = Math.sqrt(c - l21 * l21);
    const z1 = rng.normal();
    const z2 = rng.normal();
    out[2 * r] = mixture.means[k][0] + l11 * z1;
    out[2 * r + 1] = mixture.means[k][1] + l21 * z1 + l22 * z2;
  }
  return tf.tensor2d(out, [n, 2]);
}

describe('modeWeights', () => {
  it('recovers the weights of a well-separated mixture within multinomial error', () => {
    // Means 20 apart with sds <= 2: a sample crosses to another component's region with probability
    // < 1e-6, so the fractions are multinomial: sd sqrt(w (1 - w) / n); 4 sd.
    const mixture: GaussianMixture = {
      weights: [0.2, 0.5, 0.3],
      means: [
        [0, 0],
        [20, 0],
        [0, 20],
      ],
      covariances: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [4, 1.5],
          [1.5, 1],
        ],
        [
          [0.5, 0],
          [0, 2],
        ],
      ],
    };
    const n = 20_000;
    const x = drawMixture(mixture, n, new Rng(1));
    const { fractions, tv } = modeWeights(x, mixture);
    fractions.forEach((f, k) => {
      const w = mixture.weights[k];
      expect(Math.abs(f - w)).toBeLessThan(4 * Math.sqrt((w * (1 - w)) / n));
    });
    expect(tv).toBeCloseTo(0.5 * fractions.reduce((a, f, k) => a + Math.abs(f - mixture.weights[k]), 0), 12);
    x.dispose();
  });

  it('assigns by posterior responsibility (covariance and weight), not Euclidean distance', () => {
    // A = N((0,0), I), B = N((0,6), diag(1, 25)). At (0, 2.5), A is nearer, but
    // log N_A = -3.125 < log N_B = -0.245 - log 5 = -1.854, so equal weights pick B; with weights
    // (0.9, 0.1) the log-weights (-0.105 vs -2.303) tip it back to A.
    const covariances = [
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 25],
      ],
    ];
    const means = [
      [0, 0],
      [0, 6],
    ];
    const x = tf.tensor2d([
      [0, 2.5],
      [0, 0],
      [0, 10],
      [0, 12],
    ]);
    const equal = modeWeights(x, { weights: [0.5, 0.5], means, covariances });
    expect(equal.fractions).toEqual([0.25, 0.75]);
    expect(equal.tv).toBeCloseTo(0.25, 12);
    // Unnormalised weights mean the same.
    expect(modeWeights(x, { weights: [2, 2], means, covariances })).toEqual(equal);
    const skewed = modeWeights(x, { weights: [0.9, 0.1], means, covariances });
    expect(skewed.fractions).toEqual([0.5, 0.5]);
    expect(skewed.tv).toBeCloseTo(0.4, 12);
    x.dispose();
  });

  it('agrees with an explicit 2x2 inverse on overlapping components with full covariances', () => {
    const mixture: GaussianMixture = {
      weights: [0.3, 0.7],
      means: [
        [0, 0],
        [1.5, 1],
      ],
      covariances: [
        [
          [2, 0.8],
          [0.8, 1],
        ],
        [
          [0.6, -0.3],
          [-0.3, 1.5],
        ],
      ],
    };
    const x = drawMixture(mixture, 2000, new Rng(2));
    const rows = x.arraySync();
    const logPost = (p: number[], k: number) => {
      const [[a, b], [, c]] = mixture.covariances[k];
      const det = a * c - b * b;
      const u = p[0] - mixture.means[k][0];
      const v = p[1] - mixture.means[k][1];
      return Math.log(mixture.weights[k]) - 0.5 * Math.log(det) - (0.5 * (c * u * u - 2 * b * u * v + a * v * v)) / det;
    };
    let first = 0;
    for (const p of rows) if (logPost(p, 0) > logPost(p, 1)) first++;
    const { fractions } = modeWeights(x, mixture);
    expect(fractions[0]).toBe(first / rows.length);
    expect(fractions[1]).toBe(1 - first / rows.length);
    // Overlap matters here: the assignment is not just the sampled component.
    expect(first / rows.length).toBeGreaterThan(0.05);
    x.dispose();
  });

  it('counts diverged (non-finite) rows in no component, and they raise tv', () => {
    const mixture: GaussianMixture = { weights: [0.5, 0.5], means: [[-5], [5]], covariances: [[[1]], [[1]]] };
    const x = tf.tensor2d([[-4], [6], [NaN], [Infinity]]);
    const r = modeWeights(x, mixture);
    expect(r.fractions).toEqual([0.25, 0.25]);
    expect(r.tv).toBeCloseTo(0.5 * (0.25 + 0.25 + 0.5), 12);
    x.dispose();
  });

  it('rejects malformed mixtures', () => {
    const x = tf.tensor2d([[0, 0]]);
    const base: GaussianMixture = { weights: [1], means: [[0, 0]], covariances: [[[1, 0], [0, 1]]] };
    expect(() => modeWeights(x, { ...base, covariances: [[[1, 2], [2, 1]]] })).toThrow(/positive definite/);
    expect(() => modeWeights(x, { ...base, means: [[0]] })).toThrow(/columns/);
    expect(() => modeWeights(x, { ...base, weights: [0] })).toThrow(/zero/);
    expect(() => modeWeights(x, { ...base, weights: [1, 1] })).toThrow(/one entry per component/);
    x.dispose();
  });
});
