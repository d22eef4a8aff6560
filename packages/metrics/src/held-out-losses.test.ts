import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CLEAN, evaluationPoints, levelsFamily, Rng, type ScoreFn, selectBackend } from '@scorelab/core';
import { heldOutDenoisingLoss, heldOutSlicedScoreMatching } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

const D = 4;
const N = 4000;
const MU = [1, -2, 0.5, 3];
const V = 0.8; // data variance: x_0 ~ N(MU, V I)

function heldOut(seed: number): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.mul(new Rng(seed).normalTensor([N, D]), Math.sqrt(V)), tf.tensor1d(MU)) as tf.Tensor2D);
}

/** s(x, sigma) = -c(sigma) (x - MU); c = 1 / (V + sigma^2) is the true score of the perturbed data. */
function linearScore(c: (sigma: number) => number): ScoreFn {
  return (x, cond) => {
    const sigma = cond ? cond.dataSync()[0] : 0;
    return tf.mul(tf.sub(x, tf.tensor1d(MU)), -c(sigma)) as tf.Tensor2D;
  };
}
const trueScore = linearScore((s) => 1 / (V + s * s));

describe('heldOutDenoisingLoss', () => {
  const family = levelsFamily([1, 0.5, 0.2]);
  const points = evaluationPoints(family);

  it('of the true score is the DSM constant D V / (2 sigma^2 (V + sigma^2)) at every level', () => {
    const x = heldOut(1);
    const result = heldOutDenoisingLoss({ score: trueScore, points, heldOut: x, rng: new Rng(2) });
    points.forEach(({ std: s }, k) => {
      const exact = (D * V) / (2 * s * s * (V + s * s));
      // The per-row term is (c/2) chi^2_D, c = V / (s^2 (V + s^2)): relative sd of the mean sqrt(2 / (D N)) = 0.011; 4 sd.
      expect(Math.abs(result.perPoint[k] / exact - 1)).toBeLessThan(4 * Math.sqrt(2 / (D * N)));
    });
    const weighted = points.reduce((acc, { std: s }) => acc + (D * V) / (2 * (V + s * s)), 0) / points.length;
    expect(Math.abs(result.weighted / weighted - 1)).toBeLessThan(4 * Math.sqrt(2 / (D * N)));
    x.dispose();
  });

  it('exceeds the constant by the Fisher divergence 1/2 D (V + sigma^2) (a - 1/(V + sigma^2))^2 of a wrong linear score', () => {
    const x = heldOut(3);
    const a = (s: number) => 1.5 / (V + s * s);
    const base = heldOutDenoisingLoss({ score: trueScore, points, heldOut: x, rng: new Rng(4) });
    const off = heldOutDenoisingLoss({ score: linearScore(a), points, heldOut: x, rng: new Rng(4) });
    points.forEach(({ std: s }, k) => {
      const t = V + s * s;
      const fisher = 0.5 * D * t * (a(s) - 1 / t) ** 2;
      // Same noise on both sides, so per coordinate the difference is c1 y^2 - c2 y z (y = x~ - mu ~ N(0, t), cov(y, z) = s,
      // c1 = (a^2 - 1/t^2) / 2, c2 = (a - 1/t) / s); with z = (s/t) y + w: variance (c1 - c2 s/t)^2 2 t^2 + c2^2 (t - s^2). 5 sd of the mean.
      const c1 = 0.5 * (a(s) ** 2 - 1 / t ** 2);
      const c2 = (a(s) - 1 / t) / s;
      const sd = Math.sqrt((D * ((c1 - (c2 * s) / t) ** 2 * 2 * t * t + c2 * c2 * (t - s * s))) / N);
      expect(Math.abs(off.perPoint[k] - base.perPoint[k] - fisher)).toBeLessThan(5 * sd);
    });
    x.dispose();
  });

  it('refuses the clean family and leaks no tensors', () => {
    const x = heldOut(5);
    expect(() => heldOutDenoisingLoss({ score: trueScore, points: evaluationPoints(CLEAN), heldOut: x, rng: new Rng(0) })).toThrow(/needs noise/);
    const before = tf.memory().numTensors;
    heldOutDenoisingLoss({ score: trueScore, points, heldOut: x, rng: new Rng(0) });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('heldOutSlicedScoreMatching', () => {
  it('of the true score is -D / (2 (V + sigma^2)), clean and at every level', () => {
    const x = heldOut(6);
    const points = [...evaluationPoints(CLEAN), ...evaluationPoints(levelsFamily([1, 0.3]))];
    const before = tf.memory().numTensors;
    const result = heldOutSlicedScoreMatching({ score: trueScore, points, heldOut: x, rng: new Rng(7) });
    expect(tf.memory().numTensors).toBe(before);
    points.forEach(({ std: s }, k) => {
      const t = V + s * s;
      // v^T J v = -D / t exactly (Rademacher); 1/2 ||s||^2 = chi^2_D / (2 t): sd of the mean sqrt(D / (2 N)) / t; 5 sd.
      expect(Math.abs(result.perPoint[k] + D / (2 * t))).toBeLessThan((5 * Math.sqrt(D / (2 * N))) / t);
    });
    x.dispose();
  });

  it('is Hyvarinen\'s objective -a D + a^2 D t / 2 of a linear score -a (x - mu), lowest at the true a = 1/t', () => {
    const x = heldOut(8);
    const points = evaluationPoints(levelsFamily([0.5]));
    const t = V + 0.25;
    const values = [0.5, 1, 2].map((f) => {
      const a = f / t;
      const got = heldOutSlicedScoreMatching({ score: linearScore(() => a), points, heldOut: x, rng: new Rng(9) }).perPoint[0];
      const exact = -a * D + 0.5 * a * a * D * t;
      expect(Math.abs(got - exact)).toBeLessThan((5 * a * a * t * Math.sqrt(D / (2 * N))));
      return got;
    });
    expect(values[1]).toBeLessThan(Math.min(values[0], values[2]));
    x.dispose();
  });
});
