import * as tf from '@tensorflow/tfjs';
import { activate, type Activation } from './activations';

/**
 * The forward pass shared by the score MLPs, with forward-mode tangents carried next to the
 * activations: z_l = h_{l-1} W_l + b_l, h_l = act(z_l); a tangent u follows u_l = act'(z_l) * (u_{l-1} W_l).
 * input: [N, F] whose first `dim` columns are x (the rest, e.g. log sigma or time features, have
 * zero tangent, so only the first `dim` rows of W_1 act on tangents); tangents: K of [N, dim].
 * Returns the output [N, dim] divided row-wise by `scale` ([N, 1], or null), and J u for each tangent.
 */
export function mlpForward(
  params: tf.Variable[],
  activation: Activation,
  input: tf.Tensor2D,
  dim: number,
  tangents: tf.Tensor2D[],
  scale: tf.Tensor2D | null,
): { score: tf.Tensor2D; jvps: tf.Tensor2D[] } {
  const k = tangents.length;
  const { score, jvpStacked } = mlpForwardStacked(params, activation, input, dim, k > 0 ? (tf.concat(tangents, 0) as tf.Tensor2D) : null, scale);
  // tfjs's gradient of a one-way split passes dy as a tensor, not a list, and fails: skip the split.
  const jvps = jvpStacked ? (k === 1 ? [jvpStacked] : (tf.split(jvpStacked, k, 0) as tf.Tensor2D[])) : [];
  return { score, jvps };
}

/**
 * As mlpForward, with the K tangents stacked along the batch ([K*N, dim], block k = tangent k) in
 * and out. Avoids tf.split, whose wasm kernel is very slow for many pieces (exact sm pushes D).
 */
export function mlpForwardStacked(
  params: tf.Variable[],
  activation: Activation,
  input: tf.Tensor2D,
  dim: number,
  tangentsStacked: tf.Tensor2D | null,
  scale: tf.Tensor2D | null,
): { score: tf.Tensor2D; jvpStacked: tf.Tensor2D | null } {
  const n = input.shape[0];
  const k = tangentsStacked ? tangentsStacked.shape[0] / n : 0;
  if (!Number.isInteger(k)) throw new Error(`stacked tangents have ${tangentsStacked!.shape[0]} rows, not a multiple of N = ${n}`);
  const layers = params.length / 2;
  let h = input;
  let tan: tf.Tensor2D | null = tangentsStacked;
  for (let l = 0; l < layers; l++) {
    const W = params[2 * l] as tf.Tensor2D;
    const b = params[2 * l + 1];
    const Wt = l === 0 && input.shape[1] > dim ? (tf.slice(W, [0, 0], [dim, -1]) as tf.Tensor2D) : W;
    const z = tf.add(tf.matMul(h, W), b) as tf.Tensor2D;
    const tz = tan ? (tf.matMul(tan, Wt) as tf.Tensor2D) : null;
    if (l === layers - 1) {
      h = z;
      tan = tz;
      break;
    }
    const [a, da] = activate(activation, z, tan !== null);
    h = a;
    if (tz && da) {
      const width = z.shape[1];
      tan = tf.reshape(tf.mul(tf.reshape(tz, [k, n, width]), da), [k * n, width]) as tf.Tensor2D;
    }
  }
  let score = h;
  if (scale) {
    score = tf.div(score, scale) as tf.Tensor2D;
    if (tan) tan = tf.reshape(tf.div(tf.reshape(tan, [k, n, dim]), scale), [k * n, dim]) as tf.Tensor2D;
  }
  return { score, jvpStacked: tan };
}
