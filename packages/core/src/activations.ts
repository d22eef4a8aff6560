import * as tf from '@tensorflow/tfjs';

/**
 * Activations written with the kernels the wasm backend makes fast. Its Softplus and Tanh go
 * through a slow exp/log (about 4x slower than the alternatives below on a [1280, 128] batch,
 * tools/bench), while Sigmoid is vectorised. Both rewrites are exact identities; in float32 they
 * agree with tf.softplus and tf.tanh to ~2e-7 (tested).
 */

/**
 * softplus(z) = max(z, 0) - log(sigmoid(|z|)): the log argument stays in [1/2, 1], so nothing
 * overflows. Gradient dy * sigmoid(z), from the input (so nested gradients are exact).
 */
export const fastSoftplus: (z: tf.Tensor) => tf.Tensor = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
  save([z]);
  return {
    value: tf.sub(tf.relu(z), tf.log(tf.sigmoid(tf.abs(z)))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, tf.sigmoid(saved[0]))],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (z: tf.Tensor) => tf.Tensor;

/** tanh(z) = 2 sigmoid(2z) - 1 (autodiff through sigmoid, whose gradient core re-registers from the input). */
export function fastTanh(z: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(z, 2)), 2), 1);
}
