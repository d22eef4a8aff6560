import type * as tf from '@tensorflow/tfjs';
import type { Rng, ScoreFn } from '@scorelab/core';

/**
 * One move of the samples at a grid point: a predictor (moves the chain to the next point) or one
 * corrector step (MCMC at this point). x: [N, D] -> a new [N, D]; x stays the caller's. Intermediates
 * are tidied; noise is drawn from rng.
 */
export type GridUpdate<P> = (x: tf.Tensor2D, point: P, score: ScoreFn, rng: Rng) => tf.Tensor2D;
