import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, type ScoreFn, selectBackend } from '@scorelab/core';
import {
  type LangevinConvention,
  annealedLangevin,
  annealedStepSizes,
  langevinCorrector,
  levelGrid,
  predictorCorrectorSampler,
  runSampler,
} from '../index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** An Rng whose normal draws are all zero, so Langevin steps become deterministic. */
class ZeroNoise extends Rng {
  override normalTensor(shape: number[]): tf.Tensor {
    return tf.zeros(shape);
  }
}

/** Exact perturbed score of N(0, v0 I) at noise sigma: -x / (v0 + sigma^2). */
function gaussianScore(v0: number): ScoreFn {
  return (x, sigma) => {
    if (!sigma) throw new Error('expected sigma');
    return tf.neg(tf.div(x, tf.reshape(tf.add(v0, tf.square(sigma)), [-1, 1]))) as tf.Tensor2D;
  };
}

describe('annealedLangevin', () => {
  const sigmas = [4, 2, 1, 0.5];
  const sigmaL = 0.5;

  it('uses a_i = eps sigma_i^2 / sigma_L^2 for stepsPerLevel steps per level, largest sigma first', () => {
    // With z = 0 and s = 1 the half step adds a_i / 2 and the full step a_i: after level i the
    // samples have moved by T a_i / 2 (half) or T a_i (full).
    const ones: ScoreFn = (x) => tf.onesLike(x);
    const eps = 0.01;
    const T = 3;
    expect(annealedStepSizes(sigmas, eps)).toEqual(sigmas.map((s) => (eps * s * s) / (sigmaL * sigmaL)));
    for (const convention of ['half', 'full'] as LangevinConvention[]) {
      const x0 = tf.zeros([2, 3]) as tf.Tensor2D;
      const r = runSampler(annealedLangevin({ sigmas, stepSize: eps, stepsPerLevel: T, convention }), ones, x0, new ZeroNoise(0), { recordTrajectory: true });
      const traj = r.trajectory!;
      expect(traj).toHaveLength(sigmas.length + 1);
      expect(r.snapshots).toEqual([{ step: 0 }, ...sigmas.map((sigma, level) => ({ step: (level + 1) * T, level, sigma }))]);
      for (let i = 0; i < sigmas.length; i++) {
        const a = (eps * sigmas[i] ** 2) / sigmaL ** 2;
        const moved = tf.tidy(() => tf.sub(traj[i + 1], traj[i]).dataSync());
        for (const v of moved) expect(v).toBeCloseTo(convention === 'half' ? (T * a) / 2 : T * a, 5);
      }
      expect(r.scoreEvaluations).toBe(sigmas.length * T);
      tf.dispose([x0, r.samples, ...traj]);
    }
  });

  it('calls the score with sigma_i on every row, level by level, then sigma_L for the denoising step', () => {
    const seen: number[][] = [];
    const recording: ScoreFn = (x, sigma) => {
      seen.push(Array.from(sigma!.dataSync()));
      return tf.zerosLike(x);
    };
    const x0 = tf.zeros([3, 2]) as tf.Tensor2D;
    const r = runSampler(annealedLangevin({ sigmas, stepSize: 0.1, stepsPerLevel: 2, denoise: true }), recording, x0, new Rng(0));
    const expected = [4, 4, 2, 2, 1, 1, 0.5, 0.5, 0.5].map((s) => [s, s, s]);
    expect(seen).toEqual(expected);
    expect(r.scoreEvaluations).toBe(9);
    expect(r.steps).toBe(8);
    tf.dispose([x0, r.samples]);
  });

  it('finishes with x + sigma_L^2 s(x, sigma_L) when denoise is on, and returns the last state otherwise', () => {
    // s(x, sigma) = 1 - x (deliberately not the same at all sigmas' steps), so the denoised value is x + 0.25 (1 - x).
    const score: ScoreFn = (x) => tf.sub(1, x);
    const x0 = tf.tensor2d([
      [0.5, -2],
      [3, 1],
    ]);
    for (const denoise of [true, false]) {
      const r = runSampler(annealedLangevin({ sigmas, stepSize: 0.05, stepsPerLevel: 5, denoise }), score, x0, new Rng(9), { recordTrajectory: true });
      const last = r.trajectory![sigmas.length].dataSync();
      const got = r.samples.dataSync();
      for (let i = 0; i < last.length; i++) expect(got[i]).toBeCloseTo(denoise ? last[i] + sigmaL ** 2 * (1 - last[i]) : last[i], 5);
      tf.dispose([r.samples, ...r.trajectory!]);
    }
    x0.dispose();
  });

  it('follows the exact variance recursion on a Gaussian, level by level', () => {
    // Data N(0, 1), perturbed p_sigma = N(0, 1 + sigma^2), exact score -x / (1 + sigma^2). At level i a
    // half step is x' = rho_i x + sqrt(a_i) z with rho_i = 1 - a_i / (2 (1 + sigma_i^2)), so
    // Var' = rho_i^2 Var + a_i exactly (whatever the starting law); check Var after each level.
    // 100k coordinates with known mean 0: mean(x^2)/Var has relative sd sqrt(2/n) ~ 0.45%, tolerance 4 sd.
    // Using a_i = eps instead of eps sigma_i^2/sigma_L^2 changes level 1's variance by far more than that.
    const rows = 50_000;
    const n = 2 * rows;
    const eps = 0.05;
    const T = 20;
    const std0 = 3;
    const rng = new Rng(21);
    const x0 = rng.normalTensor([rows, 2], 0, std0) as tf.Tensor2D;
    const r = runSampler(annealedLangevin({ sigmas, stepSize: eps, stepsPerLevel: T }), gaussianScore(1), x0, rng, { recordTrajectory: true });
    let variance = std0 * std0;
    for (let i = 0; i < sigmas.length; i++) {
      const a = (eps * sigmas[i] ** 2) / sigmaL ** 2;
      const rho = 1 - a / (2 * (1 + sigmas[i] ** 2));
      for (let k = 0; k < T; k++) variance = rho * rho * variance + a;
      const xs = r.trajectory![i + 1].dataSync();
      let m2 = 0;
      for (const v of xs) m2 += v * v;
      m2 /= n;
      expect(Math.abs(m2 / variance - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    }
    tf.dispose([x0, r.samples, ...r.trajectory!]);
  });

  it('keeps the tensor count flat over a long run and leaks nothing', () => {
    const x0 = new Rng(1).normalTensor([256, 2]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const r = runSampler(annealedLangevin({ sigmas: [3, 2, 1.5, 1, 0.7, 0.5, 0.3, 0.2, 0.15, 0.1], stepSize: 1e-4, stepsPerLevel: 300, denoise: true }), gaussianScore(1), x0, new Rng(2), {
      progressEvery: 100,
      onProgress: () => counts.push(tf.memory().numTensors),
    });
    expect(counts).toHaveLength(30);
    expect(new Set(counts).size).toBe(1);
    r.samples.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x0.dispose();
  });

  it('gives the same samples for the same seed and different ones for another seed', () => {
    const x0 = tf.zeros([64, 2]) as tf.Tensor2D;
    const sampler = annealedLangevin({ sigmas, stepSize: 0.01, stepsPerLevel: 10 });
    const run = (seed: number) => {
      const r = runSampler(sampler, gaussianScore(1), x0, new Rng(seed));
      const out = Array.from(r.samples.dataSync());
      r.samples.dispose();
      return out;
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    x0.dispose();
  });

  it('reports level and sigma in progress', () => {
    const x0 = tf.zeros([2, 2]) as tf.Tensor2D;
    const seen: [number, number | undefined, number | undefined][] = [];
    const r = runSampler(annealedLangevin({ sigmas, stepSize: 0.01, stepsPerLevel: 5 }), gaussianScore(1), x0, new Rng(1), {
      progressEvery: 5,
      onProgress: (p) => {
        expect(p.totalSteps).toBe(20);
        seen.push([p.step, p.level, p.sigma]);
      },
    });
    expect(seen).toEqual([
      [5, 0, 4],
      [10, 1, 2],
      [15, 2, 1],
      [20, 3, 0.5],
    ]);
    tf.dispose([x0, r.samples]);
  });

  it('rejects bad options', () => {
    expect(() => annealedLangevin({ sigmas: [], stepSize: 0.1, stepsPerLevel: 10 })).toThrow(/empty/);
    expect(() => annealedLangevin({ sigmas: [1, 2], stepSize: 0.1, stepsPerLevel: 10 })).toThrow(/largest first/);
    expect(() => annealedLangevin({ sigmas: [1, 0], stepSize: 0.1, stepsPerLevel: 10 })).toThrow(/positive/);
    expect(() => annealedLangevin({ sigmas: [1], stepSize: -1, stepsPerLevel: 10 })).toThrow(/stepSize/);
    expect(() => annealedLangevin({ sigmas: [1], stepSize: 0.1, stepsPerLevel: 0 })).toThrow(/stepsPerLevel must be a positive integer/);
  });
});

describe('ald as predictor-corrector with predictor none', () => {
  const sigmas = [3, 1.5, 0.6];
  const eps = 0.02;
  const T = 4;
  const rows = 5;
  const v0 = 0.7;

  it('matches NCSN Algorithm 1 written out in float64 with the same noise draws', () => {
    // for i = 1..L: a_i = eps sigma_i^2 / sigma_L^2; T times: x <- x + c_s(a_i) s(x, sigma_i) + c_z(a_i) z,
    // s(x, sigma) = -x / (v0 + sigma^2), z row-major [N, D] from one Rng stream, one draw per step.
    for (const convention of ['half', 'full'] as LangevinConvention[]) {
      const x0 = new Rng(4).normalTensor([rows, 2], 0, 2) as tf.Tensor2D;
      const x = Array.from(x0.dataSync(), Number);
      const noise = new Rng(31);
      for (const sigma of sigmas) {
        const a = (eps * sigma * sigma) / (sigmas[2] * sigmas[2]);
        const [cs, cz] = convention === 'half' ? [a / 2, Math.sqrt(a)] : [a, Math.sqrt(2 * a)];
        for (let k = 0; k < T; k++) {
          const z = noise.normalArray(x.length);
          for (let j = 0; j < x.length; j++) x[j] = x[j] + cs * (-x[j] / (v0 + sigma * sigma)) + cz * z[j];
        }
      }
      const r = runSampler(annealedLangevin({ sigmas, stepSize: eps, stepsPerLevel: T, convention }), gaussianScore(v0), x0, new Rng(31));
      const got = r.samples.dataSync();
      // float32 arithmetic over 12 steps of |x| <~ 8: a few ulps of round-off.
      for (let j = 0; j < x.length; j++) expect(Math.abs(got[j] - x[j])).toBeLessThan(1e-5 * (1 + Math.abs(x[j])));
      tf.dispose([x0, r.samples]);
    }
  });

  it('is the driver over the sigma grid with the Langevin corrector: T corrector steps per level, one step each', () => {
    const x0 = new Rng(4).normalTensor([rows, 2]) as tf.Tensor2D;
    const conds: number[] = [];
    const score = gaussianScore(v0);
    const recording: ScoreFn = (x, sigma) => {
      conds.push(sigma!.dataSync()[0]);
      return score(x, sigma);
    };
    const pc = predictorCorrectorSampler({
      kind: 'ald',
      grid: levelGrid(sigmas),
      predictor: null,
      corrector: langevinCorrector(annealedStepSizes(sigmas, eps), 'half'),
      correctorSteps: T,
      finish: (state) => tf.clone(state.x),
      isSnapshot: annealedLangevin({ sigmas, stepSize: eps, stepsPerLevel: T }).isSnapshot,
    });
    expect(pc.totalSteps).toBe(sigmas.length * T);
    const a = runSampler(pc, recording, x0, new Rng(8), { recordTrajectory: true });
    expect(conds).toEqual(sigmas.flatMap((s) => Array<number>(T).fill(Math.fround(s))));
    const b = runSampler(annealedLangevin({ sigmas, stepSize: eps, stepsPerLevel: T }), score, x0, new Rng(8), { recordTrajectory: true });
    expect(Array.from(a.samples.dataSync())).toEqual(Array.from(b.samples.dataSync()));
    expect(a.snapshots).toEqual(b.snapshots);
    tf.dispose([x0, a.samples, b.samples, ...a.trajectory!, ...b.trajectory!]);
  });
});
