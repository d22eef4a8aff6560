import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastSoftplus, fastTanh } from './activations';
import { selectBackend } from './backend';

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`fast activations on ${backend}`, () => {
    beforeAll(async () => {
      await selectBackend(backend);
    });
    // z from -100 to 100: both tails and the middle.
    const zs = Array.from({ length: 4001 }, (_, i) => -100 + i * 0.05);

    it('softplus equals log(1 + e^z) (Float64) to float32 precision, gradient sigmoid(z)', () => {
      const got = fastSoftplus(tf.tensor1d(zs)).dataSync();
      const grad = tf.grad((z: tf.Tensor) => tf.sum(fastSoftplus(z)))(tf.tensor1d(zs)).dataSync();
      zs.forEach((z, i) => {
        const want = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
        expect(Math.abs(got[i] - want)).toBeLessThan(3e-7 * Math.max(1, want));
        expect(Math.abs(grad[i] - 1 / (1 + Math.exp(-z)))).toBeLessThan(3e-7);
      });
    });

    it('tanh equals Math.tanh to 3e-7, gradient 1 - tanh^2', () => {
      const got = fastTanh(tf.tensor1d(zs)).dataSync();
      const grad = tf.grad((z: tf.Tensor) => tf.sum(fastTanh(z)))(tf.tensor1d(zs)).dataSync();
      zs.forEach((z, i) => {
        expect(Math.abs(got[i] - Math.tanh(z))).toBeLessThan(3e-7);
        expect(Math.abs(grad[i] - (1 - Math.tanh(z) ** 2))).toBeLessThan(5e-7);
      });
    });
  });
}
