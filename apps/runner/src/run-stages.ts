/**
 * What every run shares, whether its model is conditioned on noise levels or on the time of a score
 * SDE: the hooks it reports through, its random streams, the training loop with periodic evaluation,
 * and the sample metrics with the 2-D artifacts.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, Trainer } from '@scorelab/core';
import type { Dataset } from '@scorelab/datasets';
import { mmd, modeWeights, slicedWasserstein } from '@scorelab/metrics';
import { twoDimensionalArtifacts, type ArtifactPayload, type ScoreField } from './artifacts';
import { METRIC, type ResolvedRunConfig, type TrainSpec } from '@scorelab/config';

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
  /** 0 when not known in advance (the adaptive rk45 ODE sampler). */
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

export interface RunOutcome {
  trainSteps: number;
  parameterCount: number;
}

/** One random stream per purpose, so that e.g. changing eval.every does not change the training batches. */
export interface RunRngs {
  init: Rng;
  data: Rng;
  loss: Rng;
  eval: Rng;
  sample: Rng;
  metrics: Rng;
  /** Held-out data and Hutchinson probes of the nll metric (split last, so the streams above are unchanged by it). */
  likelihood: Rng;
}

export function runRngs(seed: number): RunRngs {
  const root = new Rng(seed);
  const init = root.split();
  const data = root.split();
  const loss = root.split();
  const evalRng = root.split();
  const sample = root.split();
  const metrics = root.split();
  return { init, data, loss, eval: evalRng, sample, metrics, likelihood: root.split() };
}

export interface TrainLoopOptions {
  train: TrainSpec;
  params: tf.Variable[];
  /** The loss of one step on a fresh batch (called inside the gradient tape). */
  objective: () => tf.Scalar;
  /** Evaluation every eval.every steps and after the last one; null: no evaluation during training. */
  evaluate: ((step: number) => void) | null;
  evalEvery: number;
}

/** The optimiser loop: logs train/loss, train/grad_norm, perf/steps_per_sec every logEvery steps, stops on divergence. */
export async function trainLoop(opts: TrainLoopOptions, hooks: RunHooks): Promise<void> {
  const { train: trainSpec, evaluate, evalEvery } = opts;
  const trainer = new Trainer({ params: opts.params, objective: opts.objective, optimizer: trainSpec.optimizer, lr: trainSpec.lr });
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
      if (evaluate && (step % evalEvery === 0 || step === trainSpec.steps)) {
        hooks.progress({ phase: 'eval', step, totalSteps: trainSpec.steps });
        const t0 = performance.now();
        evaluate(step);
        // Evaluation time is not training time.
        lastLogTime += performance.now() - t0;
      }
    }
  } finally {
    trainer.dispose();
  }
}

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
