import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exactScore, levelsFamily, Rng, selectBackend } from '@scorelab/core';
import { createDataset, createDensityDataset, hasExactDensity, type EmpiricalDataset } from '@scorelab/datasets';
import { DatasetSchema, METRIC, dsmAtKey } from '@scorelab/config';
import { nearestNeighbourDistances } from '@scorelab/metrics';
import { dataSampleMetricPoints, heldOutLossPoints, prepareHeldOutEvaluation } from './heldout-eval';
import type { MetricRecord } from './hooks';

beforeAll(async () => {
  await selectBackend('wasm');
});

const valueOf = (records: MetricRecord[], key: string) => {
  const r = records.find((p) => p.key === key);
  if (!r) throw new Error(`no ${key} in ${records.map((p) => p.key).join(', ')}`);
  return r.value;
};

describe('held-out losses of a run', () => {
  it('log eval/dsm@<sigma>, eval/dsm and eval/ssm; for the exact score of Gaussian data, the closed forms', () => {
    const d = 3;
    const std = 0.7;
    const dataset = createDensityDataset(DatasetSchema.parse({ kind: 'gaussian', dim: d, std }));
    const family = levelsFamily([1, 0.3]);
    const exact = exactScore(dataset, family);
    const n = 4000;
    const evaluation = prepareHeldOutEvaluation(dataset, new Rng(1), n);
    const before = tf.memory().numTensors;
    const records = heldOutLossPoints(['dsm', 'ssm'], family, evaluation, { score: exact }, 7);
    expect(tf.memory().numTensors).toBe(before);
    const v = std * std;
    let weighted = 0;
    for (const s of [1, 0.3]) {
      const exactDsm = (d * v) / (2 * s * s * (v + s * s));
      weighted += (s * s * exactDsm) / 2;
      // Relative sd of the mean of (c/2) chi^2_D over n rows: sqrt(2 / (D n)) = 0.013; 4 sd.
      expect(Math.abs(valueOf(records, dsmAtKey(s)) / exactDsm - 1)).toBeLessThan(4 * Math.sqrt(2 / (d * n)));
    }
    expect(Math.abs(valueOf(records, METRIC.dsm) / weighted - 1)).toBeLessThan(4 * Math.sqrt(2 / (d * n)));
    // eval/ssm = (1/K) sum_k s_k^2 (-D / (2 (v + s_k^2))); the sd of each term's mean is sqrt(D / (2 n)) / (v + s^2).
    const ssm = [1, 0.3].reduce((acc, s) => acc + (s * s * (-d / (2 * (v + s * s)))) / 2, 0);
    expect(Math.abs(valueOf(records, METRIC.ssm) - ssm)).toBeLessThan(4 * Math.sqrt(d / (2 * n)));
    expect(records.every((r) => r.step === 7)).toBe(true);
    // The same held-out points and noise at every evaluation: the same model gives the same numbers.
    expect(heldOutLossPoints(['dsm', 'ssm'], family, evaluation, { score: exact }, 8).map((r) => r.value)).toEqual(records.map((r) => r.value));
    expect(() => heldOutLossPoints(['dsm'], { kind: 'clean' }, evaluation, { score: exact }, 0)).toThrow(/needs noise levels or an sde/);
    evaluation.dispose();
  });

  it('hold out the test split of a data dataset', () => {
    const dataset = createDataset({ kind: 'digits', dequantize: false });
    const evaluation = prepareHeldOutEvaluation(dataset, new Rng(0));
    expect(evaluation.heldOut.shape).toEqual([359, 64]);
    evaluation.dispose();
  });
});

/** A file dataset of N(0, I) points in `dim` dimensions. */
function gaussianFile(rows: number, dim: number, seed: number): EmpiricalDataset {
  const values = new Rng(seed).normalArray(rows * dim);
  const ds = createDataset(DatasetSchema.parse({ kind: 'file', path: 'points.csv', split: { test: 0.2, seed: 0 } }), { values, rows, dim });
  if (hasExactDensity(ds)) throw new Error('file data has no density');
  return ds;
}

