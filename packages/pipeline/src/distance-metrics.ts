/**
 * The sample metrics that compare two point sets, shared by datasets with a density (samples against
 * fresh data, floor from fresh true samples: sample-metrics.ts) and data datasets (samples against the
 * test split, floor from a training subset: heldout-eval.ts): sample/mmd with ref/mmd and sample/mmd_p,
 * sample/swd with ref/swd. Random draws in a fixed order: mmd_p from `permutation`, swd from `metrics`,
 * ref/swd from `referenceSwd`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';
import { mmd, mmdPermutationTest, slicedWasserstein } from '@scorelab/metrics';
import { METRIC, type MetricName } from '@scorelab/config';
import type { MetricRecord } from './hooks';

/** The pooled kernel matrix of sample/mmd_p is held in memory: the test uses at most this many leading rows of each set. */
export const MMD_P_MAX_ROWS = 4000;

export interface DistanceMetricRngs {
  metrics: Rng;
  referenceSwd: Rng;
  permutation: Rng;
}

/** Diverged samplers give non-finite samples; the metrics then say NaN rather than a made-up number. */
export function allFinite(samples: tf.Tensor2D): boolean {
  return tf.tidy(() => tf.all(tf.isFinite(samples)).dataSync()[0] === 1);
}

/**
 * sample/mmd, ref/mmd, sample/mmd_p and sample/swd, ref/swd (those listed) of `samples` and of
 * `reference` (the floor's true points, same size) against `target`. Values of non-finite samples are NaN;
 * the ref/ values are computed regardless.
 */
export function distanceMetricPoints(metrics: readonly MetricName[], samples: tf.Tensor2D, target: tf.Tensor2D, reference: tf.Tensor2D | null, rngs: DistanceMetricRngs, finite: boolean, step: number): MetricRecord[] {
  const points: MetricRecord[] = [];
  if (metrics.includes('mmd')) {
    points.push({ key: METRIC.mmd, step, value: finite ? mmd(samples, target) : NaN });
    points.push({ key: METRIC.refMmd, step, value: mmd(reference!, target) });
    points.push({ key: METRIC.mmdP, step, value: finite ? mmdPValue(samples, target, rngs.permutation) : NaN });
  }
  if (metrics.includes('swd')) {
    points.push({ key: METRIC.swd, step, value: finite ? slicedWasserstein(samples, target, rngs.metrics) : NaN });
    points.push({ key: METRIC.refSwd, step, value: slicedWasserstein(reference!, target, rngs.referenceSwd) });
  }
  return points;
}

function mmdPValue(samples: tf.Tensor2D, data: tf.Tensor2D, rng: Rng): number {
  const head = (t: tf.Tensor2D) => (t.shape[0] > MMD_P_MAX_ROWS ? tf.slice(t, [0, 0], [MMD_P_MAX_ROWS, -1]) : t);
  const x = head(samples);
  const y = head(data);
  try {
    return mmdPermutationTest(x, y, rng).pValue;
  } finally {
    if (x !== samples) x.dispose();
    if (y !== data) y.dispose();
  }
}
