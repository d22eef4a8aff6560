import type * as tf from '@tensorflow/tfjs';
import type { OdeSolverState, Rng, ScoreFn } from '@scorelab/core';
import type { SamplerSpec } from '@scorelab/config';

/** The six sampler kinds, named as in the `sampler` section of an experiment file. */
export type SamplerKind = SamplerSpec['kind'];

/**
 * Where a chain is on its sampler's grid. Noise-level samplers: the level and sigma of the last
 * Langevin step (plain Langevin has sigma only, or nothing for a clean model; nothing before the
 * first step). SDE samplers: the time t the chain has reached (T after `init`, down to eps).
 */
export interface ChainPosition {
  /** 0-based index into the noise levels, largest first (ald only). */
  readonly level?: number;
  /** The noise level sigma the score was called with. */
  readonly sigma?: number;
  /** The time t of the samples (SDE samplers). */
  readonly t?: number;
}

/** The explicit state of a chain: the samples, how many `step` calls produced them, and where they are. */
export interface SamplerState {
  /** x: [N, D], owned by this state (for the ODE sampler it is ode.y[0]); `Sampler.release` disposes it. */
  readonly x: tf.Tensor2D;
  /** `step` calls since `init`. */
  readonly step: number;
  readonly position: ChainPosition;
  /** The ODE solver's state (kind `ode` only), owned by this state. */
  readonly ode?: OdeSolverState;
}

/**
 * Every sampler is an init / step / done / finish set of functions with explicit state, in the spirit
 * of optax; `runSampler` is the one loop that drives them. `step` is pure with respect to its input
 * state: it returns a new state and leaves the old one to the caller (`release`).
 */
export interface Sampler {
  readonly kind: SamplerKind;
  /** Number of `step` calls from `init` to `done`, or null when an adaptive solver (rk45) chooses. */
  readonly totalSteps: number | null;
  /** Start from x0: [N, D] (the caller keeps x0). May call the score (rk45 evaluates the ODE twice to pick its first step). */
  init(x0: tf.Tensor2D, score: ScoreFn): SamplerState;
  /** One step; draws its noise from rng. Does not release `state`. */
  step(state: SamplerState, score: ScoreFn, rng: Rng): SamplerState;
  done(state: SamplerState): boolean;
  /** The final samples [N, D], a new tensor: the last x, or its Tweedie denoising (one more score call) when enabled. */
  finish(state: SamplerState, score: ScoreFn): tf.Tensor2D;
  /** Dispose the tensors a state owns. */
  release(state: SamplerState): void;
  /**
   * Whether a recorded trajectory keeps this state; `previous` is the state it was stepped from
   * (undefined for the state `init` returned).
   */
  isSnapshot(state: SamplerState, previous: SamplerState | undefined): boolean;
}
