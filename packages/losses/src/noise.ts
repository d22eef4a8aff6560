import * as tf from '@tensorflow/tfjs';
import { drawNoise, hasTangents, perturbRows, type NoiseFamily, type Rng, type ScoreFn, type TangentScoreFn } from '@scorelab/core';
import type { JacobianMode, Weighting } from './types';

/**
 * A batch as the objective sees it, perturbed by the noise family (core noise-family.ts): per sample n
 * a condition c_n (a noise level sigma_n drawn uniformly from the levels, or a time t_n ~ U(trainEps, T)),
 * z_n ~ N(0, I) and x~_n = m_n x_n + s_n z_n, with weight lambda_n. Clean family: x~ = x, no
 * condition, weight 1.
 */
export interface PerturbedBatch {
  /** x~: [N, D]. */
  x: tf.Tensor2D;
  /** The standard normal noise z: [N, D]; null when clean. */
  z: tf.Tensor2D | null;
  /** c_n: [N] (sigma or t); undefined when clean (the score is called without a condition). */
  cond: tf.Tensor1D | undefined;
  /** s_n, the perturbation's std: [N]; null when clean. */
  std: tf.Tensor1D | null;
  /** lambda_n: [N]; null means weight 1. */
  weight: tf.Tensor1D | null;
}

/**
 * Draw the perturbation of a batch. Random draws, in this order: the per-sample conditions
 * (core drawNoise), then z = rng.normalTensor([N, D]). Callers draw their projections after this,
 * so every Jacobian mode consumes the stream identically.
 */
export function perturb(x: tf.Tensor2D, rng: Rng, family: NoiseFamily, weighting: Weighting): PerturbedBatch {
  if (x.rank !== 2) throw new Error(`expected a batch x of shape [N, D], got [${x.shape}]`);
  const [n, d] = x.shape;
  const draw = drawNoise(family, n, rng, weighting);
  if (draw === null) return { x, z: null, cond: undefined, std: null, weight: null };
  const z = rng.normalTensor([n, d]) as tf.Tensor2D;
  // For noise levels cond and std are the same numbers (sigma): one tensor serves both.
  const cond = tf.tensor1d(draw.cond);
  const std = draw.cond === draw.std ? cond : tf.tensor1d(draw.std);
  return { x: perturbRows(x, z, draw), z, cond, std, weight: tf.tensor1d(draw.weight) };
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
