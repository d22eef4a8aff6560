import * as tf from '@tensorflow/tfjs';
import type { Rng, Sde, TimeScoreFn } from '@scorelab/core';
import { gridSampler, resolveEps, type SdeSampler } from './sde-sampler';

export interface EulerMaruyamaOptions {
  sde: Sde;
  /** Number of grid steps from T to eps. */
  steps: number;
  /** Final time (default sde.eps). */
  eps?: number;
  /** Tweedie denoising at eps (default false). */
  denoise?: boolean;
}

/**
 * The Euler-Maruyama predictor of the reverse-time SDE dx = [f - g^2 s] dt + g dW from t to t - h:
 *   x <- x - [f(x, t) - g(t)^2 s(x, t)] h + g(t) sqrt(h) z,  z ~ N(0, I).
 * One score evaluation.
 */
export function eulerMaruyamaPredictor(sde: Sde, x: tf.Tensor2D, t: number, h: number, score: TimeScoreFn, rng: Rng): tf.Tensor2D {
  return tf.tidy(() => {
    const drift = sde.reverse(score, false).drift(x, t);
    const z = rng.normalTensor(x.shape);
    return tf.add(tf.sub(x, tf.mul(drift, h)), tf.mul(z, sde.diffusion(t) * Math.sqrt(h))) as tf.Tensor2D;
  });
}

/** Reverse-SDE sampling with Euler-Maruyama steps on the uniform grid T -> eps (kind `euler-maruyama`). NFE = steps (+1 with denoise). */
export function eulerMaruyama(opts: EulerMaruyamaOptions): SdeSampler {
  const { sde } = opts;
  const eps = resolveEps(sde, opts.eps, 'euler-maruyama');
  return gridSampler('euler-maruyama', sde, opts.steps, eps, opts.denoise ?? false, (x, t, h, score, rng) => eulerMaruyamaPredictor(sde, x, t, h, score, rng));
}
