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

  it('clipGradNorm scales the gradient to norm c (sgd: the step is lr c / |g| times the gradient) and reports the norm before clipping', () => {
    // At w = 0 the gradient of sum (w - t)^2 is -2 t = (-2, 4, -6), norm sqrt(56) = 7.48: clipped to 1, sgd with lr 0.5 moves w by
    // 0.5 * (2, -4, 6) / sqrt(56); unclipped (c = 100 > norm) by 0.5 * (2, -4, 6).
    for (const [c, factor] of [
      [1, 1 / Math.sqrt(56)],
      [100, 1],
    ]) {
      const target = tf.tensor1d([1, -2, 3]);
      const w = tf.variable(tf.zeros([3]));
      const trainer = new Trainer({ params: [w], objective: () => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar, optimizer: 'sgd', lr: 0.5, clipGradNorm: c });
      expect(trainer.step(true)!.gradNorm).toBeCloseTo(Math.sqrt(56), 5);
      Array.from(w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(0.5 * [2, -4, 6][i] * factor, 5));
      tf.dispose([target, w]);
      trainer.dispose();
    }
    expect(() => new Trainer({ params: [tf.variable(tf.zeros([1]))], objective: () => tf.scalar(0), optimizer: 'sgd', lr: 1, clipGradNorm: 0 })).toThrow(/clipGradNorm must be > 0/);
  });

  it('rejects a bad learning rate', () => {
    expect(() => new Trainer({ params: [tf.variable(tf.zeros([1]))], objective: () => tf.scalar(0), optimizer: 'sgd', lr: 0 })).toThrow(/lr must be > 0/);
  });

  for (const optimizer of ['adam', 'sgd'] as const) {
    it(`${optimizer}: state() then restore() into a fresh trainer continues with the same numbers as without the round trip`, () => {
      // A fixed sequence of quadratic objectives (one per step), so that the step number matters.
      const targets = Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(i), i / 10]);
      const make = () => {
        const w = tf.variable(tf.tensor1d([0.5, -0.5, 0.25]));
        const b = tf.variable(tf.zeros([2]));
        let i = 0;
        const objective = () => {
          const t = tf.tensor1d(targets[i++ % targets.length]);
          return tf.add(tf.sum(tf.square(tf.sub(w, t))), tf.sum(tf.square(tf.sub(b, tf.slice(t, 0, 2))))) as tf.Scalar;
        };
        return { w, b, trainer: new Trainer({ params: [w, b], objective, optimizer, lr: 0.05 }), skip: (n: number) => (i += n) };
      };
      const straight = make();
      for (let i = 0; i < 7; i++) straight.trainer.step(false);
      const saved = straight.trainer.state();
      expect(saved.steps).toBe(7);
      expect(saved.adam === null).toBe(optimizer === 'sgd');
      if (saved.adam) expect(saved.adam.t).toEqual([7, 7]);
      const losses = Array.from({ length: 8 }, () => straight.trainer.step(true)!.loss);
      const resumed = make();
      resumed.skip(7); // the objective's own position (a checkpoint restores the run's random streams for this)
      resumed.trainer.restore(saved);
      expect(resumed.trainer.stepsDone).toBe(7);
      // The snapshot is a copy: training on did not change it.
      expect(Array.from(resumed.w.dataSync())).toEqual(Array.from(saved.weights[0]));
      const again = Array.from({ length: 8 }, () => resumed.trainer.step(true)!.loss);
      expect(again).toEqual(losses);
      expect(Array.from(resumed.w.dataSync())).toEqual(Array.from(straight.w.dataSync()));
      expect(Array.from(resumed.b.dataSync())).toEqual(Array.from(straight.b.dataSync()));
      // Without restoring Adam's moments the numbers differ (so the test can fail).
      if (optimizer === 'adam') {
        const weightsOnly = make();
        weightsOnly.skip(7);
        weightsOnly.w.assign(tf.tensor1d(saved.weights[0]));
        weightsOnly.b.assign(tf.tensor1d(saved.weights[1]));
        const plain = new Trainer({ params: [weightsOnly.w, weightsOnly.b], objective: () => tf.scalar(0), optimizer, lr: 0.05 });
        expect(() => plain.restore({ ...saved, adam: null })).toThrow(/no Adam state/);
        expect(() => plain.restore({ ...saved, weights: [saved.weights[0]] })).toThrow(/do not match/);
      }
      straight.trainer.dispose();
      resumed.trainer.dispose();
    });
  }
});
