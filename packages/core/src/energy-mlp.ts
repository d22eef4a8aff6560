import * as tf from '@tensorflow/tfjs';
import { activate, activateWithCurvature, type Activation } from './activations';

/**
 * The scalar MLP f(input) of an energy network, with its input gradient by an explicit backward pass and
 * Hessian-vector products by forward-over-reverse, all as tfjs ops (so tfjs autodiff of any result is a
 * first-order weight gradient). Layers z_l = h_{l-1} W_l + b_l, h_l = act(z_l) (l < L), f = h_{L-1} W_L + b_L,
 * W_L: [H, 1]. Backward: g_{L-1} = W_L^T, delta_l = g_l * act'(z_l), g_{l-1} = delta_l W_l^T, grad_x f =
 * delta_1 W_1[:dim]^T. A tangent v: [N, dim] goes forward as zdot_1 = v W_1[:dim], zdot_l = (act'(z_{l-1}) *
 * zdot_{l-1}) W_l, and back as gdot_{L-1} = 0, deltadot_l = gdot_l * act'(z_l) + g_l * act''(z_l) * zdot_l,
 * gdot_{l-1} = deltadot_l W_l^T, so H v = deltadot_1 W_1[:dim]^T (H = d^2 f / dx^2, symmetric).
 * input: [N, F] whose first `dim` columns are x (the rest, the condition's features, have zero tangent);
 * tangents: K stacked along the batch, [K*N, dim] (block k = tangent k), or null.
 */
export function energyMlp(
  params: readonly tf.Variable[],
  activation: Activation,
  input: tf.Tensor2D,
  dim: number,
  gradient: boolean,
  tangentsStacked: tf.Tensor2D | null,
): { energy: tf.Tensor1D; gradX: tf.Tensor2D | null; hvpStacked: tf.Tensor2D | null } {
  const n = input.shape[0];
  const layers = params.length / 2;
  const k = tangentsStacked ? tangentsStacked.shape[0] / n : 0;
  if (!Number.isInteger(k)) throw new Error(`stacked tangents have ${tangentsStacked!.shape[0]} rows, not a multiple of N = ${n}`);
  if (layers < 2) throw new Error('an energy MLP needs at least one hidden layer');
  const firstRows = (W: tf.Tensor2D) => (input.shape[1] > dim ? (tf.slice(W, [0, 0], [dim, -1]) as tf.Tensor2D) : W);
  // Forward: act'(z_l) (and act''(z_l), zdot_l with tangents) of every hidden layer.
  const d1: tf.Tensor2D[] = [];
  const d2: tf.Tensor2D[] = [];
  const zdot: tf.Tensor3D[] = [];
  let h = input;
  let u: tf.Tensor2D | null = tangentsStacked; // act'(z_{l-1}) * zdot_{l-1}, stacked [K*N, width]
  for (let l = 0; l < layers - 1; l++) {
    const W = params[2 * l] as tf.Tensor2D;
    const z = tf.add(tf.matMul(h, W), params[2 * l + 1]) as tf.Tensor2D;
    const width = z.shape[1];
    if (u) {
      const [a, da, dda] = activateWithCurvature(activation, z);
      const zd = tf.reshape(tf.matMul(u, l === 0 ? firstRows(W) : W), [k, n, width]) as tf.Tensor3D;
      zdot.push(zd);
      d1.push(da);
      d2.push(dda);
      u = tf.reshape(tf.mul(zd, da), [k * n, width]) as tf.Tensor2D;
      h = a;
    } else {
      const [a, da] = activate(activation, z, gradient);
      if (da) d1.push(da);
      h = a;
    }
  }
  const WL = params[2 * layers - 2] as tf.Tensor2D;
  const energy = tf.reshape(tf.add(tf.matMul(h, WL), params[2 * layers - 1]), [n]) as tf.Tensor1D;
  if (!gradient && !tangentsStacked) return { energy, gradX: null, hvpStacked: null };
  // Backward: g_{L-1} = W_L^T as a row [1, H], broadcast over the batch.
  let g: tf.Tensor2D = tf.reshape(WL, [1, WL.shape[0]]) as tf.Tensor2D;
  let gdot: tf.Tensor3D | null = null;
  let gradX: tf.Tensor2D | null = null;
  let hvp: tf.Tensor2D | null = null;
  for (let l = layers - 2; l >= 0; l--) {
    const W = params[2 * l] as tf.Tensor2D;
    const back = l === 0 ? firstRows(W) : W;
    const delta = tf.mul(g, d1[l]) as tf.Tensor2D; // [N, H_l]
    let deltadot: tf.Tensor3D | null = null;
    if (tangentsStacked) {
      const curvature = tf.mul(tf.mul(g, d2[l]), zdot[l]) as tf.Tensor3D; // g_l * act''(z_l) * zdot_l: [K, N, H_l]
      deltadot = gdot ? (tf.add(tf.mul(gdot, d1[l]), curvature) as tf.Tensor3D) : curvature;
    }
    g = tf.matMul(delta, back, false, true) as tf.Tensor2D;
    if (deltadot) {
      const width = deltadot.shape[2];
      const next = tf.matMul(tf.reshape(deltadot, [k * n, width]) as tf.Tensor2D, back, false, true) as tf.Tensor2D;
      if (l === 0) hvp = next;
      else gdot = tf.reshape(next, [k, n, next.shape[1]]) as tf.Tensor3D;
    }
    if (l === 0) gradX = g;
  }
  return { energy, gradX, hvpStacked: hvp };
}
