import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CLEAN, Rng, type NoiseFamily, type ScoreFn, levelsFamily, selectBackend, vpSde } from '@scorelab/core';
import type { SamplerSpec } from '@scorelab/config';
import { createSampler, runSampler, type SamplerProgress } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** An Rng whose normal draws are all zero, so Langevin steps become deterministic. */
class ZeroNoise extends Rng {
  override normalTensor(shape: number[]): tf.Tensor {
    return tf.zeros(shape);
  }
}

const ones: ScoreFn = (x) => tf.onesLike(x);
const init = { kind: 'uniform', low: -8, high: 8 } as const;
const levels = levelsFamily([20, 10, 5]);
const sdeFamily: NoiseFamily = { kind: 'sde', sde: vpSde() };

const langevinSpec: SamplerSpec = { kind: 'langevin', stepSize: 0.1, steps: 50, samples: 10, init, convention: 'half' };
const aldSpec: SamplerSpec = { kind: 'ald', stepSize: 0.1, stepsPerLevel: 100, samples: 1280, init, denoise: true, convention: 'half' };
const sdeSpecs: SamplerSpec[] = [
  { kind: 'euler-maruyama', steps: 10, samples: 5, denoise: false },
  { kind: 'reverse-diffusion', steps: 10, samples: 5, denoise: true },
  { kind: 'pc', steps: 10, samples: 5, snr: 0.1, correctorSteps: 2, predictor: 'euler-maruyama', denoise: false },
  { kind: 'ode', method: 'rk45', rtol: 1e-5, atol: 1e-5, samples: 5, denoise: false },
];

