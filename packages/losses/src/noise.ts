import * as tf from '@tensorflow/tfjs';
import { hasTangents, type Rng, type ScoreFn, type TangentScoreFn } from '@scorelab/core';
import type { JacobianMode, Weighting } from './types';

/**
 * A batch as the objective sees it. Annealed (noise levels given): per sample n a level
 * sigma_n drawn uniformly from the schedule, z_n ~ N(0, I) and x~_n = x_n + sigma_n z_n, with
 * weight lambda(sigma_n). Single-scale: x~ = x, no sigma, weight 1.
 */
export interface PerturbedBatch {
  /** x~: [N, D]. */
  x: tf.Tensor2D;
  /** The standard normal noise z: [N, D]; null single-scale. */
  z: tf.Tensor2D | null;
  /** sigma_n: [N]; undefined single-scale (the score is called without sigma). */
  sigma: tf.Tensor1D | undefined;
  /** lambda(sigma_n): [N]; null means weight 1. */
  weight: tf.Tensor1D | null;
}

/** Validated noise levels; null (no levels, or an empty list) means single-scale. */
export function noiseLevels(sigmas: readonly number[] | undefined | null, where: string): number[] | null {
  if (sigmas === undefined || sigmas === null || sigmas.length === 0) return null;
  for (const s of sigmas) {
    if (!(Number.isFinite(s) && s > 0)) throw new Error(`${where}: noise levels must be finite and > 0, got ${s}`);
  }
  return sigmas.slice();
}

export function lambda(weighting: Weighting, sigma: number): number {
  switch (weighting) {
    case 'sigma2':
      return sigma * sigma;
    case 'none':
      return 1;
  }
}

/**
 * Draw the perturbation of a batch. Random draws, in this order: one level index per sample
 * (rng.int, only when there are >= 2 levels), then z = rng.normalTensor([N, D]). Callers draw
 * their projections after this, so every Jacobian mode consumes the stream identically.
 */
export function perturb(x: tf.Tensor2D, rng: Rng, sigmas: number[] | null, weighting: Weighting): PerturbedBatch {
  if (x.rank !== 2) throw new Error(`expected a batch x of shape [N, D], got [${x.shape}]`);
  if (sigmas === null) return { x, z: null, sigma: undefined, weight: null };
  const [n, d] = x.shape;
  const sig = new Float32Array(n);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = sigmas.length === 1 ? sigmas[0] : sigmas[rng.int(sigmas.length)];
    sig[i] = s;
    w[i] = lambda(weighting, s);
  }
  const sigma = tf.tensor1d(sig);
  const z = rng.normalTensor([n, d]) as tf.Tensor2D;
  const xt = tf.add(x, tf.mul(tf.reshape(sigma, [n, 1]), z)) as tf.Tensor2D;
  return { x: xt, z, sigma, weight: tf.tensor1d(w) };
}

/** (1/N) sum_n lambda_n term_n, terms: [N]. */
export function weightedMean(terms: tf.Tensor1D, weight: tf.Tensor1D | null): tf.Scalar {
  return tf.mean(weight === null ? terms : tf.mul(terms, weight)) as tf.Scalar;
}

/** Resolve `auto`, and refuse forward mode for a score without tangents. */
export function resolveJacobian(score: ScoreFn, mode: JacobianMode): 'forward' | 'backprop' {
  switch (mode) {
    case 'auto':
      return hasTangents(score) ? 'forward' : 'backprop';
    case 'forward':
      if (!hasTangents(score)) throw new Error("jacobian 'forward' needs a score with withTangents (a TangentScoreFn); use 'backprop' or 'auto'");
      return 'forward';
    case 'backprop':
      return 'backprop';
  }
}

export function asTangentScore(score: ScoreFn): TangentScoreFn {
  if (!hasTangents(score)) throw new Error('score has no withTangents');
  return score;
}

/** The score must map [N, D] to [N, D]; a wrong shape would broadcast into a wrong number. */
export function checkScoreShape(s: tf.Tensor, x: tf.Tensor2D): void {
  if (s.rank !== 2 || s.shape[0] !== x.shape[0] || s.shape[1] !== x.shape[1]) {
    throw new Error(`score returned shape [${s.shape}] for x of shape [${x.shape}]`);
  }
}
