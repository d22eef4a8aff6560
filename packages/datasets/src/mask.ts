import * as tf from '@tensorflow/tfjs';

/**
 * A boolean mask computed off the gradient tape. tf.where asks for a gradient of its condition,
 * and comparison ops (Less, Greater, ...) have none, so a condition computed from x would make
 * tf.grad of logDensity throw; inside customGrad the comparison is not recorded.
 */
export function maskOffTape(x: tf.Tensor, predicate: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  return tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => {
    const t = input as tf.Tensor;
    return { value: predicate(t), gradFunc: () => tf.zerosLike(t) };
  })(x);
}
