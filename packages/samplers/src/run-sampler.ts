import * as tf from '@tensorflow/tfjs';
import type { Rng, ScoreFn } from '@scorelab/core';
import type { Sampler, SamplerState } from './sampler';

export interface SamplerProgress {
  /** Steps taken so far (1..totalSteps). */
  step: number;
  totalSteps: number;
  /** 0-based noise level of the last step (annealed Langevin). */
  level?: number;
  /** sigma the last step called the score with, if any. */
  sigma?: number;
}

export interface SampleResult {
  /** Final samples: [N, D]. */
  samples: tf.Tensor2D;
  /** Snapshots [N, D] at `sampler.snapshotSteps` (before any denoising step), when requested. */
  trajectory?: tf.Tensor2D[];
  /** Number of (batched) score calls, the final denoising call included. */
  scoreEvaluations: number;
}

export interface RunSamplerOptions {
  onProgress?: (p: SamplerProgress) => void;
  /** Report every this many steps (and after the last step); default 100. */
  progressEvery?: number;
  /** Keep snapshots: annealed Langevin after each level plus the initial samples; Langevin ~10 evenly spaced plus the initial samples. */
  recordTrajectory?: boolean;
}

const DEFAULT_PROGRESS_EVERY = 100;

/**
 * The one sampling loop: init, totalSteps steps, finish. Each step's tensors live in the step's
 * tf.tidy and the previous state is disposed, so the tensor count stays flat however long it runs.
 * Never reads tensor data, so the backend is not forced to synchronise. x0 stays owned by the caller.
 */
export function runSampler(sampler: Sampler, score: ScoreFn, x0: tf.Tensor2D, rng: Rng, opts: RunSamplerOptions = {}): SampleResult {
  const every = opts.progressEvery ?? DEFAULT_PROGRESS_EVERY;
  if (!Number.isInteger(every) || every < 1) throw new Error(`progressEvery must be a positive integer, got ${every}`);
  let scoreEvaluations = 0;
  const counted: ScoreFn = (x, sigma) => {
    scoreEvaluations++;
    return score(x, sigma);
  };
  const snapshotAt = new Set(opts.recordTrajectory ? sampler.snapshotSteps : []);
  const trajectory: tf.Tensor2D[] = [];
  let state: SamplerState = sampler.init(x0);
  try {
    // tf.clone shares the data buffer, so a snapshot costs no copy.
    if (snapshotAt.has(0)) trajectory.push(tf.clone(state.x));
    while (state.step < sampler.totalSteps) {
      const next = sampler.step(state, counted, rng);
      state.x.dispose();
      state = next;
      if (snapshotAt.has(state.step)) trajectory.push(tf.clone(state.x));
      if (opts.onProgress && (state.step % every === 0 || state.step === sampler.totalSteps)) {
        const { level, sigma } = sampler.stepInfo(state.step - 1);
        const progress: SamplerProgress = { step: state.step, totalSteps: sampler.totalSteps };
        if (level !== undefined) progress.level = level;
        if (sigma !== undefined) progress.sigma = sigma;
        opts.onProgress(progress);
      }
    }
    const samples = sampler.finish(state, counted);
    return opts.recordTrajectory ? { samples, trajectory, scoreEvaluations } : { samples, scoreEvaluations };
  } catch (err) {
    for (const t of trajectory) t.dispose();
    throw err;
  } finally {
    state.x.dispose();
  }
}
