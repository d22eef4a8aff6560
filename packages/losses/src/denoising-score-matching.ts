import * as tf from '@tensorflow/tfjs';
import { checkScoreShape, noiseLevels, perturb, weightedMean } from './noise';
import type { ScoreLoss, Weighting } from './types';

export interface DenoisingScoreMatchingOptions {
  /** One noise level, or a schedule to anneal over (one level drawn per sample). */
  sigmas: number[] | number;
  weighting?: Weighting;
}

/**
 * Denoising score matching (Vincent 2011; annealed as in NCSN), kind `dsm`:
 *   L = E_n E_{x, z}[ lambda(sigma_n) 1/2 || s(x + sigma_n z, sigma_n) + z / sigma_n ||^2 ],
 * z ~ N(0, I), sigma_n uniform over the levels. Its minimiser over all functions is the score of
 * the perturbed data, grad log p_sigma, since -z/sigma = grad_x~ log N(x~; x, sigma^2 I).
 * The score is always called with a sigma tensor [N] (filled with the single level when a number
 * is given): a network with conditioning 'none' ignores it, which is how an unconditional
 * model is trained with dsm at one fixed sigma.
 */
export function denoisingScoreMatching(opts: DenoisingScoreMatchingOptions): ScoreLoss {
  const sigmas = noiseLevels(typeof opts.sigmas === 'number' ? [opts.sigmas] : opts.sigmas, 'denoisingScoreMatching');
  if (sigmas === null) throw new Error('denoisingScoreMatching: needs at least one noise level sigma');
  const weighting = opts.weighting ?? 'sigma2';
  return (score, x, rng) =>
    tf.tidy(() => {
      const batch = perturb(x, rng, sigmas, weighting);
      const sigma = batch.sigma!;
      const s = score(batch.x, sigma);
      checkScoreShape(s, x);
      const target = tf.div(batch.z!, tf.reshape(sigma, [-1, 1])); // z / sigma_n: [N, D]
      const terms = tf.mul(0.5, tf.sum(tf.square(tf.add(s, target)), 1)) as tf.Tensor1D;
      return weightedMean(terms, batch.weight);
    });
}
