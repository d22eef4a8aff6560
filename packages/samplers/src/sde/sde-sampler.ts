import * as tf from '@tensorflow/tfjs';
import type { OdeSolverState, Rng, Sde, TimeScoreFn } from '@scorelab/core';

export type SdeSamplerKind = 'euler-maruyama' | 'reverse-diffusion' | 'pc' | 'ode';

/** The explicit state of an SDE sampler: samples x at time t, after `step` steps. */
export interface SdeSamplerState {
  /** x: [N, D], owned by this state (for the ODE sampler it is ode.y[0]). */
  readonly x: tf.Tensor2D;
  /** Current time: T after `init`, decreasing to eps. */
  readonly t: number;
  /** Steps taken so far (accepted steps for an adaptive solver). */
  readonly step: number;
  /** The ODE solver's state (ODE sampler only), owned by this state. */
  readonly ode?: OdeSolverState;
}

/**
 * A sampler of the reverse-time SDE (or probability-flow ODE) from x_T ~ prior down to t = eps, as an
 * init/step pair with explicit state (like `Sampler`, but driven by a time score and with a time grid or an
 * adaptive solver instead of Langevin step sizes); `runSdeSampler` is the loop. `step` is pure with respect to
 * its input state: it returns a new state and leaves the old one to the caller (`release`).
 */
export interface SdeSampler {
  readonly kind: SdeSamplerKind;
  readonly sde: Sde;
  /** The final time (default sde.eps). */
  readonly eps: number;
  /** Number of `step` calls, or null for an adaptive solver (rk45). */
  readonly totalSteps: number | null;
  /** Whether `finish` applies the Tweedie denoiser at eps. */
  readonly denoise: boolean;
  /** Start from x_T: [N, D] (the caller keeps x_T). May call the score (rk45 evaluates the ODE twice to pick its first step). */
  init(xT: tf.Tensor2D, score: TimeScoreFn): SdeSamplerState;
  /** One step toward eps; draws noise from rng. Does not release `state`. */
  step(state: SdeSamplerState, score: TimeScoreFn, rng: Rng): SdeSamplerState;
  done(state: SdeSamplerState): boolean;
  /** The final samples, a new tensor: x at eps, or with `denoise` E[x_0 | x_eps] = (x + s^2 score(x, eps)) / m (one more score call). */
  finish(state: SdeSamplerState, score: TimeScoreFn): tf.Tensor2D;
  /** Dispose the tensors a state owns. */
  release(state: SdeSamplerState): void;
}

/** A column of t for every row: [N]. */
export function timeColumn(n: number, t: number): tf.Tensor1D {
  return tf.fill([n], t) as tf.Tensor1D;
}

export function checkSteps(steps: number, where: string): void {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`${where}: steps must be a positive integer, got ${steps}`);
}

export function resolveEps(sde: Sde, eps: number | undefined, where: string): number {
  const e = eps ?? sde.eps;
  if (!(Number.isFinite(e) && e > 0 && e < sde.T)) throw new Error(`${where}: eps must be in (0, T = ${sde.T}), got ${e}`);
  return e;
}

/**
 * Tweedie's formula at the final time: x_t = m x_0 + s z gives E[m x_0 | x_t] = x_t + s^2 grad log p_t(x_t),
 * so E[x_0 | x_t] = (x_t + s^2 s(x_t, t)) / m. With the exact score this removes the remaining noise s(eps).
 */
export function tweedieDenoise(sde: Sde, x: tf.Tensor2D, t: number, score: TimeScoreFn): tf.Tensor2D {
  const { mean, std } = sde.marginal(t);
  return tf.tidy(() => tf.div(tf.add(x, tf.mul(score(x, timeColumn(x.shape[0], t)), std * std)), mean) as tf.Tensor2D);
}

/**
 * One update of the samples at grid time t toward t - h (a predictor, or corrector steps then a predictor).
 * Returns new tensors; the caller disposes x.
 */
export type GridUpdate = (x: tf.Tensor2D, t: number, h: number, score: TimeScoreFn, rng: Rng) => tf.Tensor2D;

/**
 * A sampler on the uniform grid t_i = T - i h, h = (T - eps) / steps, i = 0..steps: step i updates the samples
 * at t_i (the score is evaluated at t_i) and lands on t_{i+1}; the last step lands exactly on eps.
 */
export function gridSampler(kind: SdeSamplerKind, sde: Sde, steps: number, eps: number, denoise: boolean, update: GridUpdate): SdeSampler {
  checkSteps(steps, kind);
  const h = (sde.T - eps) / steps;
  const timeAt = (i: number) => (i === steps ? eps : sde.T - i * h);
  return {
    kind,
    sde,
    eps,
    totalSteps: steps,
    denoise,
    init(xT) {
      if (xT.rank !== 2) throw new Error(`${kind}: x_T must be [N, D], got shape [${xT.shape.join(', ')}]`);
      return { x: tf.clone(xT), t: sde.T, step: 0 };
    },
    step(state, score, rng) {
      if (state.step >= steps) throw new Error(`${kind}: all ${steps} steps already taken`);
      const x = tf.tidy(() => update(state.x, timeAt(state.step), h, score, rng));
      return { x, t: timeAt(state.step + 1), step: state.step + 1 };
    },
    done: (state) => state.step >= steps,
    finish: (state, score) => (denoise ? tweedieDenoise(sde, state.x, state.t, score) : tf.clone(state.x)),
    release: (state) => state.x.dispose(),
  };
}
