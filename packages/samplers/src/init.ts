import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';

/** Where chains start: i.i.d. U[low, high) or N(0, std^2) coordinates. */
export type InitSpec = { kind: 'uniform'; low: number; high: number } | { kind: 'gaussian'; std: number };

/** Initial samples x0: [n, dim] drawn from `spec`. */
export function initialSamples(spec: InitSpec, n: number, dim: number, rng: Rng): tf.Tensor2D {
  if (!Number.isInteger(n) || n < 1) throw new Error(`initialSamples: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`initialSamples: dim must be a positive integer, got ${dim}`);
  switch (spec.kind) {
    case 'uniform':
      if (!(spec.low < spec.high)) throw new Error(`initialSamples: uniform needs low < high, got [${spec.low}, ${spec.high}]`);
      return rng.uniformTensor([n, dim], spec.low, spec.high) as tf.Tensor2D;
    case 'gaussian':
      if (!(spec.std > 0)) throw new Error(`initialSamples: gaussian needs std > 0, got ${spec.std}`);
      return rng.normalTensor([n, dim], 0, spec.std) as tf.Tensor2D;
  }
}
