/**
 * Metrics that need no ground truth, for every dataset and the only ones for data without a known
 * density (digits, file): held-out losses during training (eval/dsm@<sigma>, eval/dsm, eval/ssm), and
 * the sample metrics against the held-out split (sample/mmd, sample/swd with ref/ floors, sample/mmd_p,
 * and the memorisation check sample/nn_dist against ref/nn_dist).
 *
 * The held-out set and the noise of the losses are fixed once per run (prepareHeldOutEvaluation), so
 * the curves over training steps show the model changing, not new draws.
 */
import * as tf from '@tensorflow/tfjs';
import { evaluationPoints, Rng, type NoiseFamily, type RngState, type ScoreFn } from '@scorelab/core';
import { type AnyDataset, type EmpiricalDataset, hasExactDensity } from '@scorelab/datasets';
import {
  heldOutDenoisingLoss,
  heldOutSlicedScoreMatching,
  meanNearestNeighbourDistance,
} from '@scorelab/metrics';
import { METRIC, dsmAtKey, dsmAtTimeKey, type MetricName } from '@scorelab/config';
import { allFinite, distanceMetricPoints } from './distance-metrics';
import type { MetricRecord } from './hooks';

/** The eval.metrics names handled here: dsm, ssm (training) and nnDist (samples). */
export type HeldOutMetricName = Extract<MetricName, 'dsm' | 'ssm' | 'nnDist'>;

/** Held-out points used when a dataset with a known density has no held-out split (fresh draws, fixed per run). */
export const HELD_OUT_DEFAULT_POINTS = 1000;

export interface HeldOutEvaluation {
  /** x_0: [N, D], the test split of a data dataset (dequantised once), else N fresh points of the density. */
  readonly heldOut: tf.Tensor2D;
  /** Where the loss noise starts: every evaluation draws the same z and projections from here. */
  readonly noise: RngState;
  dispose(): void;
}

/**
 * The run's held-out set and loss noise, drawn once from `rng` (the caller's stream: heldOutRng(seed), a stream of its own,
 * so runs that do not list these metrics keep their numbers). Data datasets: every test row; datasets with a
 * density: `n` fresh points (default HELD_OUT_DEFAULT_POINTS; pass eval.samples).
 */
export function prepareHeldOutEvaluation(dataset: AnyDataset, rng: Rng, n = HELD_OUT_DEFAULT_POINTS): HeldOutEvaluation {
  const heldOut = hasExactDensity(dataset) ? dataset.sample(n, rng) : dataset.rows('test', rng);
  const noise = rng.split().state();
  return { heldOut, noise, dispose: () => heldOut.dispose() };
}

/**
 * eval/dsm@<point> and eval/dsm (when `dsm` is listed; the family must have noise), and eval/ssm (when `ssm` is
 * listed) of the model at `step` on the prepared held-out set. `score` must be the differentiable (tfjs) score
 * for ssm (one backward pass per chunk); dsm only calls it forward, so the fused engine's forwardScore is fine
 * there (`forwardScore`, default `score`).
 */
export function heldOutLossPoints(
  metrics: readonly MetricName[],
  family: NoiseFamily,
  evaluation: HeldOutEvaluation,
  scores: { score: ScoreFn; forwardScore?: ScoreFn },
  step: number,
): MetricRecord[] {
  const points = evaluationPoints(family);
  const records: MetricRecord[] = [];
  if (metrics.includes('dsm')) {
    if (family.kind === 'clean') throw new Error('eval.metrics dsm: the held-out denoising loss needs noise levels or an sde (the run has neither)');
    const result = heldOutDenoisingLoss({ score: scores.forwardScore ?? scores.score, points, heldOut: evaluation.heldOut, rng: noiseRng(evaluation, 0) });
    records.push({ key: METRIC.dsm, step, value: result.weighted });
    const key = family.kind === 'sde' ? dsmAtTimeKey : dsmAtKey;
    points.forEach((p, i) => records.push({ key: key(p.cond!), step, value: result.perPoint[i] }));
  }
  if (metrics.includes('ssm')) {
    const result = heldOutSlicedScoreMatching({ score: scores.score, points, heldOut: evaluation.heldOut, rng: noiseRng(evaluation, 1) });
    records.push({ key: METRIC.ssm, step, value: result.weighted });
  }
  return records;
}

/** The loss noise of one metric: the same at every evaluation, and not shared between dsm and ssm. */
function noiseRng(evaluation: HeldOutEvaluation, which: number): Rng {
  const rng = new Rng(0);
  rng.restore(evaluation.noise);
  let stream = rng.split();
  for (let i = 0; i < which; i++) stream = rng.split();
  return stream;
}

/** The two streams of the sample metrics: `metrics` (projections) and `reference` (the floors' subsets, permutations, dequantisation). */
export interface DataSampleMetricRngs {
  metrics: Rng;
  reference: Rng;
}

/**
 * The sample metrics of a data dataset against its held-out split:
 * - sample/mmd, sample/swd: samples against the test rows; ref/mmd, ref/swd: a subset of the training rows of
 *   the samples' size, drawn without replacement (all training rows when there are fewer), against the same
 *   test rows. Training and test rows are disjoint draws of the data, so the floor is what a sampler that draws
 *   fresh data scores. (With replacement, repeated rows would bias the MMD U-statistic upwards.)
 * - sample/mmd_p: permutation test of samples against test rows.
 * - sample/nn_dist: mean distance of the samples to their nearest training row; ref/nn_dist: the same for the
 *   test rows. Near 0 means copies of the training set.
 * Rows are dequantised from `rngs.reference` when the dataset dequantises. Non-finite samples give NaN
 * (the ref/ values are still computed).
 */
export function dataSampleMetricPoints(metrics: readonly MetricName[], dataset: EmpiricalDataset, samples: tf.Tensor2D, rngs: DataSampleMetricRngs, step: number): MetricRecord[] {
  const points: MetricRecord[] = [];
  const rowsRng = rngs.reference.split();
  const subsetRng = rngs.reference.split();
  const referenceSwdRng = rngs.reference.split();
  const permutationRng = rngs.reference.split();
  const test = dataset.rows('test', rowsRng);
  const train = dataset.rows('train', rowsRng);
  const wantsFloor = metrics.includes('mmd') || metrics.includes('swd');
  const reference = wantsFloor ? trainingSubset(train, samples.shape[0], subsetRng) : null;
  try {
    const finite = allFinite(samples);
    points.push(...distanceMetricPoints(metrics, samples, test, reference, { metrics: rngs.metrics, referenceSwd: referenceSwdRng, permutation: permutationRng }, finite, step));
    if (metrics.includes('nnDist')) {
      points.push({ key: METRIC.nnDist, step, value: finite ? meanNearestNeighbourDistance(samples, train) : NaN });
      points.push({ key: METRIC.refNnDist, step, value: meanNearestNeighbourDistance(test, train) });
    }
  } finally {
    tf.dispose([test, train]);
    reference?.dispose();
  }
  return points;
}

/** min(m, N) distinct rows of train: [N, D] (a partial Fisher-Yates shuffle from rng). */
function trainingSubset(train: tf.Tensor2D, m: number, rng: Rng): tf.Tensor2D {
  const n = train.shape[0];
  const k = Math.min(m, n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return tf.tidy(() => tf.gather(train, tf.tensor1d(order.slice(0, k), 'int32')) as tf.Tensor2D);
}

