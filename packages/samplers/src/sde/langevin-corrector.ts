import * as tf from '@tensorflow/tfjs';
import type { Rng, Sde, TimeScoreFn } from '@scorelab/core';
import { timeColumn } from './sde-sampler';

/**
 * `correctorSteps` Langevin MCMC steps targeting p_t (score_sde's LangevinCorrector, Algorithm 4/5 of the paper):
 *   eps_i = 2 alpha (snr ||z|| / ||s||)^2,  x <- x + eps_i s(x, t) + sqrt(2 eps_i) z,
 * with ||.|| the per-row L2 norm averaged over the batch (one step size for the whole batch, as in the
 * reference), alpha = 1 for VE and sub-VP and alpha = 1 - beta_i = m(t)^2 / m(t - h)^2 for VP (DDPM's alpha_i).
 * One score evaluation per step. Reads two norms per step from the backend (the step size is a number).
 */
export function langevinCorrector(sde: Sde, x: tf.Tensor2D, t: number, h: number, score: TimeScoreFn, rng: Rng, snr: number, correctorSteps: number): tf.Tensor2D {
  let alpha = 1;
  switch (sde.kind) {
    case 'vp':
      alpha = (sde.marginal(t).mean / sde.marginal(Math.max(0, t - h)).mean) ** 2;
      break;
    case 've':
    case 'subvp':
      break;
  }
  let current = tf.clone(x);
  for (let k = 0; k < correctorSteps; k++) {
    const next = tf.tidy(() => {
      const s = score(current, timeColumn(current.shape[0], t));
      const z = rng.normalTensor(current.shape);
      const norms = tf.stack([tf.mean(tf.norm(s, 'euclidean', 1)), tf.mean(tf.norm(z, 'euclidean', 1))]).dataSync();
      const ratio = norms[0] > 0 ? (snr * norms[1]) / norms[0] : 0;
      const stepSize = 2 * alpha * ratio * ratio;
      return tf.add(tf.add(current, tf.mul(s, stepSize)), tf.mul(z, Math.sqrt(2 * stepSize))) as tf.Tensor2D;
    });
    current.dispose();
    current = next;
  }
  return current;
}
