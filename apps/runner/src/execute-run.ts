/**
 * One run, from its resolved config to metrics and artifacts: build the dataset and score model,
 * train with periodic evaluation, sample, and compute the sample metrics. Storage, processes and
 * progress display are the caller's business: everything leaves through `RunHooks`. Runs with an
 * `sde` section go through executeSdeRun (execute-sde-run.ts); this file runs noise-level models.
 */
import * as tf from '@tensorflow/tfjs';
import { type Rng, createMlpScoreNetwork, scheduleSigmas, type ScoreFn, type ScoreNetwork } from '@scorelab/core';
import { createDataset, type Dataset, type DatasetSpec } from '@scorelab/datasets';
import { createLoss, type LossSpec } from '@scorelab/losses';
import { fisherDivergence } from '@scorelab/metrics';
import { createSampler, initialSamples, runSampler, type SamplerSpec } from '@scorelab/samplers';
import { noiseScoreField } from './artifacts';
import { executeSdeRun } from './execute-sde-run';
import { METRIC, fisherAtKey, formatSigma, type ResolvedRunConfig } from '@scorelab/config';
import { RunStopped, recordSamples, runRngs, trainLoop, type MetricRecord, type RunHooks, type RunOutcome, type RunRngs } from './run-stages';

export { RunFailure, RunStopped, type MetricRecord, type RunHooks, type RunOutcome, type RunPhase, type RunProgress } from './run-stages';

export function sigmasOf(config: ResolvedRunConfig): number[] | null {
  return config.noise ? scheduleSigmas(config.noise) : null;
}

/** The dataset's exact (perturbed) score as a ScoreFn: the `analytic` model. */
export function analyticScore(dataset: Dataset): ScoreFn {
  return (x, sigma) => dataset.score(x, sigma);
}

export async function executeRun(config: ResolvedRunConfig, seed: number, hooks: RunHooks): Promise<RunOutcome> {
  const rngs = runRngs(seed);
  hooks.progress({ phase: 'setup', step: 0, totalSteps: 0 });
  const dataset = createDataset(config.dataset as DatasetSpec);
  if (config.sde) return executeSdeRun(config, config.sde, dataset, rngs, hooks);
  const sigmas = sigmasOf(config);
  let network: ScoreNetwork | null = null;
  let score: ScoreFn;
  let trainSteps = 0;
  try {
    switch (config.model.kind) {
      case 'analytic':
        score = analyticScore(dataset);
        break;
      case 'mlp':
        network = createMlpScoreNetwork(
          { inputDim: dataset.dim, hidden: config.model.hidden, activation: config.model.activation, conditioning: config.model.conditioning },
          rngs.init,
        );
        score = network.score;
        break;
    }
    const wantsFisher = config.eval?.metrics.includes('fisher') ?? false;
    if (network && config.train && config.loss) {
      trainSteps = config.train.steps;
      const net = network;
      const trainSpec = config.train;
      const loss = createLoss(config.loss as LossSpec, sigmas);
      await trainLoop(
        {
          train: trainSpec,
          params: net.params,
          objective: () => loss(net.score, dataset.sample(trainSpec.batchSize, rngs.data), rngs.loss),
          evaluate: wantsFisher ? (step) => evaluateFisher(config, dataset, net.score, sigmas, rngs.eval, step, hooks) : null,
          evalEvery: config.eval?.every ?? trainSpec.steps,
        },
        hooks,
      );
    } else if (wantsFisher) {
      evaluateFisher(config, dataset, score, sigmas, rngs.eval, 0, hooks);
    }
    if (config.sampler) await sampleAndMeasure(config, dataset, network ? score : null, sigmas, rngs, trainSteps, hooks);
    return { trainSteps, parameterCount: network?.parameterCount() ?? 0 };
  } finally {
    network?.dispose();
  }
}

/** eval/fisher and eval/fisher@<sigma> at one training step (DESIGN.md section 5). */
export function evaluateFisher(config: ResolvedRunConfig, dataset: Dataset, score: ScoreFn, sigmas: number[] | null, rng: Rng, step: number, hooks: RunHooks): void {
  const n = config.eval?.samples ?? 1000;
  // x ~ p_sigma: a fresh data batch plus sigma z, one batch per level.
  const samples = (sigmas ?? [0]).map((s) =>
    tf.tidy(() => {
      const x = dataset.sample(n, rng);
      return s === 0 ? x : (tf.add(x, tf.mul(rng.normalTensor([n, dataset.dim]), s)) as tf.Tensor2D);
    }),
  );
  let result;
  try {
    result = fisherDivergence({ model: score, exact: (x, sigma) => dataset.score(x, sigma), samples, sigmas });
  } finally {
    samples.forEach((x) => x.dispose());
  }
  const points: MetricRecord[] = [{ key: METRIC.fisher, step, value: result.weighted }];
  if (sigmas) sigmas.forEach((s, i) => points.push({ key: fisherAtKey(s), step, value: result.perLevel[i] }));
  hooks.log(points);
}

/** Samples with langevin or ald from `model` (null: the analytic score), then the sample metrics and artifacts. */
async function sampleAndMeasure(
  config: ResolvedRunConfig,
  dataset: Dataset,
  model: ScoreFn | null,
  sigmas: number[] | null,
  rngs: RunRngs,
  step: number,
  hooks: RunHooks,
): Promise<void> {
  const spec = config.sampler!;
  if (spec.kind !== 'langevin' && spec.kind !== 'ald') throw new Error(`sampler ${spec.kind} needs an sde section`); // ruled out by the config rules
  const score = model ?? analyticScore(dataset);
  const sampler = createSampler(spec as SamplerSpec, sigmas);
  const x0 = initialSamples(spec.init, spec.samples, dataset.dim, rngs.sample);
  const t0 = performance.now();
  let result: ReturnType<typeof runSampler>;
  try {
    result = runSampler(sampler, score, x0, rngs.sample, {
      recordTrajectory: dataset.dim === 2,
      progressEvery: 50,
      onProgress: (p) => {
        hooks.progress({ phase: 'sample', step: p.step, totalSteps: p.totalSteps });
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
    // The score field at the smallest noise level (where the sampler ends), or unconditional.
    const sigma = sigmas ? sigmas[sigmas.length - 1] : null;
    const output = {
      samples: result.samples,
      trajectory: result.trajectory,
      trajectoryLabels: trajectoryLabels(spec.kind, sigmas, result.trajectory?.length ?? 0),
      scoreEvaluations: result.scoreEvaluations,
      seconds,
    };
    recordSamples(config, dataset, output, noiseScoreField(dataset, model, sigma), rngs.metrics, step, hooks);
  } finally {
    result.samples.dispose();
    result.trajectory?.forEach((t) => t.dispose());
  }
}

function trajectoryLabels(kind: 'langevin' | 'ald', sigmas: number[] | null, count: number): string[] {
  if (kind === 'ald' && sigmas && count === sigmas.length + 1) {
    return ['init', ...sigmas.map((s) => `after sigma=${formatSigma(s)}`)];
  }
  return Array.from({ length: count }, (_, i) => (i === 0 ? 'init' : `snapshot ${i}`));
}
