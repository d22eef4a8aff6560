import type * as tf from '@tensorflow/tfjs';
import type { DatasetSpec, ToyDatasetSpec } from '@scorelab/config';
import type { Rng } from '@scorelab/core';

/** The `dataset` section of an experiment file, as resolved by @scorelab/config (DESIGN.md section 3). */
export type { DatasetSpec };

export type ToyKind = ToyDatasetSpec['kind'];

export type DatasetKind = DatasetSpec['kind'];

/** A Gaussian mixture with its clean (sigma = 0) components: sum_k weights[k] N(means[k], covariances[k]). */
export interface GaussianMixture {
  weights: number[];
  means: number[][];
  covariances: number[][][];
}

/**
 * A distribution with an exact density, exact score and exact perturbed versions of both:
 * p_sigma = p * N(0, sigma^2 I). `sigma` is a number (every row) or a Tensor1D [N] (one per row);
 * omitted or 0 means the clean density.
 */
export interface Dataset {
  readonly spec: DatasetSpec;
  readonly dim: number;
  /** n samples [n, dim], drawn from the seeded Rng only. */
  sample(n: number, rng: Rng): tf.Tensor2D;
  /** log p_sigma(x): [N] for x: [N, dim]. Built from differentiable tfjs ops (float32). */
  logDensity(x: tf.Tensor2D, sigma?: number | tf.Tensor1D): tf.Tensor1D;
  /** grad_x log p_sigma(x): [N, dim], in closed form (not by autodiff). */
  score(x: tf.Tensor2D, sigma?: number | tf.Tensor1D): tf.Tensor2D;
  /** The clean mixture components, for datasets that are Gaussian mixtures (metrics assign samples to modes with it). */
  readonly mixture?: GaussianMixture;
}
