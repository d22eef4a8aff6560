import * as tf from '@tensorflow/tfjs';
import type { Sde } from '@scorelab/core';
import type { TimePoint } from '../grid';
import type { GridUpdate } from '../update';

/**
 * The reverse-diffusion predictor (score_sde): reverse the forward discretisation x_t = x_{t-h} + f + G z
 * (Sde.discretize: the exact Gaussian transition) as
 *   x <- x - f + G^2 s(x, t) + G z,  z ~ N(0, I): [N, D].
 * VE: x + (sigma(t)^2 - sigma(t-h)^2) s + sqrt(sigma(t)^2 - sigma(t-h)^2) z (the SMLD ancestral step);
 * VP: the DDPM ancestral step to first order. One score evaluation.
 */
export function reverseDiffusionPredictor(sde: Sde): GridUpdate<TimePoint> {
  return (x, { t, h }, score, rng) =>
    tf.tidy(() => {
      const { f, G } = sde.reverse(score, false).discretize(x, t, h);
      const z = rng.normalTensor(x.shape);
      return tf.add(tf.sub(x, f), tf.mul(z, G)) as tf.Tensor2D;
    });
}
