/** The sample metrics of a run and its 2-D pictures, from what a sampler produced. */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';
import { hasExactDensity, type AnyDataset, type Dataset, type EmpiricalDataset } from '@scorelab/datasets';
import { modeWeights } from '@scorelab/metrics';
import { METRIC, type MetricName, type ResolvedRunConfig } from '@scorelab/config';
import { twoDimensionalArtifacts, type ScoreField } from './artifacts';
import { dataArtifacts } from './data-artifacts';
import { allFinite, distanceMetricPoints } from './distance-metrics';
import { dataSampleMetricPoints } from './heldout-eval';
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
 * perf/sample_seconds, perf/nfe and the sample metrics the config asks for, then the pictures (2-D data, images).
 * A dataset with a known density: against fresh data from `rngs.metrics`, with ref/ floors and sample/mmd_p from
 * `rngs.reference`; `scoreField` is the field where the sampler ends. Digits and file data: against the held-out
 * rows (dataSampleMetricPoints; `scoreField` null, there is no exact one). Logged at `step` (the last training step).
 */
export function recordSamples(config: ResolvedRunConfig, dataset: AnyDataset, out: SamplerOutput, scoreField: ScoreField | null, rngs: SampleMetricRngs, step: number, hooks: RunHooks): void {
  hooks.progress({ phase: 'metrics', step, totalSteps: step });
  const points: MetricRecord[] = [
    { key: METRIC.sampleSeconds, step, value: out.seconds },
    { key: METRIC.nfe, step, value: out.scoreEvaluations },
  ];
  if (!hasExactDensity(dataset)) {
    recordDataSamples(config, dataset, out, rngs, points, step, hooks);
    return;
  }
  if (!scoreField) throw new Error('recordSamples: a dataset with a known density needs the score field to draw');
  const samples = out.samples;
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

/** The sample metrics of digits and file data against their held-out rows, then their pictures (data-artifacts.ts). */
function recordDataSamples(config: ResolvedRunConfig, dataset: EmpiricalDataset, out: SamplerOutput, rngs: SampleMetricRngs, points: MetricRecord[], step: number, hooks: RunHooks): void {
  const metrics = config.eval?.metrics ?? [];
  points.push(...dataSampleMetricPoints(metrics, dataset, out.samples, rngs, step));
  hooks.log(points);
  if (dataset.image === undefined && dataset.dim !== 2) return;
  // The rows drawn (dequantised, when the dataset dequantises) from a stream after the metrics' own.
  const rowsRng = rngs.reference.split();
  const test = dataset.rows('test', rowsRng);
  const train = dataset.rows('train', rowsRng);
  try {
    const inputs = { dataset, samples: out.samples, test, train, dataRows: config.eval?.samples ?? 1000, trajectory: out.trajectory, trajectoryLabels: out.trajectoryLabels };
    for (const a of dataArtifacts(inputs)) hooks.artifact(a.name, a.kind, a.content);
  } finally {
    tf.dispose([test, train]);
  }
}


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
    const finite = allFinite(samples);
    points.push(...distanceMetricPoints(metrics, samples, data, reference, { metrics: rngs.metrics, referenceSwd: referenceSwdRng, permutation: permutationRng }, finite, step));
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

