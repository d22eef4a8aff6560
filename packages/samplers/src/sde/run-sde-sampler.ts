import * as tf from '@tensorflow/tfjs';
import type { Rng, TimeScoreFn } from '@scorelab/core';
import type { SdeSampler, SdeSamplerState } from './sde-sampler';

export interface SdeSamplerProgress {
  /** Steps taken so far. */
  step: number;
  /** Total steps, or null for an adaptive solver. */
  totalSteps: number | null;
  /** Current time (T down to eps). */
  t: number;
}

export interface SdeSampleResult {
  /** Final samples: [N, D]. */
  samples: tf.Tensor2D;
  /** Snapshots [N, D] (before any denoising) at `trajectoryTimes`, when requested. */
  trajectory?: tf.Tensor2D[];
  trajectoryTimes?: number[];
  /** NFE: the number of (batched) score evaluations, the final denoising call included. */
  scoreEvaluations: number;
  /** Steps taken (accepted steps for rk45). */
  steps: number;
}

export interface RunSdeSamplerOptions {
  onProgress?: (p: SdeSamplerProgress) => void;
  /** Report every this many steps (and after the last); default 100. */
  progressEvery?: number;
  /** Keep snapshots: x_T, then the first state past each tenth of [eps, T], and the last state. */
  recordTrajectory?: boolean;
}

/**
 * The SDE sampling loop: init at T from x_T (kept by the caller), step until eps, finish. Each step's
 * intermediates are tidied and the previous state released, so the tensor count stays flat.
 */
export function runSdeSampler(sampler: SdeSampler, score: TimeScoreFn, xT: tf.Tensor2D, rng: Rng, opts: RunSdeSamplerOptions = {}): SdeSampleResult {
  const every = opts.progressEvery ?? 100;
  if (!Number.isInteger(every) || every < 1) throw new Error(`progressEvery must be a positive integer, got ${every}`);
  let scoreEvaluations = 0;
  const counted: TimeScoreFn = (x, t) => {
    scoreEvaluations++;
    return score(x, t);
  };
  const { T } = sampler.sde;
  const span = T - sampler.eps;
  const trajectory: tf.Tensor2D[] = [];
  const trajectoryTimes: number[] = [];
  let lastDecile = -1;
  const snapshot = (state: SdeSamplerState) => {
    if (!opts.recordTrajectory) return;
    const decile = Math.min(10, Math.floor((10 * (T - state.t)) / span + 1e-9));
    if (decile > lastDecile) {
      lastDecile = decile;
      trajectory.push(tf.clone(state.x));
      trajectoryTimes.push(state.t);
    }
  };
  let state = sampler.init(xT, counted);
  try {
    snapshot(state);
    while (!sampler.done(state)) {
      const next = sampler.step(state, counted, rng);
      sampler.release(state);
      state = next;
      snapshot(state);
      if (opts.onProgress && (state.step % every === 0 || sampler.done(state))) {
        opts.onProgress({ step: state.step, totalSteps: sampler.totalSteps, t: state.t });
      }
    }
    const samples = sampler.finish(state, counted);
    const result: SdeSampleResult = { samples, scoreEvaluations, steps: state.step };
    if (opts.recordTrajectory) {
      result.trajectory = trajectory;
      result.trajectoryTimes = trajectoryTimes;
    }
    return result;
  } catch (err) {
    for (const t of trajectory) t.dispose();
    throw err;
  } finally {
    sampler.release(state);
  }
}
