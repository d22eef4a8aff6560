import * as tf from '@tensorflow/tfjs';
import type { Rng, Sde, TimeScoreFn } from '@scorelab/core';
import { gridSampler, resolveEps, type SdeSampler } from './sde-sampler';

export interface ReverseDiffusionOptions {
  sde: Sde;
  steps: number;
  eps?: number;
  denoise?: boolean;
}

/**
 * The reverse-diffusion predictor (score_sde): reverse the forward discretisation x_t = x_{t-h} + f + G z
 * (Sde.discretize: the exact Gaussian transition) as
 *   x <- x - f + G^2 s(x, t) + G z.
 * VE: x + (sigma(t)^2 - sigma(t-h)^2) s + sqrt(sigma(t)^2 - sigma(t-h)^2) z (the SMLD ancestral step);
 * VP: the DDPM ancestral step to first order. One score evaluation.
 */
export function reverseDiffusionPredictor(sde: Sde, x: tf.Tensor2D, t: number, h: number, score: TimeScoreFn, rng: Rng): tf.Tensor2D {
  const { f, G } = sde.reverse(score, false).discretize(x, t, h);
  return tf.tidy(() => {
    const z = rng.normalTensor(x.shape);
    const next = tf.add(tf.sub(x, f), tf.mul(z, G)) as tf.Tensor2D;
    f.dispose();
    return next;
  });
}

/** Reverse-diffusion sampling on the uniform grid T -> eps (kind `reverse-diffusion`). NFE = steps (+1 with denoise). */
export function reverseDiffusion(opts: ReverseDiffusionOptions): SdeSampler {
  const { sde } = opts;
  const eps = resolveEps(sde, opts.eps, 'reverse-diffusion');
  return gridSampler('reverse-diffusion', sde, opts.steps, eps, opts.denoise ?? false, (x, t, h, score, rng) => reverseDiffusionPredictor(sde, x, t, h, score, rng));
}
