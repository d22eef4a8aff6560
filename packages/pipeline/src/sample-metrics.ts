/** The sample metrics of a run and its 2-D pictures, from what a sampler produced. */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';
import type { Dataset } from '@scorelab/datasets';
import { mmd, mmdPermutationTest, modeWeights, slicedWasserstein } from '@scorelab/metrics';
import { METRIC, type MetricName, type ResolvedRunConfig } from '@scorelab/config';
import { twoDimensionalArtifacts, type ScoreField } from './artifacts';
import type { MetricRecord, RunHooks } from './hooks';

/** What a sampler produced; the caller keeps ownership of the tensors. */
export interface SamplerOutput {
  samples: tf.Tensor2D;
  trajectory?: tf.Tensor2D[];
  trajectoryLabels: string[];
  /** Batched score evaluations (NFE), a final denoising call included. */
  scoreEvaluations: number;
  seconds: number;
}

/** The two streams of the sample metrics: `metrics` (fresh data, projections) and `reference` (the ref/ floors, the permutations). */
export interface SampleMetricRngs {
  metrics: Rng;
  reference: Rng;
}

/**
 * perf/sample_seconds, perf/nfe and the sample metrics the config asks for (against fresh data from
 * `rngs.metrics`) with their ref/ floors and sample/mmd_p (`rngs.reference`), then the 2-D artifacts.
 * Logged at `step` (the last training step).
 */
export function recordSamples(config: ResolvedRunConfig, dataset: Dataset, out: SamplerOutput, scoreField: ScoreField, rngs: SampleMetricRngs, step: number, hooks: RunHooks): void {
  hooks.progress({ phase: 'metrics', step, totalSteps: step });
  const samples = out.samples;
  const points: MetricRecord[] = [
    { key: METRIC.sampleSeconds, step, value: out.seconds },
    { key: METRIC.nfe, step, value: out.scoreEvaluations },
  ];
  const metrics = config.eval?.metrics ?? [];
  const nRef = config.eval?.samples ?? 1000;
  const data = dataset.sample(nRef, rngs.metrics);
  try {
    points.push(...sampleMetricPoints(metrics, dataset, samples, data, rngs, step));
    hooks.log(points);
    if (dataset.dim === 2) {
      for (const a of twoDimensionalArtifacts({ dataset, scoreField, samples, data, trajectory: out.trajectory, trajectoryLabels: out.trajectoryLabels })) {
        hooks.artifact(a.name, a.kind, a.content);
      }
    }
  } finally {
    data.dispose();
  }
}

/** The pooled kernel matrix of sample/mmd_p is held in memory: the test uses at most this many leading rows of each set. */
const MMD_P_MAX_ROWS = 4000;

/**
 * sample/<name> of `samples` against `data` for each listed metric, and beside it ref/<name>: the same
 * metric of as many fresh true samples as the model drew (the run's reference stream) against the same
 * `data` and kernel, i.e. what a perfect sampler would score. sample/mmd_p is the permutation test of
 * samples against data. The ref/ values are computed even when the samples are not finite.
 */
export function sampleMetricPoints(metrics: readonly MetricName[], dataset: Dataset, samples: tf.Tensor2D, data: tf.Tensor2D, rngs: SampleMetricRngs, step: number): MetricRecord[] {
  const points: MetricRecord[] = [];
  // Sub-streams, so each floor is the same whichever other metrics are listed.
  const referenceDataRng = rngs.reference.split();
  const referenceSwdRng = rngs.reference.split();
  const permutationRng = rngs.reference.split();
  const wantsReference = metrics.includes('mmd') || metrics.includes('swd') || (metrics.includes('modeWeights') && dataset.mixture !== undefined);
  const reference = wantsReference ? dataset.sample(samples.shape[0], referenceDataRng) : null;
  try {
    // Diverged samplers give non-finite samples; the metrics then say NaN rather than a made-up number.
    const finite = tf.tidy(() => tf.all(tf.isFinite(samples)).dataSync()[0] === 1);
    if (metrics.includes('mmd')) {
      points.push({ key: METRIC.mmd, step, value: finite ? mmd(samples, data) : NaN });
      points.push({ key: METRIC.refMmd, step, value: mmd(reference!, data) });
      points.push({ key: METRIC.mmdP, step, value: finite ? mmdPValue(samples, data, permutationRng) : NaN });
    }
    if (metrics.includes('swd')) {
      points.push({ key: METRIC.swd, step, value: finite ? slicedWasserstein(samples, data, rngs.metrics) : NaN });
      points.push({ key: METRIC.refSwd, step, value: slicedWasserstein(reference!, data, referenceSwdRng) });
    }
    if (metrics.includes('modeWeights') && dataset.mixture) {
      const mw = modeWeights(samples, dataset.mixture);
      points.push({ key: METRIC.modeWeightTv, step, value: mw.tv });
      mw.fractions.forEach((f, k) => points.push({ key: METRIC.modeWeight(k), step, value: f }));
      const ref = modeWeights(reference!, dataset.mixture);
      points.push({ key: METRIC.refModeWeightTv, step, value: ref.tv });
      ref.fractions.forEach((f, k) => points.push({ key: METRIC.refModeWeight(k), step, value: f }));
    }
  } finally {
    reference?.dispose();
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
