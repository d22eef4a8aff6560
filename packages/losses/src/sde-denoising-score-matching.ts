import * as tf from '@tensorflow/tfjs';
import type { Sde } from '@scorelab/core';
import { checkScoreShape, weightedMean } from './noise';
import { checkSdeEps, perturbWithSde, type SdeScoreLoss, type SdeWeighting } from './sde-perturb';

export interface SdeDenoisingScoreMatchingOptions {
  sde: Sde;
  /** Default `sigma2` (lambda = s(t)^2). */
  weighting?: SdeWeighting;
  /** t ~ U(eps, T); default sde.eps. */
  eps?: number;
}

/**
 * Continuous-time denoising score matching (score_sde `get_sde_loss_fn`), kind `dsm` under an SDE:
 *   L = E_{t ~ U(eps, T)} E_{x_0, z}[ lambda(t) 1/2 || s(x_t, t) + z / s(t) ||^2 ],  x_t = m(t) x_0 + s(t) z,
 * summed over coordinates and averaged over the batch. -z / s(t) = grad log N(x_t; m x_0, s^2 I), so the
 * minimiser over all functions is the marginal score grad log p_t.
 */
export function sdeDenoisingScoreMatching(opts: SdeDenoisingScoreMatchingOptions): SdeScoreLoss {
  const { sde } = opts;
  const eps = checkSdeEps(sde, opts.eps, 'sdeDenoisingScoreMatching');
  const weighting = opts.weighting ?? 'sigma2';
  return (score, x, rng) =>
    tf.tidy(() => {
      const batch = perturbWithSde(x, rng, sde, eps, weighting);
      const s = score(batch.x, batch.t);
      checkScoreShape(s, x);
      const target = tf.div(batch.z, tf.reshape(batch.std, [-1, 1])); // z / s(t): [N, D]
      const terms = tf.mul(0.5, tf.sum(tf.square(tf.add(s, target)), 1)) as tf.Tensor1D;
      return weightedMean(terms, batch.weight);
    });
}
