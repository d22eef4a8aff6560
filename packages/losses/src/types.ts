import type * as tf from '@tensorflow/tfjs';
import type { LossWeighting, Rng, ScoreFn } from '@scorelab/core';

/**
 * A training objective with its hyperparameters bound (score_sde_pytorch `get_sde_loss_fn`
 * style): `loss(score, x, rng)` is the Monte-Carlo estimate of the objective on the clean batch
 * x: [N, D], drawing every random number (noise levels or times, perturbations, projections) from rng.
 * It is differentiable w.r.t. the weights captured by `score` (tf.variableGrads /
 * optimizer.minimize), including the second-order paths of sm and ssm, and never syncs to the CPU.
 */
export type ScoreLoss = (score: ScoreFn, x: tf.Tensor2D, rng: Rng) => tf.Scalar;

/**
 * lambda of each sample's term (loss.weighting): `sigma2` lambda = s^2, the perturbation's variance
 * (sigma^2 for noise levels, NCSN; s(t)^2 for an sde, score_sde's default), `none` lambda = 1 (noise
 * levels only), `likelihood` lambda = g(t)^2, which turns dsm into a bound on the negative
 * log-likelihood (Song et al. 2021b; sde only).
 */
export type Weighting = LossWeighting;

/**
 * How sm and ssm get Jacobian-vector products of the score:
 * - `forward`: tangents pushed through the score in its forward pass (needs a TangentScoreFn),
 *   so the weight gradient is first-order backprop only;
 * - `backprop`: nested tf.grad (double backprop), works for any ScoreFn;
 * - `auto`: `forward` when hasTangents(score), else `backprop`.
 */
export type JacobianMode = 'auto' | 'forward' | 'backprop';
