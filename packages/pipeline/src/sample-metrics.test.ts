import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { createDensityDataset } from '@scorelab/datasets';
import { mmd, modeWeightTvFloor, slicedWasserstein } from '@scorelab/metrics';
import { METRIC, type DatasetSpec } from '@scorelab/config';
import { sampleMetricPoints } from './sample-metrics';
import { runRngs } from './rngs';

beforeAll(async () => {
  await selectBackend('wasm');
});

const valueOf = (points: { key: string; value: number }[], key: string): number => {
  const p = points.find((q) => q.key === key);
  if (!p) throw new Error(`no ${key}`);
  return p.value;
};

describe('sampleMetricPoints: each sample metric beside its ref/ floor', () => {
  it('leaves the sample/ values as before and adds ref/mmd, ref/swd, ref/mode_weight*, sample/mmd_p', () => {
    const dataset = createDensityDataset({ kind: 'mog2d-weighted' });
    const rngs = runRngs(3);
    const samples = dataset.sample(500, new Rng(9));
    const data = dataset.sample(1000, rngs.metrics);
    const twin = runRngs(3).metrics; // replays the metrics stream: the data, then the swd projections
    dataset.sample(1000, twin).dispose();
    const points = sampleMetricPoints(['mmd', 'swd', 'modeWeights'], dataset, samples, data, rngs, 7);
    expect(points.every((p) => p.step === 7)).toBe(true);
    expect(points.map((p) => p.key)).toEqual([
      METRIC.mmd, METRIC.refMmd, METRIC.mmdP, METRIC.swd, METRIC.refSwd,
      METRIC.modeWeightTv, METRIC.modeWeight(0), METRIC.modeWeight(1),
      METRIC.refModeWeightTv, METRIC.refModeWeight(0), METRIC.refModeWeight(1),
    ]);
    expect(valueOf(points, METRIC.mmd)).toBe(mmd(samples, data));
    expect(valueOf(points, METRIC.swd)).toBe(slicedWasserstein(samples, data, twin));
    // Exact samples: the p-value is not tiny, and ref/ scatters on the same scale as sample/.
    expect(valueOf(points, METRIC.mmdP)).toBeGreaterThan(0.01);
    expect(Math.abs(valueOf(points, METRIC.refMmd))).toBeLessThan(0.01);
    expect(valueOf(points, METRIC.refSwd)).toBeGreaterThan(0);
    expect(valueOf(points, METRIC.refModeWeight(0)) + valueOf(points, METRIC.refModeWeight(1))).toBeCloseTo(1, 12);
    tf.dispose([samples, data]);
  });

  it('draws the floors from the reference stream only: the same whichever metrics are listed, finite for diverged samples', () => {
    const dataset = createDensityDataset({ kind: '8gaussians', scale: 1 });
    const data = dataset.sample(400, new Rng(1));
    const good = dataset.sample(300, new Rng(2));
    const bad = tf.fill([300, 2], NaN) as tf.Tensor2D;
    const all = sampleMetricPoints(['mmd', 'swd', 'modeWeights'], dataset, good, data, runRngs(5), 0);
    const onlySwd = sampleMetricPoints(['swd'], dataset, bad, data, runRngs(5), 0);
    expect(valueOf(onlySwd, METRIC.swd)).toBeNaN();
    expect(valueOf(onlySwd, METRIC.refSwd)).toBe(valueOf(all, METRIC.refSwd));
    const diverged = sampleMetricPoints(['mmd'], dataset, bad, data, runRngs(5), 0);
    expect(valueOf(diverged, METRIC.mmd)).toBeNaN();
    expect(valueOf(diverged, METRIC.mmdP)).toBeNaN();
    expect(valueOf(diverged, METRIC.refMmd)).toBe(valueOf(all, METRIC.refMmd));
    expect(sampleMetricPoints([], dataset, good, data, runRngs(5), 0)).toEqual([]);
    // No tensor outlives a call: the reference set, kernel blocks and projections are all freed.
    const before = tf.memory().numTensors;
    sampleMetricPoints(['mmd', 'swd', 'modeWeights'], dataset, good, data, runRngs(6), 0);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([data, good, bad]);
  });

  // The closed form of issue 13: E TV ~= 1/2 sum_k sqrt(2 w_k (1 - w_k) / (pi n)) for n exact samples.
  it.each<[DatasetSpec, number]>([
    [{ kind: '8gaussians', scale: 1 }, 0.0334],
    [{ kind: 'rings', scale: 1 }, 0.174],
  ])('ref/mode_weight_tv of %o at n = 1000 averages to the multinomial floor (%f) within 3 standard errors', (spec, approx) => {
    const dataset = createDensityDataset(spec);
    const n = 1000;
    const floor = modeWeightTvFloor(dataset.mixture!.weights, n);
    expect(floor).toBeCloseTo(approx, 3);
    const seeds = 60;
    const tvs: number[] = [];
    const samples = dataset.sample(n, new Rng(0));
    const data = dataset.sample(10, new Rng(1)); // mode weights compare with the true weights, not with data
    for (let seed = 0; seed < seeds; seed++) {
      tvs.push(valueOf(sampleMetricPoints(['modeWeights'], dataset, samples, data, runRngs(seed), 0), METRIC.refModeWeightTv));
    }
    tf.dispose([samples, data]);
    const mean = tvs.reduce((a, v) => a + v, 0) / seeds;
    const se = Math.sqrt(tvs.reduce((a, v) => a + (v - mean) ** 2, 0) / (seeds - 1) / seeds);
    expect(Math.abs(mean - floor)).toBeLessThan(3 * se);
  });
});
