import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';

/** The dataset part of an experiment file (DESIGN.md section 3). */
export type DatasetSpec =
  /** 0.2 N((-5,-5), I) + 0.8 N((5,5), I): the NCSN example of relative weights that plain Langevin misses. */
  | { kind: 'mog2d-weighted' }
  /** N(mean, diag(std^2)) in `dim` dimensions; mean defaults to 0 and std to 1 (a number applies to every axis). */
  | { kind: 'gaussian'; dim: number; mean?: number[] | number; std?: number[] | number }
  /**
   * sum_k w_k N(means[k], C_k) in any dimension: C_k = stds[k]^2 I, or covariances[k], or I when
   * neither is given (giving both is an error). weights default to uniform and must sum to 1.
   */
  | { kind: 'gmm'; means: number[][]; stds?: number[]; covariances?: number[][][]; weights?: number[] }
  /** 2-D toy distributions; `scale` (default 1) multiplies every length. See toy2d.ts and checkerboard.ts. */
  | { kind: ToyKind; scale?: number };

export type ToyKind = '8gaussians' | '25gaussians' | 'rings' | 'swissroll' | 'moons' | 'checkerboard';

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
