import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, type ScoreFn, analyticTimeScore, levelsFamily, selectBackend, veSde, type NoiseFamily } from '@scorelab/core';
import type { SamplerSpec } from '@scorelab/config';
import { createSampler, initialSamples, runSampler } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Exact perturbed score of N(0, I) at noise sigma (or clean): -x / (1 + sigma^2). Any sigma-or-t model fits the loop. */
const gaussian = {
  score: (x: tf.Tensor2D, sigma?: tf.Tensor1D) => tf.tidy(() => (sigma ? tf.neg(tf.div(x, tf.reshape(tf.add(1, tf.square(sigma)), [-1, 1]))) : tf.neg(x)) as tf.Tensor2D),
};

const sde = veSde({ sigmaMax: 5 });
const levels = levelsFamily([2, 1, 0.5]);
const sdeFamily: NoiseFamily = { kind: 'sde', sde };
const init = { kind: 'gaussian', std: 1 } as const;

/** One spec of every kind, with the family it runs on: the loop's contract is checked on all six. */
const everyKind: [SamplerSpec, NoiseFamily][] = [
  [{ kind: 'langevin', stepSize: 0.05, steps: 30, samples: 8, init, convention: 'half' }, levels],
  [{ kind: 'ald', stepSize: 0.01, stepsPerLevel: 10, samples: 8, init, denoise: true, convention: 'full' }, levels],
  [{ kind: 'euler-maruyama', steps: 30, samples: 8, denoise: true }, sdeFamily],
  [{ kind: 'reverse-diffusion', steps: 30, samples: 8, denoise: false }, sdeFamily],
  [{ kind: 'pc', steps: 15, samples: 8, snr: 0.16, correctorSteps: 1, predictor: 'reverse-diffusion', denoise: true }, sdeFamily],
  [{ kind: 'ode', method: 'rk45', rtol: 1e-4, atol: 1e-4, samples: 8, denoise: true }, sdeFamily],
];

function scoreFor(family: NoiseFamily): ScoreFn {
  return family.kind === 'sde' ? analyticTimeScore(gaussian, family.sde) : gaussian.score;
}

describe.each(everyKind)('runSampler with %o', (spec, family) => {
  const score = scoreFor(family);

  it('keeps the tensor count flat at every step, leaks nothing and leaves x0 to the caller', () => {
    const rng = new Rng(3);
    const x0 = initialSamples(spec, family, 2, rng);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const sampler = createSampler(spec, family);
    const r = runSampler(sampler, score, x0, rng, { progressEvery: 1, onProgress: () => counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(r.steps);
    expect(new Set(counts).size).toBe(1);
    if (sampler.totalSteps !== null) expect(r.steps).toBe(sampler.totalSteps);
    expect(x0.isDisposed).toBe(false);
    expect(r.samples).not.toBe(x0);
    r.samples.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x0.dispose();
  });

  it('records one snapshot per trajectory entry, from the initial samples to the last state', () => {
    const rng = new Rng(4);
    const x0 = initialSamples(spec, family, 2, rng);
    const before = tf.memory().numTensors;
    const r = runSampler(createSampler(spec, family), score, x0, rng, { recordTrajectory: true });
    const steps = r.snapshots!.map((s) => s.step);
    expect(r.trajectory).toHaveLength(steps.length);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(r.steps);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]);
    expect(Array.from(r.trajectory![0].dataSync())).toEqual(Array.from(x0.dataSync()));
    expect(tf.memory().numTensors).toBe(before + 1 + steps.length);
    tf.dispose([r.samples, ...r.trajectory!]);
    expect(tf.memory().numTensors).toBe(before);
    x0.dispose();
  });

  it('disposes the trajectory and the state when the score or onProgress throws', () => {
    const rng = new Rng(5);
    const x0 = initialSamples(spec, family, 2, rng);
    const before = tf.memory().numTensors;
    let calls = 0;
    const failing: ScoreFn = (x, cond) => {
      if (++calls === 7) throw new Error('score failed');
      return score(x, cond);
    };
    expect(() => runSampler(createSampler(spec, family), failing, x0, rng, { recordTrajectory: true })).toThrow(/score failed/);
    expect(tf.memory().numTensors).toBe(before);
    const stop = () => {
      throw new Error('stopped');
    };
    expect(() => runSampler(createSampler(spec, family), score, x0, rng, { recordTrajectory: true, progressEvery: 2, onProgress: stop })).toThrow(/stopped/);
    expect(tf.memory().numTensors).toBe(before);
    expect(x0.isDisposed).toBe(false);
    x0.dispose();
  });
});

describe.each(everyKind)('runSampler check with %o', (spec, family) => {
  const score = scoreFor(family);

  it('sees the samples after init, at every progress report and after finish', () => {
    const rng = new Rng(6);
    const x0 = initialSamples(spec, family, 2, rng);
    const seen: { step: number; final: boolean; rows: number }[] = [];
    const reports: number[] = [];
    const r = runSampler(createSampler(spec, family), score, x0, rng, {
      progressEvery: 4,
      onProgress: (p) => reports.push(p.step),
      check: (x, at) => seen.push({ step: at.step, final: at.final, rows: x.shape[0] }),
    });
    expect(seen.map((c) => c.step)).toEqual([0, ...reports, r.steps]);
    expect(seen.map((c) => c.final)).toEqual([...Array(reports.length + 1).fill(false), true]);
    expect(seen.every((c) => c.rows === 8)).toBe(true);
    r.samples.dispose();
    x0.dispose();
  });

  it('a throw from check stops sampling at that checkpoint and leaks nothing, also on the final samples', () => {
    const rng = new Rng(7);
    const x0 = initialSamples(spec, family, 2, rng);
    const before = tf.memory().numTensors;
    for (const failAt of [0, 4, 'final'] as const) {
      let last = -1;
      const check = (_x: tf.Tensor2D, at: { step: number; final: boolean }) => {
        last = at.step;
        if (failAt === 'final' ? at.final : at.step === failAt) throw new Error(`diverged at ${at.step}`);
      };
      expect(() => runSampler(createSampler(spec, family), score, x0, rng, { recordTrajectory: true, progressEvery: 4, check })).toThrow(/diverged at/);
      if (failAt !== 'final') expect(last).toBe(failAt);
      expect(tf.memory().numTensors).toBe(before);
    }
    x0.dispose();
  });
});

describe('runSampler options', () => {
  it('rejects a progressEvery that is not a positive integer', () => {
    const [spec, family] = everyKind[0];
    const x0 = tf.zeros([2, 2]) as tf.Tensor2D;
    for (const progressEvery of [0, 1.5]) {
      expect(() => runSampler(createSampler(spec, family), gaussian.score, x0, new Rng(0), { progressEvery })).toThrow(/progressEvery/);
    }
    x0.dispose();
  });
});
