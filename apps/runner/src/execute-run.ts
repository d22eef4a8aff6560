/**
 * One run, from its resolved config to metrics and artifacts: build the dataset and score model,
 * train with periodic evaluation, sample, and compute the sample metrics. Storage, processes and
 * progress display are the caller's business: everything leaves through `RunHooks`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedRunConfig } from '@scorelab/config';
import { Rng, Trainer, createMlpScoreNetwork, scheduleSigmas, type ScoreFn, type ScoreNetwork } from '@scorelab/core';
import { createDataset, type Dataset, type DatasetSpec } from '@scorelab/datasets';
import { createLoss, type LossSpec } from '@scorelab/losses';
import { fisherDivergence, mmd, modeWeights, slicedWasserstein } from '@scorelab/metrics';
import { createSampler, initialSamples, runSampler, type SamplerSpec } from '@scorelab/samplers';
import { METRIC, fisherAtKey } from './metric-names';
import { twoDimensionalArtifacts, type ArtifactPayload } from './artifacts';

export interface MetricRecord {
  key: string;
  step: number;
  value: number;
}

export type RunPhase = 'setup' | 'train' | 'eval' | 'sample' | 'metrics';

export interface RunProgress {
  phase: RunPhase;
  /** Training step (train, eval) or sampler step (sample). */
  step: number;
  totalSteps: number;
  loss?: number;
}

export interface RunHooks {
  log(points: MetricRecord[]): void;
  progress(p: RunProgress): void;
  artifact(name: string, kind: string, content: ArtifactPayload): void;
  /** Checked between steps; true stops the run with a RunStopped error. */
  shouldStop(): boolean;
}

/** A run that diverged or could not go on; `step` is the training step it happened at. */
export class RunFailure extends Error {
  constructor(
    message: string,
    readonly step: number | null,
  ) {
    super(message);
    this.name = 'RunFailure';
  }
}

/** The run was asked to stop (Ctrl-C, SIGTERM, or marked killed by someone else). */
export class RunStopped extends Error {
  constructor(readonly step: number | null) {
    super('stopped');
    this.name = 'RunStopped';
  }
}

export function sigmasOf(config: ResolvedRunConfig): number[] | null {
  return config.noise ? scheduleSigmas(config.noise) : null;
}

/** The dataset's exact (perturbed) score as a ScoreFn: the `analytic` model. */
export function analyticScore(dataset: Dataset): ScoreFn {
  return (x, sigma) => dataset.score(x, sigma);
}

export interface RunOutcome {
  trainSteps: number;
  parameterCount: number;
}

export async function executeRun(config: ResolvedRunConfig, seed: number, hooks: RunHooks): Promise<RunOutcome> {
  const root = new Rng(seed);
  // One stream per purpose, so that e.g. changing eval.every does not change the training batches.
  const rngs = { init: root.split(), data: root.split(), loss: root.split(), eval: root.split(), sample: root.split(), metrics: root.split() };
  hooks.progress({ phase: 'setup', step: 0, totalSteps: 0 });
  const dataset = createDataset(config.dataset as DatasetSpec);
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
    if (network && config.train && config.loss) {
      trainSteps = config.train.steps;
      await train(config, dataset, network, sigmas, rngs, hooks);
    } else if (config.eval?.metrics.includes('fisher')) {
      evaluateFisher(config, dataset, score, sigmas, rngs.eval, 0, hooks);
    }
    if (config.sampler) await sampleAndMeasure(config, dataset, score, sigmas, rngs, trainSteps, hooks);
    return { trainSteps, parameterCount: network?.parameterCount() ?? 0 };
  } finally {
    network?.dispose();
  }
}

