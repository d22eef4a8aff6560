import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { Trainer } from './train';

describe('Trainer', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('minimises a quadratic, reports loss and gradient norm, leaks nothing', () => {
    const target = tf.tensor1d([1, -2, 3]);
    const w = tf.variable(tf.zeros([3]));
    const trainer = new Trainer({ params: [w], objective: () => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar, optimizer: 'adam', lr: 0.1 });
    const first = trainer.step(true)!;
    // At w = 0: loss = 1 + 4 + 9 = 14, gradient 2(w - t) = (-2, 4, -6), norm sqrt(56).
    expect(first.loss).toBeCloseTo(14, 5);
    expect(first.gradNorm).toBeCloseTo(Math.sqrt(56), 5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 500; i++) expect(trainer.step(false)).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    expect(trainer.step(true)!.loss).toBeLessThan(1e-3);
    trainer.dispose();
  });

  it('rejects a bad learning rate', () => {
    expect(() => new Trainer({ params: [tf.variable(tf.zeros([1]))], objective: () => tf.scalar(0), optimizer: 'sgd', lr: 0 })).toThrow(/lr must be > 0/);
  });
});
