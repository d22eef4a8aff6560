import * as tf from '@tensorflow/tfjs';
import type { ScoreFn } from '@scorelab/core';
import { conditionColumn } from './condition';

/**
 * Tweedie's formula, the optional last step of every sampler: for x~ = m x_0 + s z, z ~ N(0, I),
 * E[m x_0 | x~] = x~ + s^2 grad log p(x~), so E[x_0 | x~] = (x~ + s^2 score(x~, cond)) / m.
 * Noise levels have m = 1 (x~ + sigma_L^2 s(x~, sigma_L), no division); an SDE at time t has m(t), s(t).
 * x: [N, D] -> [N, D], a new tensor. One score call.
 */
export function tweedieDenoise(x: tf.Tensor2D, score: ScoreFn, cond: number, perturbation: { mean: number; std: number }): tf.Tensor2D {
  const { mean, std } = perturbation;
  return tf.tidy(() => {
    const moved = tf.add(x, tf.mul(score(x, conditionColumn(x.shape[0], cond)), std * std)) as tf.Tensor2D;
    return mean === 1 ? moved : (tf.div(moved, mean) as tf.Tensor2D);
  });
}
