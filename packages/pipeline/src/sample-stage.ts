/** Sampling stage of a run: draw from the model with the configured sampler, then the sample metrics. */
import type * as tf from '@tensorflow/tfjs';
import type { NoiseFamily, ScoreFn } from '@scorelab/core';
import { hasExactDensity, type AnyDataset } from '@scorelab/datasets';
import { createSampler, initialSamples, runSampler, type Snapshot } from '@scorelab/samplers';
import { formatSigma, type ResolvedRunConfig, type SamplerSpec } from '@scorelab/config';
import { scoreFieldAt } from './artifacts';
import { dataBox, samplerDivergenceCheck } from './divergence';
import { RunStopped, type RunHooks } from './hooks';
import type { RunRngs } from './rngs';
import { recordSamples } from './sample-metrics';

/**
 * Samples with the configured sampler from `score` (the network, or the exact score when `model`
 * is null: the analytic model), then the sample metrics and the 2-D or image artifacts, logged at `step`.
 * `exact` is null for data without a known density (digits, file): no score field is drawn.
 */
export function sampleAndMeasure(
  config: ResolvedRunConfig,
  spec: SamplerSpec,
  family: NoiseFamily,
  dataset: AnyDataset,
  score: ScoreFn,
  model: ScoreFn | null,
  exact: ScoreFn | null,
  rngs: RunRngs,
  step: number,
  hooks: RunHooks,
): void {
  const sampler = createSampler(spec, family);
  // Diverged chains (not finite, or far outside the data and the initial samples) fail the run at the
  // progress report that sees them, instead of giving NaN or absurd sample metrics.
  const check = samplerDivergenceCheck({ config, spec, family, data: dataBox(dataset, rngs.range), trainStep: step });
  const x0 = initialSamples(spec, family, dataset.dim, rngs.sample);
  const t0 = performance.now();
  let result: ReturnType<typeof runSampler>;
  try {
    result = runSampler(sampler, score, x0, rngs.sample, {
      // Recording clones the state only (no random draws): 2-D points and images keep a trajectory to draw.
      recordTrajectory: dataset.dim === 2 || (!hasExactDensity(dataset) && dataset.image !== undefined),
      // An SDE step costs more than a Langevin step: report more often.
      progressEvery: family.kind === 'sde' ? 10 : 50,
      check,
      onProgress: (p) => {
        hooks.progress({ phase: 'sample', step: p.step, totalSteps: p.totalSteps ?? 0 });
        // Abort the (synchronous, possibly long) sampler loop; runSampler disposes its tensors on the way out.
        if (hooks.shouldStop()) throw new RunStopped(step);
      },
    });
  } finally {
    x0.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  try {
    if (hooks.shouldStop()) throw new RunStopped(step);
    const output = {
      samples: result.samples,
      trajectory: result.trajectory,
      trajectoryLabels: trajectoryLabels(spec, family, result.snapshots ?? []),
      scoreEvaluations: result.scoreEvaluations,
      seconds,
    };
    recordSamples(config, dataset, output, exact && scoreFieldAt(exact, model, fieldPoint(family)), rngs, step, hooks);
  } finally {
    result.samples.dispose();
    result.trajectory?.forEach((t: tf.Tensor2D) => t.dispose());
  }
}

/** Where the sampler ends, for the score-field picture: the smallest level, t = eps, or unconditioned. */
function fieldPoint(family: NoiseFamily): { sigma: number } | { time: number } | null {
  switch (family.kind) {
    case 'clean':
      return null;
    case 'levels':
      return { sigma: family.sigmas[family.sigmas.length - 1] };
    case 'sde':
      return { time: family.sde.eps };
  }
}

/** "t=1.00", "t=0.50", ... for snapshots; small times in full ("t=0.001", "t=0.00001"). */
export function timeLabel(t: number): string {
  return `t=${t >= 0.01 ? t.toFixed(2) : String(Number(t.toPrecision(2)))}`;
}

/** Labels of the trajectory snapshots: 'init' and 'after sigma=...' per level (ald), times (sde samplers), or numbered. */
export function trajectoryLabels(spec: SamplerSpec, family: NoiseFamily, snapshots: readonly Snapshot[]): string[] {
  if (family.kind === 'sde') return snapshots.map((s) => timeLabel(s.t!));
  if (spec.kind === 'ald' && family.kind === 'levels' && snapshots.length === family.sigmas.length + 1) {
    return ['init', ...family.sigmas.map((s) => `after sigma=${formatSigma(s)}`)];
  }
  return snapshots.map((_, i) => (i === 0 ? 'init' : `snapshot ${i}`));
}
