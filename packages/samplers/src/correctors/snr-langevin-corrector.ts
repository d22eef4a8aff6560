import * as tf from '@tensorflow/tfjs';
import type { Sde } from '@scorelab/core';
import { conditionColumn } from '../condition';
import type { TimePoint } from '../grid';
import type { GridUpdate } from '../update';

/**
 * One Langevin MCMC step targeting p_t with a signal-to-noise step size (score_sde's LangevinCorrector,
 * Algorithms 4/5 of Song et al. 2021):
 *   eps_t = 2 alpha (snr ||z|| / ||s||)^2,  x <- x + eps_t s(x, t) + sqrt(2 eps_t) z,
 * with ||.|| the per-row L2 norm averaged over the batch (one step size for the whole batch, as in the
 * reference), alpha = 1 for VE and sub-VP and alpha = 1 - beta_i = m(t)^2 / m(t - h)^2 for VP (DDPM's alpha_i).
 * One score evaluation. Reads two norms from the backend (the step size is a number).
 */
export function snrLangevinCorrector(sde: Sde, snr: number): GridUpdate<TimePoint> {
  if (!(snr > 0 && Number.isFinite(snr))) throw new Error(`pc: snr must be > 0, got ${snr}`);
  const alphaAt = (t: number, h: number): number => {
    switch (sde.kind) {
      case 'vp':
        return (sde.marginal(t).mean / sde.marginal(Math.max(0, t - h)).mean) ** 2;
      case 've':
      case 'subvp':
        return 1;
    }
  };
  return (x, { t, h }, score, rng) => {
    const alpha = alphaAt(t, h);
    return tf.tidy(() => {
      const s = score(x, conditionColumn(x.shape[0], t));
      const z = rng.normalTensor(x.shape);
      const norms = tf.stack([tf.mean(tf.norm(s, 'euclidean', 1)), tf.mean(tf.norm(z, 'euclidean', 1))]).dataSync();
      const ratio = norms[0] > 0 ? (snr * norms[1]) / norms[0] : 0;
      const stepSize = 2 * alpha * ratio * ratio;
      return tf.add(tf.add(x, tf.mul(s, stepSize)), tf.mul(z, Math.sqrt(2 * stepSize))) as tf.Tensor2D;
    });
  };
}
