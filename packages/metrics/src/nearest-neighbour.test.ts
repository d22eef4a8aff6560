import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@scorelab/core';
import { meanNearestNeighbourDistance, nearestNeighbourDistances, nearestNeighbours } from './index';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('nearest-neighbour distances (sample/nn_dist, ref/nn_dist)', () => {
  it('equal a brute-force float64 computation', () => {
    const rng = new Rng(1);
    const x = rng.normalTensor([37, 5]) as tf.Tensor2D;
    const train = rng.normalTensor([600, 5]) as tf.Tensor2D;
    const got = nearestNeighbourDistances(x, train);
    const { indices } = nearestNeighbours(x, train);
    const xs = x.arraySync();
    const ts = train.arraySync();
    xs.forEach((a, i) => {
      const distances = ts.map((b) => Math.hypot(...a.map((v, c) => v - b[c])));
      const best = Math.min(...distances);
      expect(got[i]).toBeCloseTo(best, 4);
      // Continuous draws: the nearest row is unique, and its float32 distance gap to the second is far above rounding.
      expect(indices[i]).toBe(distances.indexOf(best));
    });
    tf.dispose([x, train]);
  });

  it('are ~0 for copies of the training set and, for fresh samples, those of held-out points', () => {
    const d = 16;
    const rng = new Rng(2);
    const train = rng.normalTensor([1500, d]) as tf.Tensor2D;
    const heldOut = rng.normalTensor([400, d]) as tf.Tensor2D;
    const fresh = rng.normalTensor([400, d]) as tf.Tensor2D;
    const copies = tf.tidy(() => tf.gather(train, tf.tensor1d(Array.from({ length: 400 }, (_, i) => (i * 7) % 1500), 'int32')) as tf.Tensor2D);
    const ref = meanNearestNeighbourDistance(heldOut, train);
    const copied = meanNearestNeighbourDistance(copies, train);
    const sampled = meanNearestNeighbourDistance(fresh, train);
    // Float32 rounding of ||a||^2 + ||b||^2 - 2 a.b at ||a||^2 ~ 16: distances of a copy are below sqrt(16 * 1e-6).
    expect(copied).toBeLessThan(5e-3);
    // In 16-D the nearest of 1500 standard normal points is ~2.9 away. Both are means over 400 fresh points of the
    // same law: they differ by sd(distance) sqrt(2 / 400) in sd; 4 sd.
    expect(ref).toBeGreaterThan(2.5);
    const d2 = nearestNeighbourDistances(heldOut, train);
    const sd = Math.sqrt(d2.reduce((acc, v) => acc + (v - ref) ** 2, 0) / (d2.length - 1));
    expect(Math.abs(sampled - ref)).toBeLessThan(4 * sd * Math.sqrt(2 / 400));
    // A shifted sampler is further away than held-out data.
    const shifted = tf.tidy(() => tf.add(fresh, 1) as tf.Tensor2D);
    expect(meanNearestNeighbourDistance(shifted, train)).toBeGreaterThan(1.1 * ref);
    tf.dispose([train, heldOut, fresh, copies, shifted]);
  });
});
