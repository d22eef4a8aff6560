/** The sample metrics of a run and its 2-D pictures, from what a sampler produced. */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';
import type { Dataset } from '@scorelab/datasets';
import { mmd, modeWeights, slicedWasserstein } from '@scorelab/metrics';
import { METRIC, type ResolvedRunConfig } from '@scorelab/config';
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

/**
 * perf/sample_seconds, perf/nfe and the sample metrics the config asks for (against fresh data from
 * `rng`), then the 2-D artifacts. Logged at `step` (the last training step).
 */
export function recordSamples(config: ResolvedRunConfig, dataset: Dataset, out: SamplerOutput, scoreField: ScoreField, rng: Rng, step: number, hooks: RunHooks): void {
  hooks.progress({ phase: 'metrics', step, totalSteps: step });
  const samples = out.samples;
  const points: MetricRecord[] = [
    { key: METRIC.sampleSeconds, step, value: out.seconds },
    { key: METRIC.nfe, step, value: out.scoreEvaluations },
  ];
  const metrics = config.eval?.metrics ?? [];
  const nRef = config.eval?.samples ?? 1000;
  const data = dataset.sample(nRef, rng);
  try {
    // Diverged samplers give non-finite samples; the metrics then say NaN rather than a made-up number.
    const finite = tf.tidy(() => tf.all(tf.isFinite(samples)).dataSync()[0] === 1);
    if (metrics.includes('mmd')) points.push({ key: METRIC.mmd, step, value: finite ? mmd(samples, data) : NaN });
    if (metrics.includes('swd')) points.push({ key: METRIC.swd, step, value: finite ? slicedWasserstein(samples, data, rng) : NaN });
    if (metrics.includes('modeWeights') && dataset.mixture) {
      const mw = modeWeights(samples, dataset.mixture);
      points.push({ key: METRIC.modeWeightTv, step, value: mw.tv });
      mw.fractions.forEach((f, k) => points.push({ key: METRIC.modeWeight(k), step, value: f }));
    }
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