async function train(
  config: ResolvedRunConfig,
  dataset: Dataset,
  network: ScoreNetwork,
  sigmas: number[] | null,
  rngs: Record<'data' | 'loss' | 'eval', Rng>,
  hooks: RunHooks,
): Promise<void> {
  const trainSpec = config.train!;
  const loss = createLoss(config.loss as LossSpec, sigmas);
  const objective = () => loss(network.score, dataset.sample(trainSpec.batchSize, rngs.data), rngs.loss);
  const trainer = new Trainer({ params: network.params, objective, optimizer: trainSpec.optimizer, lr: trainSpec.lr });
  const evalEvery = config.eval?.every ?? trainSpec.steps;
  const wantsFisher = config.eval?.metrics.includes('fisher') ?? false;
  let lastLogTime = performance.now();
  let lastLogStep = 0;
  try {
    for (let step = 1; step <= trainSpec.steps; step++) {
      if (hooks.shouldStop()) throw new RunStopped(step - 1);
      const read = step % trainSpec.logEvery === 0 || step === trainSpec.steps;
      const report = trainer.step(read);
      if (report) {
        const now = performance.now();
        if (!Number.isFinite(report.loss) || !Number.isFinite(report.gradNorm)) {
          hooks.log([
            { key: METRIC.trainLoss, step, value: report.loss },
            { key: METRIC.gradNorm, step, value: report.gradNorm },
          ]);
          const what = Number.isFinite(report.loss) ? `gradient norm is ${report.gradNorm}` : `loss is ${report.loss}`;
          throw new RunFailure(`training diverged: ${what} at step ${step} (last finite read at step ${lastLogStep}); try a smaller train.lr`, step);
        }
        hooks.log([
          { key: METRIC.trainLoss, step, value: report.loss },
          { key: METRIC.gradNorm, step, value: report.gradNorm },
          { key: METRIC.stepsPerSec, step, value: ((step - lastLogStep) * 1000) / Math.max(now - lastLogTime, 1e-3) },
        ]);
        hooks.progress({ phase: 'train', step, totalSteps: trainSpec.steps, loss: report.loss });
        lastLogTime = now;
        lastLogStep = step;
        // Yield to the event loop so signals and IPC are handled during long runs.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (wantsFisher && (step % evalEvery === 0 || step === trainSpec.steps)) {
        hooks.progress({ phase: 'eval', step, totalSteps: trainSpec.steps });
        const t0 = performance.now();
        evaluateFisher(config, dataset, network.score, sigmas, rngs.eval, step, hooks);
        // Evaluation time is not training time.
        lastLogTime += performance.now() - t0;
      }
    }
  } finally {
    trainer.dispose();
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

async function sampleAndMeasure(
  config: ResolvedRunConfig,
  dataset: Dataset,
  score: ScoreFn,
  sigmas: number[] | null,
  rngs: Record<'sample' | 'metrics', Rng>,
  step: number,
  hooks: RunHooks,
): Promise<void> {
  const spec = config.sampler!;
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
  const sampleSeconds = (performance.now() - t0) / 1000;
  try {
    if (hooks.shouldStop()) throw new RunStopped(step);
    hooks.progress({ phase: 'metrics', step, totalSteps: step });
    const samples = result.samples;
    const points: MetricRecord[] = [{ key: METRIC.sampleSeconds, step, value: sampleSeconds }];
    const metrics = config.eval?.metrics ?? [];
    const nRef = config.eval?.samples ?? 1000;
    const data = dataset.sample(nRef, rngs.metrics);
    try {
      // Diverged samplers give non-finite samples; the metrics then say NaN rather than a made-up number.
      const finite = tf.tidy(() => tf.all(tf.isFinite(samples)).dataSync()[0] === 1);
      if (metrics.includes('mmd')) points.push({ key: METRIC.mmd, step, value: finite ? mmd(samples, data) : NaN });
      if (metrics.includes('swd')) points.push({ key: METRIC.swd, step, value: finite ? slicedWasserstein(samples, data, rngs.metrics) : NaN });
      if (metrics.includes('modeWeights') && dataset.mixture) {
        const mw = modeWeights(samples, dataset.mixture);
        points.push({ key: METRIC.modeWeightTv, step, value: mw.tv });
        mw.fractions.forEach((f, k) => points.push({ key: METRIC.modeWeight(k), step, value: f }));
      }
      hooks.log(points);
      if (dataset.dim === 2) {
        for (const a of twoDimensionalArtifacts({ dataset, score, sigmas, samples, data, trajectory: result.trajectory, trajectoryLabels: trajectoryLabels(spec.kind, sigmas, result.trajectory?.length ?? 0) })) {
          hooks.artifact(a.name, a.kind, a.content);
        }
      }
    } finally {
      data.dispose();
    }
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

export function formatSigma(s: number): string {
  return String(Number(s.toPrecision(4)));
}