describe('sample metrics of a data dataset', () => {
  const rngs = (seed: number) => ({ metrics: new Rng(seed), reference: new Rng(seed + 1) });

  it('sample/nn_dist is 0 for copies of the training set and ref/nn_dist-like for fresh draws of the same law', () => {
    const dim = 8;
    const ds = gaussianFile(2500, dim, 3);
    const copies = ds.sample(400, new Rng(4));
    const fresh = tf.tidy(() => new Rng(5).normalTensor([400, dim]) as tf.Tensor2D);
    const before = tf.memory().numTensors;
    const copied = dataSampleMetricPoints(['nnDist'], ds, copies, rngs(6), 1);
    dataSampleMetricPoints(['mmd', 'swd'], ds, copies, rngs(6), 1);
    expect(tf.memory().numTensors).toBe(before);
    const drawn = dataSampleMetricPoints(['nnDist'], ds, fresh, rngs(6), 1);
    const ref = valueOf(drawn, METRIC.refNnDist);
    expect(valueOf(copied, METRIC.nnDist)).toBeLessThan(1e-3);
    expect(valueOf(copied, METRIC.refNnDist)).toBe(ref);
    // ref/nn_dist averages the 500 test rows, sample/nn_dist 400 fresh ones of the same law: their difference has
    // sd = sd(distance) sqrt(1/400 + 1/500); 4 sd.
    const test = ds.rows('test', new Rng(0));
    const train = ds.rows('train', new Rng(0));
    const distances = nearestNeighbourDistances(test, train);
    const sd = Math.sqrt(distances.reduce((a, v) => a + (v - ref) ** 2, 0) / (distances.length - 1));
    expect(ref).toBeGreaterThan(10 * sd * Math.sqrt(1 / 400 + 1 / 500));
    expect(Math.abs(valueOf(drawn, METRIC.nnDist) - ref)).toBeLessThan(4 * sd * Math.sqrt(1 / 400 + 1 / 500));
    tf.dispose([test, train]);
    tf.dispose([copies, fresh]);
  });

  it('the ref/mmd floor of disjoint training and test rows is unbiased (~0), and a wrong law scores above it', () => {
    const ds = gaussianFile(3000, 4, 7);
    const refs: number[] = [];
    for (let s = 0; s < 8; s++) {
      const fresh = tf.tidy(() => new Rng(100 + s).normalTensor([500, 4]) as tf.Tensor2D);
      const records = dataSampleMetricPoints(['mmd', 'swd'], ds, fresh, rngs(200 + 2 * s), 2);
      refs.push(valueOf(records, METRIC.refMmd));
      if (s === 0) {
        expect(records.map((r) => r.key)).toEqual([METRIC.mmd, METRIC.refMmd, METRIC.mmdP, METRIC.swd, METRIC.refSwd]);
        const wide = tf.tidy(() => tf.mul(fresh, 1.5) as tf.Tensor2D);
        const wrong = dataSampleMetricPoints(['mmd'], ds, wide, rngs(200), 2);
        expect(valueOf(wrong, METRIC.mmd)).toBeGreaterThan(10 * Math.abs(valueOf(records, METRIC.refMmd)) + 0.01);
        expect(valueOf(wrong, METRIC.mmdP)).toBeLessThan(0.01);
        wide.dispose();
      }
      fresh.dispose();
    }
    const mean = refs.reduce((a, b) => a + b, 0) / refs.length;
    const sd = Math.sqrt(refs.reduce((a, b) => a + (b - mean) ** 2, 0) / (refs.length - 1));
    // Unbiased: the mean of 8 floors is within 4 standard errors of 0 (sampling with replacement would add ~ +C(500,2)/2400 repeated pairs).
    expect(Math.abs(mean)).toBeLessThan(4 * (sd / Math.sqrt(refs.length)));
  });
});