describe('createSampler', () => {
  it('builds annealed Langevin from an ald spec and the levels: a_i = eps sigma_i^2 / sigma_L^2 at each level in turn', () => {
    const s = createSampler(aldSpec, levels);
    expect(s.kind).toBe('ald');
    expect(s.totalSteps).toBe(300);
    // With s = 1 and z = 0 a half step moves every coordinate by a_i / 2: 100 steps at a_1 = 0.1 * 16 move 80, at a_3 = 0.1 move 5.
    const x0 = tf.zeros([1, 2]) as tf.Tensor2D;
    const progress: SamplerProgress[] = [];
    const r = runSampler(s, ones, x0, new ZeroNoise(0), { recordTrajectory: true, progressEvery: 1, onProgress: (p) => progress.push(p) });
    expect(progress[0]).toEqual({ step: 1, totalSteps: 300, level: 0, sigma: 20 });
    expect(progress[299]).toEqual({ step: 300, totalSteps: 300, level: 2, sigma: 5 });
    const moved = (i: number) => tf.tidy(() => tf.sub(r.trajectory![i + 1], r.trajectory![i]).dataSync()[0]);
    // 100 float32 additions to a coordinate below 128 (ulp 7.6e-6) round off by at most 7.6e-4.
    expect(Math.abs(moved(0) - (100 * 0.1 * 16) / 2)).toBeLessThan(1e-3);
    expect(Math.abs(moved(1) - (100 * 0.1 * 4) / 2)).toBeLessThan(1e-3);
    expect(Math.abs(moved(2) - (100 * 0.1) / 2)).toBeLessThan(1e-3);
    // denoise: one more call, x + sigma_L^2 s = x + 25.
    expect(r.scoreEvaluations).toBe(301);
    tf.dispose([x0, r.samples, ...r.trajectory!]);
  });

  it('runs plain Langevin at the smallest sigma of the levels, or without a condition for a clean model', () => {
    const conds: (number | undefined)[] = [];
    const recording: ScoreFn = (x, cond) => {
      conds.push(cond?.dataSync()[0]);
      return tf.onesLike(x);
    };
    const x0 = tf.zeros([2, 2]) as tf.Tensor2D;
    const conditional = createSampler(langevinSpec, levels);
    expect(conditional.totalSteps).toBe(50);
    const a = runSampler(conditional, recording, x0, new ZeroNoise(0), { progressEvery: 50, onProgress: (p) => expect(p).toEqual({ step: 50, totalSteps: 50, sigma: 5 }) });
    expect(conds).toEqual(Array<number>(50).fill(5));
    conds.length = 0;
    // full convention: x += a s per step.
    const unconditional = createSampler({ ...langevinSpec, convention: 'full', steps: 7 }, CLEAN);
    const b = runSampler(unconditional, recording, x0, new ZeroNoise(0));
    expect(conds).toEqual(Array<undefined>(7).fill(undefined));
    for (const v of b.samples.dataSync()) expect(v).toBeCloseTo(0.7, 5);
    tf.dispose([x0, a.samples, b.samples]);
  });

  it('builds every SDE kind for an sde family', () => {
    const [em, rd, pc, ode] = sdeSpecs.map((spec) => createSampler(spec, sdeFamily));
    expect([em.kind, rd.kind, pc.kind, ode.kind]).toEqual(['euler-maruyama', 'reverse-diffusion', 'pc', 'ode']);
    expect([em.totalSteps, rd.totalSteps, pc.totalSteps, ode.totalSteps]).toEqual([10, 10, 10, null]);
    // NFE: steps, steps + 1 (denoise), steps (correctorSteps + 1).
    const x0 = vpSde().priorSample(3, 2, new Rng(1));
    const score: ScoreFn = (x) => tf.neg(x);
    const nfe = [em, rd, pc].map((s) => {
      const r = runSampler(s, score, x0, new Rng(2));
      r.samples.dispose();
      return r.scoreEvaluations;
    });
    expect(nfe).toEqual([10, 11, 30]);
    x0.dispose();
    expect(createSampler({ kind: 'ode', method: 'rk4', steps: 7, samples: 5, denoise: false }, sdeFamily).totalSteps).toBe(7);
  });

  it('ends every SDE kind at the sampling eps (sde.eps), not the training eps', () => {
    const sde = vpSde({ eps: 0.25, trainEps: 1e-5 });
    const x0 = sde.priorSample(3, 2, new Rng(1));
    for (const spec of sdeSpecs) {
      const times: number[] = [];
      const recording: ScoreFn = (x, t) => {
        times.push(...t!.dataSync());
        return tf.neg(x);
      };
      const r = runSampler(createSampler(spec, { kind: 'sde', sde }), recording, x0, new Rng(2), { recordTrajectory: true });
      expect(r.snapshots!.at(-1)!.t, spec.kind).toBe(0.25);
      expect(Math.min(...times), spec.kind).toBeGreaterThanOrEqual(0.25);
      tf.dispose([r.samples, ...r.trajectory!]);
    }
    x0.dispose();
  });

  it('passes spec errors on from the samplers', () => {
    expect(() => createSampler({ kind: 'ode', method: 'rk45', steps: 7, rtol: 1e-5, atol: 1e-5, samples: 5, denoise: false }, sdeFamily)).toThrow(/rtol/);
    expect(() => createSampler({ kind: 'ode', method: 'rk4', samples: 5, denoise: false }, sdeFamily)).toThrow(/needs steps/);
    expect(() => createSampler({ kind: 'pc', steps: 10, samples: 5, snr: 0, correctorSteps: 1, predictor: 'reverse-diffusion', denoise: false }, sdeFamily)).toThrow(/snr/);
    expect(() => createSampler({ kind: 'euler-maruyama', steps: 0, samples: 5, denoise: false }, sdeFamily)).toThrow(/steps/);
  });

  it('refuses a noise family the sampler cannot run on, naming the sampler and what it needs', () => {
    expect(() => createSampler(langevinSpec, sdeFamily)).toThrow(/sampler langevin .*not on an sde; with an sde use euler-maruyama, reverse-diffusion, pc or ode/);
    expect(() => createSampler(aldSpec, CLEAN)).toThrow(/sampler ald needs noise levels.*clean.*use langevin/);
    expect(() => createSampler(aldSpec, sdeFamily)).toThrow(/sampler ald needs noise levels, not an sde/);
    for (const spec of sdeSpecs) {
      expect(() => createSampler(spec, levels)).toThrow(new RegExp(`sampler ${spec.kind} needs an sde, but the model has noise levels; use langevin or ald`));
      expect(() => createSampler(spec, CLEAN)).toThrow(new RegExp(`sampler ${spec.kind} needs an sde, but the model is clean`));
    }
  });
});
