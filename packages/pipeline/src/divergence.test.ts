// Divergence fails a run with the reason, the step and the key to change: sampler chains that are not
// finite or leave the sane range (instead of NaN or 1e23 sample metrics on a `finished` run), and a
// training loss that diverges because of an extreme noise scale (instead of "try a smaller train.lr").
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig, type RunConfigInput } from '@scorelab/config';
import { noiseFamily, selectBackend } from '@scorelab/core';
import { type Box, extremeScale, SANE_RANGE_FACTOR } from './divergence';
import { executeRun } from './execute-run';
import { type MetricRecord, RunFailure, type RunHooks } from './hooks';

beforeAll(async () => {
  await selectBackend('wasm');
});

function hooks(): RunHooks & { points: MetricRecord[] } {
  const points: MetricRecord[] = [];
  return { points, log: (p) => points.push(...p), progress: () => undefined, artifact: () => undefined, shouldStop: () => false };
}

/** The analytic model of the two-mode mixture on three noise levels: no training, only sampling. */
function analytic(sampler: Record<string, unknown>): RunConfigInput {
  return {
    dataset: { kind: 'mog2d-weighted' },
    model: { kind: 'analytic' },
    noise: { schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 3 },
    sampler: { kind: 'ald', stepSize: 0.1, stepsPerLevel: 100, samples: 200, init: { kind: 'uniform', low: -8, high: 8 }, ...sampler },
    eval: { metrics: ['mmd', 'swd'], samples: 200 },
  };
}

/** The RunFailure of a run, after checking it leaked no tensor and logged no sample metric. */
async function failureOf(input: RunConfigInput): Promise<RunFailure> {
  const h = hooks();
  const before = tf.memory().numTensors;
  let failure: unknown;
  try {
    await executeRun(resolveRunConfig(input), 0, h);
  } catch (e) {
    failure = e;
  }
  expect(tf.memory().numTensors).toBe(before);
  expect(failure).toBeInstanceOf(RunFailure);
  expect(h.points.filter((p) => p.key.startsWith('sample/'))).toEqual([]);
  return failure as RunFailure;
}

describe('sampler divergence', () => {
  it('stepSize 1e300: samples are not finite at the first progress report, named with its level', async () => {
    const f = await failureOf(analytic({ stepSize: 1e300 }));
    expect(f.message).toBe('sampling diverged: samples are not finite (NaN or Infinity) at sampler step 50 of 300 (level 1, sigma 20; within range at step 0); try a smaller sampler.stepSize');
    expect(f.step).toBe(0);
  });

  it('finite samples far outside the data fail too (stepSize 50 gave sample/swd 2.7e23)', async () => {
    // With the exact score each step at level 1 multiplies x - mean by about 1 - stepSize / 2 = -2:
    // after 50 steps the chains are ~1e16 away, still finite in float32 (stepSize 4 still gives swd 4.9).
    const f = await failureOf(analytic({ stepSize: 6 }));
    expect(f.message).toMatch(/^sampling diverged: samples left the sane range at sampler step 50 of 300 \(level 1, sigma 20; within range at step 0\): a coordinate is \S+ beyond \[-17600, 17600\] \(the bounding box of the data and the initial samples, widened by 1000 times its width\); try a smaller sampler\.stepSize$/);
  });

  it('an init range of +-1e308 (beyond float32): the initial samples, at step 0', async () => {
    const f = await failureOf(analytic({ init: { kind: 'uniform', low: -1e308, high: 1e308 } }));
    expect(f.message).toBe('sampling diverged: the initial samples are not finite (NaN or Infinity) at sampler step 0 of 300; check sampler.init');
  });

  it('an SDE sampler names its own key', async () => {
    const f = await failureOf({ dataset: { kind: 'mog2d-weighted' }, model: { kind: 'analytic' }, sde: { kind: 've', sigmaMax: 100 }, sampler: { kind: 'pc', steps: 20, snr: 1e6, samples: 100 }, eval: { metrics: ['mmd'], samples: 100 } });
    expect(f.message).toMatch(/^sampling diverged: samples left the sane range at sampler step 10 of 20 \(t 0\.\d+; within range at step 0\).*; try a smaller sampler\.snr or more sampler\.steps$/);
  });

  it('a sane run is untouched: the range is wide enough for its chains', async () => {
    const h = hooks();
    await executeRun(resolveRunConfig(analytic({})), 0, h);
    expect(Number.isFinite(h.points.find((p) => p.key === 'sample/swd')?.value)).toBe(true);
    expect(SANE_RANGE_FACTOR).toBe(1000);
  });
});

describe('training divergence names the likely key', () => {
  const trained = (noise: Record<string, unknown>): RunConfigInput => ({
    dataset: { kind: 'mog2d-weighted' },
    model: { kind: 'mlp', hidden: [8] },
    noise: { schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 3, ...noise },
    loss: { kind: 'dsm' },
    train: { steps: 10, batchSize: 16, logEvery: 5 },
  });

  it('noise.sigmaMax: 1e300', async () => {
    const f = await failureOf(trained({ sigmaMax: 1e300 }));
    expect(f.message).toMatch(/^training diverged: loss is NaN at step 5 \(last finite read at step 0\); noise\.sigmaMax gives a largest noise scale of 1e\+300, extreme for data of width \d+\.?\d*: use one near the largest distance between data points$/);
    expect(f.step).toBe(5);
  });

  it('the advice for each extreme scale, else the learning rate', () => {
    const box: Box = { low: [-8, -8], high: [8, 8] };
    const advice = (input: RunConfigInput, data = box) => {
      const config = resolveRunConfig(input);
      return extremeScale(config, noiseFamily(config), data);
    };
    expect(advice(trained({}))).toBeNull();
    expect(advice(trained({ sigmaMin: 1e-9 }))).toMatch(/^noise\.sigmaMin gives a smallest noise scale of 1e-9/);
    expect(advice({ ...trained({}), noise: { schedule: 'custom', sigmas: [1e12, 1] } })).toMatch(/^noise\.sigmas gives a largest noise scale of 1e\+12/);
    expect(advice({ ...trained({}), noise: undefined, sde: { kind: 've', sigmaMax: 1e300 } })).toMatch(/^sde\.sigmaMax gives a largest noise scale/);
    expect(advice({ ...trained({}), noise: undefined, sde: { kind: 'vp', betaMax: 1e300 } })).toMatch(/^sde\.betaMax is 1e\+300/);
    const huge = { low: [-1e20, -1e20], high: [1e20, 1e20] };
    expect(advice({ ...trained({}), dataset: { kind: 'moons', scale: 1e20 } }, huge)).toMatch(/^the data's scale is extreme .*: check dataset\.scale$/);
    expect(advice({ ...trained({}), dataset: { kind: 'gaussian', dim: 2, std: 1e30 } }, { low: [-Infinity, 0], high: [Infinity, 0] })).toMatch(/check dataset\.std$/);
  });
});
