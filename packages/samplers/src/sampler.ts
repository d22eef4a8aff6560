import * as tf from '@tensorflow/tfjs';
import type { Rng, ScoreFn } from '@scorelab/core';

/**
 * The two Langevin step conventions that papers and reference code disagree on (DESIGN.md section 2):
 * - `half`: x += (a/2) s(x) + sqrt(a) z   (the default; NCSN and its toy code)
 * - `full`: x += a s(x) + sqrt(2a) z      (the Euler-Maruyama step of dx = grad log p dt + sqrt(2) dW with dt = a)
 * A `full` step of size a is a `half` step of size 2a.
 */
export type LangevinConvention = 'half' | 'full';

/** The step a sampler takes at one step index: its step size and, for noise-conditional scores, sigma. */
export interface StepInfo {
  stepSize: number;
  /** sigma passed to the score for every row; undefined: the score is called without sigma. */
  sigma?: number;
  /** 0-based index into the sampler's sigmas (annealed Langevin only). */
  level?: number;
}

/** The explicit state of a sampler: the current samples and how many steps produced them. */
export interface SamplerState {
  /** x: [N, D], owned by this state (dispose it when the state is dropped). */
  readonly x: tf.Tensor2D;
  /** Number of steps taken so far, 0 after `init`. */
  readonly step: number;
}

/**
 * A sampler as an `init`/`step` pair with explicit state (in the spirit of optax). `step` is pure
 * with respect to its input state: it returns a new state and leaves the old one for the caller to
 * dispose; `runSampler` is the one loop that drives it.
 */
export interface Sampler {
  readonly kind: 'langevin' | 'ald';
  /** Number of `step` calls from `init` to `finish`. */
  readonly totalSteps: number;
  /** Step counts after which `runSampler` records a trajectory snapshot (0 = the initial samples), increasing. */
  readonly snapshotSteps: readonly number[];
  /** The step size and sigma of step number `index` (0-based, < totalSteps). */
  stepInfo(index: number): StepInfo;
  /** Start from x0: [N, D]. The state holds its own reference; the caller keeps ownership of x0. */
  init(x0: tf.Tensor2D): SamplerState;
  /** One Langevin step; draws z ~ N(0, I) from `rng`. Does not dispose `state`. */
  step(state: SamplerState, score: ScoreFn, rng: Rng): SamplerState;
  /** The final samples from the last state (e.g. after the optional denoising step): a new tensor. */
  finish(state: SamplerState, score: ScoreFn): tf.Tensor2D;
}

/** Coefficients (c_s, c_z) of x += c_s s + c_z z for step size a. */
export function langevinCoefficients(stepSize: number, convention: LangevinConvention): { drift: number; noise: number } {
  switch (convention) {
    case 'half':
      return { drift: stepSize / 2, noise: Math.sqrt(stepSize) };
    case 'full':
      return { drift: stepSize, noise: Math.sqrt(2 * stepSize) };
  }
}

/** Column of sigma for every row: [N], or undefined for an unconditional score. */
export function sigmaColumn(n: number, sigma: number | undefined): tf.Tensor1D | undefined {
  return sigma === undefined ? undefined : tf.fill([n], sigma);
}

interface LangevinCore {
  kind: Sampler['kind'];
  totalSteps: number;
  snapshotSteps: number[];
  convention: LangevinConvention;
  stepInfo(index: number): StepInfo;
  finish(state: SamplerState, score: ScoreFn): tf.Tensor2D;
}

/** Both samplers share the step x' = x + c_s s(x, sigma_k) + c_z z; only the schedule and `finish` differ. */
export function langevinSampler(core: LangevinCore): Sampler {
  const coefficients: { drift: number; noise: number }[] = [];
  const coefficientsAt = (index: number) => {
    // Step sizes repeat (one per level), so cache the coefficients rather than recomputing sqrt.
    const a = core.stepInfo(index).stepSize;
    return (coefficients[index] ??= langevinCoefficients(a, core.convention));
  };
  return {
    kind: core.kind,
    totalSteps: core.totalSteps,
    snapshotSteps: core.snapshotSteps,
    stepInfo: core.stepInfo,
    init(x0) {
      if (x0.rank !== 2) throw new Error(`sampler: x0 must be [N, D], got shape [${x0.shape.join(', ')}]`);
      return { x: tf.clone(x0), step: 0 };
    },
    step(state, score, rng) {
      if (state.step >= core.totalSteps) throw new Error(`sampler: all ${core.totalSteps} steps already taken`);
      const info = core.stepInfo(state.step);
      const { drift, noise } = coefficientsAt(state.step);
      const [n, d] = state.x.shape;
      const x = tf.tidy(() => {
        const s = score(state.x, sigmaColumn(n, info.sigma));
        const z = rng.normalTensor([n, d]);
        return tf.add(state.x, tf.add(tf.mul(s, drift), tf.mul(z, noise))) as tf.Tensor2D;
      });
      return { x, step: state.step + 1 };
    },
    finish: core.finish,
  };
}
