import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';
import type { DataPoints } from './data-points';
import type { DataDatasetSpec, DataSplit, EmpiricalDataset, ImageLayout } from './dataset';

/** Maps stored values (one or more rows) to data values in place; `rng` draws any dequantisation noise. */
export type PointDecoder = (values: Float32Array, rng: Rng) => void;

export interface EmpiricalDatasetOptions {
  /** Stored values to data values (digits: pixels to [0, 1]); the identity when omitted. */
  decode?: PointDecoder;
  image?: ImageLayout;
}

/**
 * A dataset that is its two tables of points. sample(n, rng) draws n row indices uniformly from the
 * training rows (rng.int, in order), copies them and decodes them with the same rng.
 */
export function empiricalDataset(spec: DataDatasetSpec, train: DataPoints, test: DataPoints, options: EmpiricalDatasetOptions = {}): EmpiricalDataset {
  if (train.dim !== test.dim) throw new Error(`${spec.kind}: the training rows have ${train.dim} columns and the test rows ${test.dim}`);
  if (train.rows < 1 || test.rows < 1) throw new Error(`${spec.kind}: needs at least one training and one test row, got ${train.rows} and ${test.rows}`);
  const dim = train.dim;
  const decode = options.decode;
  const tables: Record<DataSplit, DataPoints> = { train, test };
  return {
    spec,
    dim,
    density: 'unknown',
    size: { train: train.rows, test: test.rows },
    sample(n: number, rng: Rng): tf.Tensor2D {
      if (!Number.isInteger(n) || n < 1) throw new Error(`${spec.kind}: sample size must be a positive integer, got ${n}`);
      const out = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) {
        const r = rng.int(train.rows);
        out.set(train.values.subarray(r * dim, (r + 1) * dim), i * dim);
      }
      decode?.(out, rng);
      return tf.tensor2d(out, [n, dim]);
    },
    rows(split: DataSplit, rng: Rng): tf.Tensor2D {
      const table = tables[split];
      const out = Float32Array.from(table.values);
      decode?.(out, rng);
      return tf.tensor2d(out, [table.rows, dim]);
    },
    ...(options.image ? { image: options.image } : {}),
  };
}
