import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend, vpSde } from '@scorelab/core';
import { type GridUpdate, type SamplerProgress, type TimePoint, levelGrid, predictorCorrectorSampler, runSampler, timeGrid } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** An update that logs `name@cond` and adds `delta` to x, so the order of moves is visible in the log and in x. */
function logged<P>(log: string[], name: string, at: (p: P) => number, delta: number): GridUpdate<P> {
  return (x, point) => {
    log.push(`${name}@${at(point)}`);
    return tf.add(x, delta) as tf.Tensor2D;
  };
}

const never = () => false;

describe('predictorCorrectorSampler', () => {
  const sde = vpSde();

  it('runs the corrector steps first, then the predictor, one grid point per step, and moves the chain to the next time', () => {
    const log: string[] = [];
    const grid = timeGrid(sde, 3, 0.25);
    const at = (p: TimePoint) => p.t;
    const sampler = predictorCorrectorSampler({
      kind: 'pc',
      grid,
      predictor: logged(log, 'p', at, 10),
      corrector: logged(log, 'c', at, 1),
      correctorSteps: 2,
      finish: (state) => tf.clone(state.x),
      isSnapshot: never,
    });
    expect(sampler.totalSteps).toBe(3);
    const x0 = tf.zeros([2, 1]) as tf.Tensor2D;
    const progress: SamplerProgress[] = [];
    const r = runSampler(sampler, () => tf.zeros([2, 1]), x0, new Rng(0), { progressEvery: 1, onProgress: (p) => progress.push(p) });
    // h = 0.25; t_i = 1, 0.75, 0.5, then eps = 0.25.
    expect(log).toEqual(['c@1', 'c@1', 'p@1', 'c@0.75', 'c@0.75', 'p@0.75', 'c@0.5', 'c@0.5', 'p@0.5']);
    expect(progress.map((p) => p.t)).toEqual([0.75, 0.5, 0.25]);
    expect(Array.from(r.samples.dataSync())).toEqual([36, 36]);
    expect(r.steps).toBe(3);
    tf.dispose([x0, r.samples]);
  });

  it('without a predictor takes one corrector step per step, correctorSteps at each level, and stays at the level', () => {
    const log: string[] = [];
    const sampler = predictorCorrectorSampler({
      kind: 'ald',
      grid: levelGrid([3, 2, 1]),
      predictor: null,
      corrector: logged(log, 'c', (p) => p.sigma!, 1),
      correctorSteps: 2,
      finish: (state) => tf.clone(state.x),
      isSnapshot: never,
    });
    expect(sampler.totalSteps).toBe(6);
    const x0 = tf.zeros([1, 1]) as tf.Tensor2D;
    const progress: SamplerProgress[] = [];
    const r = runSampler(sampler, () => tf.zeros([1, 1]), x0, new Rng(0), { progressEvery: 1, onProgress: (p) => progress.push(p) });
    expect(log).toEqual(['c@3', 'c@3', 'c@2', 'c@2', 'c@1', 'c@1']);
    expect(progress.map((p) => [p.level, p.sigma])).toEqual([
      [0, 3],
      [0, 3],
      [1, 2],
      [1, 2],
      [2, 1],
      [2, 1],
    ]);
    tf.dispose([x0, r.samples]);
  });

  it('state: init starts at the grid start, step is pure and refuses to run past the end', () => {
    const sampler = predictorCorrectorSampler({
      kind: 'euler-maruyama',
      grid: timeGrid(sde, 1, 0.5),
      predictor: (x) => tf.add(x, 1) as tf.Tensor2D,
      corrector: null,
      correctorSteps: 0,
      finish: (state) => tf.clone(state.x),
      isSnapshot: never,
    });
    const x0 = tf.zeros([1, 1]) as tf.Tensor2D;
    const s0 = sampler.init(x0, () => tf.zeros([1, 1]));
    expect(s0.position).toEqual({ t: 1 });
    expect(s0.x).not.toBe(x0);
    const s1 = sampler.step(s0, () => tf.zeros([1, 1]), new Rng(0));
    // The input state is untouched: same tensor, same values.
    expect(Array.from(s0.x.dataSync())).toEqual([0]);
    expect(Array.from(s1.x.dataSync())).toEqual([1]);
    expect(s1).toMatchObject({ step: 1, position: { t: 0.5 } });
    expect(sampler.done(s1)).toBe(true);
    expect(() => sampler.step(s1, () => tf.zeros([1, 1]), new Rng(0))).toThrow(/all 1 steps already taken/);
    const rank1: tf.Tensor = tf.zeros([2]);
    expect(() => sampler.init(rank1 as tf.Tensor2D, () => tf.zeros([1, 1]))).toThrow(/x0 must be \[N, D\]/);
    rank1.dispose();
    [s0, s1].forEach((s) => sampler.release(s));
    x0.dispose();
  });

  it('rejects a driver that would not move', () => {
    const base = { kind: 'ald', grid: levelGrid([1]), finish: (s: { x: tf.Tensor2D }) => tf.clone(s.x), isSnapshot: never } as const;
    expect(() => predictorCorrectorSampler({ ...base, predictor: null, corrector: null, correctorSteps: 3 })).toThrow(/at least one corrector step/);
    expect(() => predictorCorrectorSampler({ ...base, predictor: null, corrector: (x) => tf.clone(x), correctorSteps: 0 })).toThrow(/at least one corrector step/);
    expect(() => predictorCorrectorSampler({ ...base, predictor: null, corrector: (x) => tf.clone(x), correctorSteps: -1 })).toThrow(/correctorSteps/);
  });
});
