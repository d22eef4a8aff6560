import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CLEAN, evaluationPoints, exactScore, levelsFamily, type NoiseFamily, Rng, type ScoreFn, selectBackend, veSde } from '@scorelab/core';
import { fisherDivergence } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** s(x, sigma) = -x / v(sigma): the score of N(0, v(sigma) I). */
function linearScore(v: (sigma: number | undefined) => number): ScoreFn {
  return (x, sigma) => {
    if (!sigma) return tf.div(x, -v(undefined)) as tf.Tensor2D;
    const s = sigma.dataSync()[0];
    // All rows share one sigma here; check it instead of assuming it.
    for (const t of sigma.dataSync()) if (t !== s) throw new Error('mixed sigmas');
    return tf.div(x, -v(s)) as tf.Tensor2D;
  };
}

function sumSquares(x: tf.Tensor2D): number {
  let s = 0;
  for (const v of x.dataSync()) s += v * v;
  return s;
}

describe('fisherDivergence', () => {
  const d = 2;
  const n = 20_000;

  it('is exactly 0 for the exact score against itself', () => {
    const exact = linearScore((s) => 1 + (s ?? 0) ** 2);
    const rng = new Rng(0);
    const samples = [rng.normalTensor([100, d]) as tf.Tensor2D, rng.normalTensor([100, d]) as tf.Tensor2D];
    const r = fisherDivergence({ model: exact, exact, samples, points: evaluationPoints(levelsFamily([2, 1])) });
    expect(r.perPoint).toEqual([0, 0]);
    expect(r.weighted).toBe(0);
    tf.dispose(samples);
  });

  it('unconditional: model -x/c against N(0, I) gives 1/2 (1/c - 1)^2 E||x||^2 = 1/2 (1/c - 1)^2 D', () => {
    const c = 1.5;
    const x = new Rng(1).normalTensor([n, d]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const r = fisherDivergence({ model: linearScore(() => c), exact: linearScore(() => 1), samples: [x], points: evaluationPoints(CLEAN) });
    expect(tf.memory().numTensors).toBe(before);
    const k2 = (1 / c - 1) ** 2;
    // Against the same samples computed independently: float32 scores, so ~1e-6 relative.
    expect(r.perPoint[0]).toBeCloseTo((0.5 * k2 * sumSquares(x)) / n, 5);
    expect(r.weighted).toBe(r.perPoint[0]);
    // Against the population value: ||x||^2 ~ chi^2_D has variance 2D, so the estimate has sd 1/2 k2 sqrt(2D/n); 4 sd.
    expect(Math.abs(r.perPoint[0] - 0.5 * k2 * d)).toBeLessThan(4 * 0.5 * k2 * Math.sqrt((2 * d) / n));
    x.dispose();
  });

  it('perturbed levels: F_i = 1/2 (m_i - e_i)^2 D (1 + sigma_i^2) and weighted = mean sigma_i^2 F_i', () => {
    // Data N(0, I): p_sigma = N(0, (1 + sigma^2) I), exact score -e x with e = 1/(1 + sigma^2).
    // Model -m x with m = 1/(1 + sigma^2 + 0.3 sigma): F = 1/2 (m - e)^2 E||x||^2, E||x||^2 = D (1 + sigma^2).
    const sigmas = [3, 1, 0.3];
    const rng = new Rng(2);
    const samples = sigmas.map((s) => rng.normalTensor([n, d], 0, Math.sqrt(1 + s * s)) as tf.Tensor2D);
    const exact = linearScore((s) => 1 + s! ** 2);
    const model = linearScore((s) => 1 + s! ** 2 + 0.3 * s!);
    const r = fisherDivergence({ model, exact, samples, points: evaluationPoints(levelsFamily(sigmas)) });
    let weighted = 0;
    sigmas.forEach((s, i) => {
      const k2 = (1 / (1 + s * s + 0.3 * s) - 1 / (1 + s * s)) ** 2;
      const v = 1 + s * s;
      expect(r.perPoint[i] / ((0.5 * k2 * sumSquares(samples[i])) / n)).toBeCloseTo(1, 5);
      // ||x||^2 / v ~ chi^2_D: sd of the estimate 1/2 k2 v sqrt(2D/n); 4 sd.
      expect(Math.abs(r.perPoint[i] - 0.5 * k2 * d * v)).toBeLessThan(4 * 0.5 * k2 * v * Math.sqrt((2 * d) / n));
      weighted += (s * s * r.perPoint[i]) / sigmas.length;
    });
    expect(r.weighted).toBeCloseTo(weighted, 10);
    tf.dispose(samples);
  });

  it('needs one batch per evaluation point', () => {
    const x = tf.zeros([2, 2]) as tf.Tensor2D;
    const s = linearScore(() => 1);
    expect(() => fisherDivergence({ model: s, exact: s, samples: [x], points: evaluationPoints(levelsFamily([2, 1])) })).toThrow(/2 sample batch/);
    expect(() => fisherDivergence({ model: s, exact: s, samples: [x, x], points: evaluationPoints(CLEAN) })).toThrow(/1 sample batch/);
    x.dispose();
  });
});

describe('fisherDivergence under an sde (cond = t)', () => {
  // Data N(mu, c^2 I); core exactScore gives its marginal score under the SDE, the model shifts it by b,
  // so F(t) = 1/2 ||b||^2 = 0.125 at every t whatever the samples.
  const sde = veSde({ sigmaMin: 0.05, sigmaMax: 5 });
  const family: NoiseFamily = { kind: 'sde', sde };
  const mu = [1, -0.5];
  const c2 = 0.6;
  const source = { score: (x: tf.Tensor2D, sigma?: tf.Tensor1D) => tf.tidy(() => tf.div(tf.sub(tf.tensor2d([mu]), x), tf.reshape(tf.add(tf.square(sigma!), c2), [-1, 1])) as tf.Tensor2D) };
  const exact = exactScore(source, family);
  const shifted: ScoreFn = (x, t) => tf.tidy(() => tf.add(exact(x, t), tf.tensor2d([[0.3, -0.4]])) as tf.Tensor2D);

  /** x_t = m(t) x_0 + s(t) z, z from rng: one [N, D] draw per time, in order. */
  function perturbed(x0: tf.Tensor2D, times: number[], rng: Rng): tf.Tensor2D[] {
    const [n, d] = x0.shape;
    return times.map((t) => {
      const { mean, std } = sde.marginal(t);
      return tf.tidy(() => tf.add(tf.mul(x0, mean), tf.mul(rng.normalTensor([n, d]), std)) as tf.Tensor2D);
    });
  }

  it('0 for the exact score at the default evaluation points; lambda-weighted ||b||^2 / 2 for the exact score shifted by b', () => {
    const x0 = new Rng(2).normalTensor([100, 2]) as tf.Tensor2D;
    const points = evaluationPoints(family);
    const atPoints = perturbed(x0, points.map((p) => p.cond!), new Rng(1));
    expect(fisherDivergence({ model: exact, exact, points, samples: atPoints }).weighted).toBe(0);
    // The family's own points weigh by s(t)^2.
    const own = fisherDivergence({ model: shifted, exact, points, samples: atPoints });
    own.perPoint.forEach((f) => expect(Math.abs(f - 0.125)).toBeLessThan(1e-5));
    const ownWant = points.reduce((a, p) => a + sde.marginal(p.cond!).std ** 2, 0) * (0.125 / points.length);
    expect(Math.abs(own.weighted - ownWant)).toBeLessThan(1e-4 * ownWant);
    tf.dispose(atPoints);

    const times = [0.1, 0.5, 1];
    for (const weighting of ['sigma2', 'likelihood'] as const) {
      const samples = perturbed(x0, times, new Rng(1));
      const lambda = times.map((t) => (weighting === 'sigma2' ? sde.marginal(t).std ** 2 : sde.diffusion(t) ** 2));
      const { perPoint, weighted } = fisherDivergence({ model: shifted, exact, samples, points: times.map((t, k) => ({ cond: t, weight: lambda[k] })) });
      perPoint.forEach((f) => expect(Math.abs(f - 0.125)).toBeLessThan(1e-5));
      const want = lambda.reduce((a, b) => a + b, 0) * (0.125 / 3);
      expect(Math.abs(weighted - want)).toBeLessThan(1e-4 * want);
      tf.dispose(samples);
    }
    x0.dispose();
  });

  it('passes each point its own t for every row', () => {
    const seen: number[][] = [];
    const spy: ScoreFn = (x, t) => {
      seen.push(Array.from(new Set(t!.dataSync())));
      return exact(x, t);
    };
    const x0 = new Rng(3).normalTensor([5, 2]) as tf.Tensor2D;
    const samples = perturbed(x0, [0.2, 0.7], new Rng(4));
    fisherDivergence({ model: spy, exact, samples, points: [0.2, 0.7].map((t) => ({ cond: t, weight: 1 })) });
    expect(seen).toEqual([[Math.fround(0.2)], [Math.fround(0.7)]]);
    tf.dispose([x0, ...samples]);
  });
});
