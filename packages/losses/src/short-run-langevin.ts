import * as tf from '@tensorflow/tfjs';
import type { Rng, ScoreFn } from '@scorelab/core';

export interface ShortRunLangevinOptions {
  /** Langevin steps k. */
  steps: number;
  /** Step a. */
  stepSize: number;
  /** Factor on the noise (1: Langevin dynamics of exp(-E); < 1: Du & Mordatch's colder chains). */
  noiseScale: number;
}

/**
 * The negatives' chain of loss ml: k steps of unadjusted Langevin dynamics on the current energy,
 *   x <- x + a s(x) + noiseScale sqrt(2a) z,  s = -grad_x E,  z ~ N(0, I)   (the `full` convention),
 * from x0: [N, D] (not disposed). Random draws: one rng.normalTensor([N, D]) per step. The result is a
 * fresh tensor made from the chain's values, so no gradient flows from it into the weights (the stop-gradient
 * of contrastive divergence) wherever it is called.
 */
export function shortRunLangevin(score: ScoreFn, x0: tf.Tensor2D, opts: ShortRunLangevinOptions, rng: Rng): tf.Tensor2D {
  const { steps, stepSize, noiseScale } = opts;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`negatives.steps must be an integer >= 1, got ${steps}`);
  if (!(stepSize > 0)) throw new Error(`negatives.stepSize must be > 0, got ${stepSize}`);
  if (!(noiseScale >= 0)) throw new Error(`negatives.noiseScale must be >= 0, got ${noiseScale}`);
  const [n, d] = x0.shape;
  const noise = noiseScale * Math.sqrt(2 * stepSize);
  let x = x0;
  for (let k = 0; k < steps; k++) {
    const next = tf.tidy(() => tf.add(tf.add(x, tf.mul(score(x), stepSize)), tf.mul(rng.normalTensor([n, d]), noise)) as tf.Tensor2D);
    if (x !== x0) x.dispose();
    x = next;
  }
  const values = x.dataSync().slice();
  x.dispose();
  return tf.tensor2d(values, [n, d]);
}
