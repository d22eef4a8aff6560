import * as tf from '@tensorflow/tfjs';
import type { NoiseFamily } from '@scorelab/core';
import { checkScoreShape, perturb, weightedMean } from './noise';
import type { ScoreLoss, Weighting } from './types';

export interface DenoisingScoreMatchingOptions {
  /** The noise levels (one or more) or the sde to perturb with; the clean family has nothing to denoise. */
  family: NoiseFamily;
  /** Default `sigma2`. */
  weighting?: Weighting;
}

/**
 * Denoising score matching (Vincent 2011; annealed as in NCSN; in continuous time as in score_sde's
 * `get_sde_loss_fn`), kind `dsm`:
 *   L = E_n E_{x, z}[ lambda_n 1/2 || s(m_n x + s_n z, c_n) + z / s_n ||^2 ],  z ~ N(0, I),
 * with c_n a noise level sigma_n (m = 1, s = sigma_n) drawn uniformly from the levels, or a time
 * t_n ~ U(trainEps, T) of an sde (m = m(t), s = s(t)). Since -z / s = grad log N(x~; m x, s^2 I), the minimiser
 * over all functions is the perturbed data's score. The score is always called with the condition tensor
 * [N]: a network with conditioning 'none' ignores it, which is how an unconditional model is trained
 * with dsm at one fixed sigma.
 */
export function denoisingScoreMatching(opts: DenoisingScoreMatchingOptions): ScoreLoss {
  const { family } = opts;
  if (family.kind === 'clean') throw new Error('loss dsm needs noise levels (a noise schedule with at least one level) or an sde');
  const weighting = opts.weighting ?? 'sigma2';
  return (score, x, rng) =>
    tf.tidy(() => {
      const batch = perturb(x, rng, family, weighting);
      const s = score(batch.x, batch.cond);
      checkScoreShape(s, x);
      const target = tf.div(batch.z!, tf.reshape(batch.std!, [-1, 1])); // z / s_n: [N, D]
      const terms = tf.mul(0.5, tf.sum(tf.square(tf.add(s, target)), 1)) as tf.Tensor1D;
      return weightedMean(terms, batch.weight);
    });
}
