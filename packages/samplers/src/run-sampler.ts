import * as tf from '@tensorflow/tfjs';
import type { Rng, ScoreFn } from '@scorelab/core';
import type { ChainPosition, Sampler, SamplerState } from './sampler';

export interface SamplerProgress extends ChainPosition {
  /** Steps taken so far (1..totalSteps). */
  step: number;
  /** `sampler.totalSteps`: null for an adaptive solver. */
  totalSteps: number | null;
}

/** Where a trajectory entry was taken: after `step` steps, at the chain's level / sigma / t. */
export interface Snapshot extends ChainPosition {
  step: number;
}

export interface SampleResult {
  /** Final samples: [N, D]. */
  samples: tf.Tensor2D;
  /** Snapshots [N, D] chosen by `sampler.isSnapshot` (before any denoising step), when requested. */
  trajectory?: tf.Tensor2D[];
  /** One per trajectory entry, in the same order. */
  snapshots?: Snapshot[];
  /** NFE: the number of (batched) score calls, those of `init` and `finish` included. */
  scoreEvaluations: number;
  /** Steps taken (accepted steps for rk45). */
  steps: number;
}

export interface RunSamplerOptions {
  onProgress?: (p: SamplerProgress) => void;
  /** Report every this many steps (and after the last step); default 100. */
  progressEvery?: number;
  /**
   * Keep snapshots: ald the initial samples and the samples after each level; langevin the initial
   * samples and ~10 evenly spaced states; SDE samplers x_T, the first state past each tenth of [eps, T]
   * and so the last state.
   */
  recordTrajectory?: boolean;
  /**
   * Looks at the samples x: [N, D] (read them; the loop keeps ownership) after `init` (step 0), at
   * every progress report (before onProgress) and once more on the final samples (`final`, after
   * `finish`). A throw aborts sampling as one from onProgress does, tensors disposed. The loop has no
   * opinion about samples: what counts as diverged is the caller's policy.
   */
  check?: (x: tf.Tensor2D, at: SamplerCheckpoint) => void;
}

/** Where `check` is called: after `step` steps, at the chain's position; `final` for the samples `finish` returned. */
export interface SamplerCheckpoint extends SamplerProgress {
  final: boolean;
}

const DEFAULT_PROGRESS_EVERY = 100;

/** { step, ...position } without undefined keys. */
function at<T extends object>(base: T, position: ChainPosition): T & ChainPosition {
  const out: T & { level?: number; sigma?: number; t?: number } = { ...base };
  if (position.level !== undefined) out.level = position.level;
  if (position.sigma !== undefined) out.sigma = position.sigma;
  if (position.t !== undefined) out.t = position.t;
  return out;
}

/**
 * The one sampling loop: init, step until done, finish. Each step's intermediates live in tf.tidy
 * inside the sampler and the previous state is released, so the tensor count stays flat however long
 * it runs; on an error (also one thrown by onProgress) the trajectory and the last state are disposed.
 * Never reads tensor data itself. x0 stays owned by the caller.
 */
export function runSampler(sampler: Sampler, score: ScoreFn, x0: tf.Tensor2D, rng: Rng, opts: RunSamplerOptions = {}): SampleResult {
  const every = opts.progressEvery ?? DEFAULT_PROGRESS_EVERY;
  if (!Number.isInteger(every) || every < 1) throw new Error(`progressEvery must be a positive integer, got ${every}`);
  let scoreEvaluations = 0;
  const counted: ScoreFn = (x, cond) => {
    scoreEvaluations++;
    return score(x, cond);
  };
  const trajectory: tf.Tensor2D[] = [];
  const snapshots: Snapshot[] = [];
  const record = (state: SamplerState, previous: SamplerState | undefined) => {
    if (!opts.recordTrajectory || !sampler.isSnapshot(state, previous)) return;
    // tf.clone shares the data buffer, so a snapshot costs no copy.
    trajectory.push(tf.clone(state.x));
    snapshots.push(at({ step: state.step }, state.position));
  };
  const checkpoint = (s: SamplerState, final: boolean): SamplerCheckpoint => at({ step: s.step, totalSteps: sampler.totalSteps, final }, s.position);
  let state = sampler.init(x0, counted);
  try {
    record(state, undefined);
    opts.check?.(state.x, checkpoint(state, false));
    while (!sampler.done(state)) {
      const next = sampler.step(state, counted, rng);
      const previous = state;
      sampler.release(previous);
      state = next;
      // `previous` is only read for its step and position (plain numbers) after its tensors are gone.
      record(state, previous);
      if (state.step % every === 0 || sampler.done(state)) {
        opts.check?.(state.x, checkpoint(state, false));
        opts.onProgress?.(at({ step: state.step, totalSteps: sampler.totalSteps }, state.position));
      }
    }
    const samples = sampler.finish(state, counted);
    try {
      opts.check?.(samples, checkpoint(state, true));
    } catch (err) {
      samples.dispose();
      throw err;
    }
    const result: SampleResult = { samples, scoreEvaluations, steps: state.step };
    if (opts.recordTrajectory) {
      result.trajectory = trajectory;
      result.snapshots = snapshots;
    }
    return result;
  } catch (err) {
    for (const t of trajectory) t.dispose();
    throw err;
  } finally {
    sampler.release(state);
  }
}
