import * as tf from '@tensorflow/tfjs';
import type { ScoreFn } from '../score';
import type { Sde } from './sde';

/**
 * Anything with the exact score of its Gaussian-perturbed law p_sigma = p * N(0, sigma^2 I), one sigma
 * per row (a @scorelab/datasets Dataset fits; core does not import datasets).
 */
export interface PerturbedScoreSource {
  score(x: tf.Tensor2D, sigma?: tf.Tensor1D): tf.Tensor2D;
}

/** Anything with the exact log-density of p_sigma, one sigma per row. */
export interface PerturbedDensitySource {
  logDensity(x: tf.Tensor2D, sigma: tf.Tensor1D): tf.Tensor1D;
}

/**
 * The exact marginal score of the SDE started from the data. Since x_t = m x_0 + s z, x_t / m is the data
 * perturbed at sigma = s / m, so p_t(x) = p_{s/m}(x / m) / m^D and
 *   grad log p_t(x) = (1 / m) score_{s/m}(x / m).
 * (VE: m = 1 and s = sigma(t), the dataset's perturbed score at sigma(t).)
 */
export function analyticTimeScore(source: PerturbedScoreSource, sde: Sde): ScoreFn {
  return (x, t) =>
    tf.tidy(() => {
      if (t === undefined) throw new Error('the exact marginal score of an sde needs t');
      const { mean, std } = sde.marginal(t);
      const m = tf.reshape(mean, [-1, 1]);
      const s = source.score(tf.div(x, m) as tf.Tensor2D, tf.div(std, mean) as tf.Tensor1D);
      return tf.div(s, m) as tf.Tensor2D;
    });
}

/** The exact log p_t(x) = log p_{s/m}(x / m) - D log m per row: [N]. x: [N, D], t: [N]. */
export function analyticTimeLogDensity(source: PerturbedDensitySource, sde: Sde): (x: tf.Tensor2D, t: tf.Tensor1D) => tf.Tensor1D {
  return (x, t) =>
    tf.tidy(() => {
      const { mean, std } = sde.marginal(t);
      const logp = source.logDensity(tf.div(x, tf.reshape(mean, [-1, 1])) as tf.Tensor2D, tf.div(std, mean) as tf.Tensor1D);
      return tf.sub(logp, tf.mul(tf.log(mean), x.shape[1])) as tf.Tensor1D;
    });
}
