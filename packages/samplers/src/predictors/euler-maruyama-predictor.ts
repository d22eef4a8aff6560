import * as tf from '@tensorflow/tfjs';
import type { Sde } from '@scorelab/core';
import type { TimePoint } from '../grid';
import type { GridUpdate } from '../update';

/**
 * The Euler-Maruyama predictor of the reverse-time SDE dx = [f - g^2 s] dt + g dW from t to t - h:
 *   x <- x - [f(x, t) - g(t)^2 s(x, t)] h + g(t) sqrt(h) z,  z ~ N(0, I): [N, D].
 * One score evaluation.
 */
export function eulerMaruyamaPredictor(sde: Sde): GridUpdate<TimePoint> {
  return (x, { t, h }, score, rng) =>
    tf.tidy(() => {
      const drift = sde.reverse(score, false).drift(x, t);
      const z = rng.normalTensor(x.shape);
      return tf.add(tf.sub(x, tf.mul(drift, h)), tf.mul(z, sde.diffusion(t) * Math.sqrt(h))) as tf.Tensor2D;
    });
}
