import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { JsAdam } from './adam';
import { selectBackend } from './backend';

// PyTorch's Adam written out in Float64, independently of JsAdam's loop.
function referenceAdam(p0: number[], grads: number[][], lr: number): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const p = p0.slice();
  const m = p0.map(() => 0);
  const v = p0.map(() => 0);
  grads.forEach((g, t) => {
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mHat = m[i] / (1 - b1 ** (t + 1));
      const vHat = v[i] / (1 - b2 ** (t + 1));
      p[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return p;
}

describe('JsAdam', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('matches the PyTorch update rule step by step, skips null gradients, returns |g|^2', () => {
    const p0 = [0.5, -1.25, 2.0, 3e-3];
    const w = tf.variable(tf.tensor1d(p0));
    const frozen = tf.variable(tf.tensor1d([7, 8]));
    const adam = new JsAdam([w, frozen], 0.01);
    const grads = [
      [0.1, -2, 0.003, 5],
      [-0.4, 1, 0.002, 5],
      [0.3, 0.5, -0.001, -5],
    ];
    grads.forEach((g) => {
      const sq = adam.apply([tf.tensor1d(g), null]);
      expect(sq).toBeCloseTo(
        g.reduce((a, b) => a + Math.fround(b) ** 2, 0),
        5,
      );
    });
    const want = referenceAdam(p0, grads, 0.01);
    const got = w.dataSync();
    // float32 weights: agreement to ~1e-7 relative.
    want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    expect(Array.from(frozen.dataSync())).toEqual([7, 8]);
  });
});
