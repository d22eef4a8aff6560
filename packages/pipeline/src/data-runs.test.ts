// Runs on data points without a known density (a file dataset's rows), in process: the ground-truth-free
// metrics with an sde (eval/dsm@t=<t>, eval/ssm, eval/nll of the test rows, sample/nn_dist), no exact score
// anywhere; and the held-out losses leave every other stream of a run alone.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig, type RunConfigInput } from '@scorelab/config';
import { Rng, selectBackend } from '@scorelab/core';
import { dataPoints, splitPoints, type DataPoints } from '@scorelab/datasets';
import { executeRun } from './execute-run';
import type { MetricRecord, RunHooks } from './hooks';
import { buildAnyRunModel, buildRunModel } from './run-model';

function collector(): RunHooks & { points: MetricRecord[]; artifacts: string[]; latest(key: string): number } {
  const points: MetricRecord[] = [];
  const artifacts: string[] = [];
  return {
    points,
    artifacts,
    log: (p) => points.push(...p),
    progress: () => undefined,
    artifact: (name) => artifacts.push(name),
    shouldStop: () => false,
    latest(key) {
      const found = points.filter((p) => p.key === key);
      if (found.length === 0) throw new Error(`no metric ${key}`);
      return found[found.length - 1].value;
    },
  };
}

/** n points of N(0, 0.25 I) in D dimensions, drawn here (not by the run). */
function gaussianPoints(n: number, d: number): DataPoints {
  const x = new Rng(99).normalTensor([n, d]);
  const values = Float32Array.from(x.dataSync(), (v) => 0.5 * v);
  x.dispose();
  return dataPoints(values, n, d);
}

const FILE_RUN: RunConfigInput = {
  dataset: { kind: 'file', path: 'points.csv', split: { test: 0.2, seed: 3 } },
  model: { kind: 'mlp', hidden: [16] },
  sde: { kind: 've', sigmaMin: 0.05, sigmaMax: 2 },
  loss: { kind: 'dsm' },
  train: { steps: 20, batchSize: 32, logEvery: 10 },
  sampler: { kind: 'euler-maruyama', steps: 10, samples: 40 },
  eval: { every: 10, metrics: ['dsm', 'ssm', 'nll', 'mmd', 'swd', 'nnDist'], samples: 40 },
};

describe('runs on data without a known density', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('log the held-out losses, eval/nll of the test rows and the memorisation check, never eval/fisher', async () => {
    const points = gaussianPoints(250, 3);
    const hooks = collector();
    const before = tf.memory().numTensors;
    await executeRun(resolveRunConfig(FILE_RUN), 0, hooks, { points });
    // The held-out sets, the rows and the artifacts' tensors are all disposed.
    expect(tf.memory().numTensors).toBe(before);
    const keys = [...new Set(hooks.points.map((p) => p.key))];
    expect(keys.filter((k) => k.startsWith('eval/fisher'))).toEqual([]);
    for (const k of ['eval/dsm', 'eval/ssm', 'eval/nll', 'perf/nll_nfe', 'sample/mmd', 'ref/mmd', 'sample/swd', 'ref/swd', 'sample/nn_dist', 'ref/nn_dist']) {
      expect(Number.isFinite(hooks.latest(k)), k).toBe(true);
    }
    expect(keys.filter((k) => k.startsWith('eval/dsm@t=')).length).toBeGreaterThan(1);
    // Logged at both evaluations, steps 10 and 20.
    expect(hooks.points.filter((p) => p.key === 'eval/dsm').map((p) => p.step)).toEqual([10, 20]);

    // ref/nn_dist: the 50 test rows (split seed 3) to their nearest of the 200 training rows, by brute force in float64.
    const { train, test } = splitPoints(points, 0.2, 3);
    const row = (t: DataPoints, i: number) => Array.from(t.values.subarray(i * 3, i * 3 + 3));
    let total = 0;
    for (let i = 0; i < test.rows; i++) {
      const x = row(test, i);
      let best = Infinity;
      for (let j = 0; j < train.rows; j++) best = Math.min(best, Math.hypot(...row(train, j).map((v, c) => v - x[c])));
      total += best;
    }
    // float32 expansion of the squared distance at |x| ~ 1: ~1e-6 relative on the square.
    expect(hooks.latest('ref/nn_dist')).toBeCloseTo(total / test.rows, 4);
    // 3-D points are neither 2-D pictures nor images: no artifacts (the checkpoint hook is unset here).
    expect(hooks.artifacts).toEqual([]);
  });

  it('need the file rows, and have no exact score', () => {
    const config = resolveRunConfig(FILE_RUN);
    expect(() => buildAnyRunModel(config, 0)).toThrow(/the file's points must be loaded first/);
    const model = buildAnyRunModel(config, 0, { points: gaussianPoints(20, 3), engine: 'tfjs' });
    expect(model.exact).toBeNull();
    model.dispose();
    expect(() => buildRunModel(resolveRunConfig({ ...FILE_RUN, dataset: { kind: 'digits' } }), 0)).toThrow(/dataset digits has no known density: build its model with buildAnyRunModel/);
  });

  it('eval.metrics dsm and ssm change no other number of a run on a density dataset', async () => {
    const run = (metrics: string[]) => {
      const hooks = collector();
      const config = resolveRunConfig({
        dataset: { kind: 'mog2d-weighted' },
        model: { kind: 'mlp', hidden: [16] },
        noise: { schedule: 'geometric', sigmaMax: 10, sigmaMin: 1, levels: 3 },
        loss: { kind: 'dsm' },
        train: { steps: 20, logEvery: 10 },
        sampler: { kind: 'ald', stepSize: 0.1, stepsPerLevel: 5, samples: 50, init: { kind: 'uniform', low: -8, high: 8 } },
        eval: { every: 10, metrics: metrics as ['fisher'], samples: 50 },
      });
      return executeRun(config, 5, hooks).then(() => hooks.points.filter((p) => !p.key.startsWith('perf/')));
    };
    const without = await run(['fisher', 'mmd', 'swd']);
    const withHeldOut = await run(['fisher', 'dsm', 'ssm', 'mmd', 'swd']);
    expect(withHeldOut.filter((p) => !p.key.startsWith('eval/dsm') && p.key !== 'eval/ssm')).toEqual(without);
    expect(withHeldOut.filter((p) => p.key === 'eval/dsm')).toHaveLength(2);
  });
});
