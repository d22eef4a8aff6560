/**
 * Reference quantities the store does not hold, computed from the datasets' exact scores: the size
 * of the true score at each noise level (to turn eval/fisher@<sigma> into a relative error) and the
 * sample metrics of exact samples (the floor that a perfect sampler would reach with the same n).
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetSpec } from '@scorelab/config';
import { Rng } from '@scorelab/core';
import { createDensityDataset } from '@scorelab/datasets';
import { mmd, modeWeights } from '@scorelab/metrics';

/** The dataset of a spec with an exact (perturbed) score; datasets known only by samples have none. */
function exactDataset(spec: DatasetSpec) {
  const dataset = createDensityDataset(spec);
  if (!('score' in dataset)) throw new Error(`dataset ${spec.kind} has no exact score, which these reference quantities need`);
  return dataset;
}

/** x ~ p_sigma = p * N(0, sigma^2 I): data plus sigma z. [n, D]. */
export function perturbedSamples(spec: DatasetSpec, sigma: number, n: number, rng: Rng): tf.Tensor2D {
  const dataset = exactDataset(spec);
  return tf.tidy(() => {
    const x = dataset.sample(n, rng);
    return sigma === 0 ? x : (tf.add(x, tf.mul(rng.normalTensor([n, dataset.dim]), sigma)) as tf.Tensor2D);
  });
}

/**
 * 1/2 E_{x ~ p_sigma} ||grad log p_sigma(x)||^2 per sigma, by Monte Carlo with n samples (in chunks
 * of 10,000). Dividing eval/fisher@<sigma> (1/2 E ||s - grad log p_sigma||^2) by it gives the error
 * relative to the size of the score itself, comparable across levels.
 */
export function halfScoreNorm(spec: DatasetSpec, sigmas: readonly number[], n: number, seed: number): number[] {
  const dataset = exactDataset(spec);
  const rng = new Rng(seed);
  return sigmas.map((sigma) => {
    let sum = 0;
    for (let done = 0; done < n; done += 10_000) {
      const m = Math.min(10_000, n - done);
      const x = perturbedSamples(spec, sigma, m, rng);
      sum += tf.tidy(() => tf.sum(tf.square(dataset.score(x, sigma))).dataSync()[0]);
      x.dispose();
    }
    return (0.5 * sum) / n;
  });
}

export interface ExactSampleFloor {
  /** MMD^2 of n exact samples of p_sigma against n fresh data points, one value per repetition. */
  mmd: number[];
  /** Mode-weight TV of n exact samples of p_sigma, one value per repetition. */
  tv: number[];
}

/**
 * What a perfect sampler of p_sigma scores with the runner's metric sizes: the MMD^2 against the
 * clean data (nonzero because p_sigma is not p, plus estimator noise) and the mode-weight TV
 * (binomial noise of the component counts).
 */
export function exactSampleFloor(spec: DatasetSpec, sigma: number, n: number, nRef: number, repetitions: number, seed: number): ExactSampleFloor {
  const dataset = exactDataset(spec);
  const rng = new Rng(seed);
  const out: ExactSampleFloor = { mmd: [], tv: [] };
  for (let i = 0; i < repetitions; i++) {
    const x = perturbedSamples(spec, sigma, n, rng);
    const data = dataset.sample(nRef, rng);
    out.mmd.push(mmd(x, data));
    if (dataset.mixture) out.tv.push(modeWeights(x, dataset.mixture).tv);
    x.dispose();
    data.dispose();
  }
  return out;
}
