import type * as tf from '@tensorflow/tfjs';
import type { DatasetSpec, ToyDatasetSpec } from '@scorelab/config';
import type { Rng } from '@scorelab/core';

/** The `dataset` section of an experiment file, as resolved by @scorelab/config (DESIGN.md section 3). */
export type { DatasetSpec };

export type ToyKind = ToyDatasetSpec['kind'];

/** `dataset: { kind: digits }` as resolved by @scorelab/config. */
export type DigitsDatasetSpec = Extract<DatasetSpec, { kind: 'digits' }>;
/** `dataset: { kind: file }` as resolved by @scorelab/config. */
export type FileDatasetSpec = Extract<DatasetSpec, { kind: 'file' }>;
/** The kinds that are data points only, with no known density. */
export type DataDatasetSpec = DigitsDatasetSpec | FileDatasetSpec;
/** The kinds with an exact density and perturbed score. */
export type DensityDatasetSpec = Exclude<DatasetSpec, DataDatasetSpec>;

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
  readonly spec: DensityDatasetSpec;
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

/** The two parts of a dataset of points: `train` (what sample() draws from) and `test` (held out). */
export type DataSplit = 'train' | 'test';

/** How to draw a point of a dataset whose points are images (digits): the pixel grid, row-major, and the value range. */
export interface ImageLayout {
  readonly height: number;
  readonly width: number;
  /** Pixel values lie in [low, high]. */
  readonly low: number;
  readonly high: number;
}

/**
 * A dataset of points with no known density (digits, file): a fixed training set and a held-out test
 * set, no score. Whatever needs an exact score (model analytic, eval/fisher, mode weights) refuses these.
 */
export interface EmpiricalDataset {
  readonly spec: DataDatasetSpec;
  readonly dim: number;
  /** Says that no density, score or perturbed score is known. */
  readonly density: 'unknown';
  /** Rows in each split. */
  readonly size: Readonly<Record<DataSplit, number>>;
  /** n training points [n, dim], rows drawn uniformly with replacement from `rng` (then dequantised from it, when the dataset dequantises). */
  sample(n: number, rng: Rng): tf.Tensor2D;
  /** Every row of a split [size[split], dim] in a fixed order; `rng` draws the dequantisation noise (unused otherwise). */
  rows(split: DataSplit, rng: Rng): tf.Tensor2D;
  /** Set when every point is an image (digits: 8x8 in [0, 1]). */
  readonly image?: ImageLayout;
}

/** Any dataset createDataset builds. */
export type AnyDataset = Dataset | EmpiricalDataset;

/** Whether the dataset has an exact density and score (every kind but digits and file). */
export function hasExactDensity(dataset: AnyDataset): dataset is Dataset {
  return !('density' in dataset);
}
