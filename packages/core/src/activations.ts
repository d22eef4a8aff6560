import * as tf from '@tensorflow/tfjs';
import type { MlpModelSpec } from '@scorelab/config';
import { eluDerivative } from './second-order-gradients';

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
export const fastSoftplus: (z: tf.Tensor) => tf.Tensor = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  // customGrad passes the inputs, then the save function.
  const [z, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([z]);
  return {
    value: tf.sub(tf.relu(z), tf.log(tf.sigmoid(tf.abs(z)))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, tf.sigmoid(saved[0]))],
  };
}) as (z: tf.Tensor) => tf.Tensor;

/** tanh(z) = 2 sigmoid(2z) - 1 (autodiff through sigmoid, whose gradient core re-registers from the input). */
export function fastTanh(z: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(z, 2)), 2), 1);
}

/** An activation of the MLP score networks (model.activation). */
export type Activation = MlpModelSpec['activation'];

/** act(z) and act'(z) together, so the tangent pass reuses the forward activations. */
export function activate(kind: Activation, z: tf.Tensor2D, withDerivative: boolean): [tf.Tensor2D, tf.Tensor2D | null] {
  switch (kind) {
    case 'softplus':
      return [fastSoftplus(z) as tf.Tensor2D, withDerivative ? tf.sigmoid(z) : null];
    case 'swish': {
      const s = tf.sigmoid(z);
      const a = tf.mul(z, s) as tf.Tensor2D;
      return [a, withDerivative ? (tf.add(s, tf.mul(a, tf.sub(1, s))) as tf.Tensor2D) : null];
    }
    case 'elu':
      return [tf.elu(z), withDerivative ? (eluDerivative(z) as tf.Tensor2D) : null];
    case 'relu':
      return [tf.relu(z), withDerivative ? (tf.step(z) as tf.Tensor2D) : null];
    case 'tanh': {
      const a = fastTanh(z) as tf.Tensor2D;
      return [a, withDerivative ? (tf.sub(1, tf.square(a)) as tf.Tensor2D) : null];
    }
  }
}

/**
 * act(z), act'(z) and act''(z) (the energy network's Hessian-vector products need the second derivative):
 * softplus'' = sig (1 - sig); swish'' = sig (1 - sig) (2 + z (1 - 2 sig)); elu'' = 0 for z > 0, exp(z) else;
 * relu'' = 0; tanh'' = -2 tanh (1 - tanh^2). Every factor is an explicit op, so autodiff of the result is first order.
 */
export function activateWithCurvature(kind: Activation, z: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  switch (kind) {
    case 'softplus': {
      const s = tf.sigmoid(z);
      return [fastSoftplus(z) as tf.Tensor2D, s, tf.mul(s, tf.sub(1, s)) as tf.Tensor2D];
    }
    case 'swish': {
      const s = tf.sigmoid(z);
      const a = tf.mul(z, s) as tf.Tensor2D;
      const ds = tf.mul(s, tf.sub(1, s));
      return [a, tf.add(s, tf.mul(a, tf.sub(1, s))) as tf.Tensor2D, tf.mul(ds, tf.add(2, tf.mul(z, tf.sub(1, tf.mul(2, s))))) as tf.Tensor2D];
    }
    case 'elu': {
      const down = tf.sub(1, tf.step(z));
      return [tf.elu(z), eluDerivative(z) as tf.Tensor2D, tf.mul(down, tf.exp(tf.minimum(z, 0))) as tf.Tensor2D];
    }
    case 'relu':
      return [tf.relu(z), tf.step(z) as tf.Tensor2D, tf.zerosLike(z)];
    case 'tanh': {
      const a = fastTanh(z) as tf.Tensor2D;
      const d = tf.sub(1, tf.square(a)) as tf.Tensor2D;
      return [a, d, tf.mul(-2, tf.mul(a, d)) as tf.Tensor2D];
    }
  }
}
