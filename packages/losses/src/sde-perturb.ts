import * as tf from '@tensorflow/tfjs';
import type { Rng, Sde, TimeScoreFn } from '@scorelab/core';

/**
 * A training objective for a time-conditional score under an SDE: `loss(score, x, rng)` estimates the
 * objective on the clean batch x: [N, D], drawing the times and perturbations (and projections) from rng.
 * Differentiable w.r.t. the weights captured by `score`; never syncs to the CPU.
 */
export type SdeScoreLoss = (score: TimeScoreFn, x: tf.Tensor2D, rng: Rng) => tf.Scalar;

/**
 * lambda(t) multiplying each sample's term:
 * - `sigma2`: s(t)^2, the marginal variance (score_sde's default; makes every t's term O(1));
 * - `likelihood`: g(t)^2, which turns DSM into a bound on the negative log-likelihood (Song et al. 2021b).
 */
export type SdeWeighting = 'sigma2' | 'likelihood';

export interface SdeBatch {
  /** x_t = m(t) x_0 + s(t) z: [N, D]. */
  x: tf.Tensor2D;
  /** z ~ N(0, I): [N, D]. */
  z: tf.Tensor2D;
  /** t: [N]. */
  t: tf.Tensor1D;
  /** s(t): [N]. */
  std: tf.Tensor1D;
  /** lambda(t): [N]. */
  weight: tf.Tensor1D;
}

export function checkSdeEps(sde: Sde, eps: number | undefined, where: string): number {
  const e = eps ?? sde.eps;
  if (!(Number.isFinite(e) && e > 0 && e < sde.T)) throw new Error(`${where}: eps must be in (0, T = ${sde.T}), got ${e}`);
  return e;
}

/**
 * Draw t ~ U(eps, T) per sample (rng.uniform, N draws), then z = rng.normalTensor([N, D]), and perturb.
 * m(t), s(t), g(t) are computed in float64 from the float32-rounded t that the score sees.
 */
export function perturbWithSde(x: tf.Tensor2D, rng: Rng, sde: Sde, eps: number, weighting: SdeWeighting): SdeBatch {
  if (x.rank !== 2) throw new Error(`expected a batch x of shape [N, D], got [${x.shape}]`);
  const [n, d] = x.shape;
  const t = new Float32Array(n);
  const mean = new Float32Array(n);
  const std = new Float32Array(n);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const ti = Math.fround(eps + (sde.T - eps) * rng.uniform());
    const m = sde.marginal(ti);
    t[i] = ti;
    mean[i] = m.mean;
    std[i] = m.std;
    weight[i] = sdeLambda(sde, weighting, ti, m.std);
  }
  const z = rng.normalTensor([n, d]) as tf.Tensor2D;
  const stdT = tf.tensor1d(std);
  const xt = tf.tidy(() => tf.add(tf.mul(x, tf.tensor2d(mean, [n, 1])), tf.mul(z, tf.reshape(stdT, [n, 1]))) as tf.Tensor2D);
  return { x: xt, z, t: tf.tensor1d(t), std: stdT, weight: tf.tensor1d(weight) };
}

export function sdeLambda(sde: Sde, weighting: SdeWeighting, t: number, std: number): number {
  switch (weighting) {
    case 'sigma2':
      return std * std;
    case 'likelihood':
      return sde.diffusion(t) ** 2;
  }
}
