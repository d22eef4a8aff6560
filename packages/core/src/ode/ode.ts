import * as tf from '@tensorflow/tfjs';

/**
 * ODE solvers for dy/dt = f(t, y) on tensors, for the probability-flow ODE (sampling and likelihoods).
 * The state y is a list of tensors (e.g. [x: [N, D], delta log p: [N]]) integrated as one vector.
 * Time may run backwards (t1 < t0). Each solver is an init/step pair with explicit state, driven by
 * `solveOde` or by a caller's own loop (the ODE sampler). One solver per file: euler.ts, rk4.ts,
 * dormand-prince.ts.
 */
export type OdeValue = tf.Tensor[];

/** The right-hand side f(t, y); it returns new tensors shaped like y. Solvers call it inside tf.tidy. */
export type OdeFunction = (t: number, y: OdeValue) => OdeValue;

export type OdeMethod = 'euler' | 'rk4' | 'rk45';

export type OdeOptions =
  /** Fixed steps of size (t1 - t0) / steps. */
  | { method: 'euler' | 'rk4'; steps: number }
  /**
   * Adaptive Dormand-Prince 5(4) with scipy's error control: a step is accepted when the RMS over all
   * components of err / (atol + rtol max(|y|, |y_new|)) is <= 1. Defaults rtol = atol = 1e-5 (score_sde).
   */
  | { method: 'rk45'; rtol?: number; atol?: number; maxSteps?: number; firstStep?: number };

export interface OdeSolverState {
  /** The start time. */
  readonly t0: number;
  readonly t: number;
  /** y(t), owned by this state. */
  readonly y: OdeValue;
  /** The end time. */
  readonly t1: number;
  /** Accepted steps. */
  readonly steps: number;
  /** Rejected step attempts (adaptive only). */
  readonly rejectedSteps: number;
  /** Evaluations of f so far. */
  readonly nfe: number;
  /** Signed size of the next step. */
  readonly h: number;
  /** f(t, y) kept for the next step (first-same-as-last, adaptive only), owned by this state. */
  readonly dy: OdeValue | null;
}

export interface OdeSolver {
  readonly method: OdeMethod;
  /** Start at y(t0) = y0 (cloned: the caller keeps y0). May evaluate f (rk45 picks its first step). */
  init(f: OdeFunction, t0: number, t1: number, y0: OdeValue): OdeSolverState;
  /** One accepted step. Does not dispose `state`. */
  step(f: OdeFunction, state: OdeSolverState): OdeSolverState;
  done(state: OdeSolverState): boolean;
  /** Dispose the tensors a state owns. */
  dispose(state: OdeSolverState): void;
}

export interface OdeSolution {
  t: number;
  /** y(t1): new tensors, owned by the caller. */
  y: OdeValue;
  steps: number;
  rejectedSteps: number;
  nfe: number;
}

/** y + sum_i c_i k_i component-wise (terms with c_i = 0 skipped). */
export function linearCombination(y: OdeValue, terms: [number, OdeValue][]): OdeValue {
  return y.map((yi, j) => {
    let acc: tf.Tensor = yi;
    for (const [c, k] of terms) if (c !== 0) acc = tf.add(acc, tf.mul(k[j], c));
    return acc === yi ? tf.clone(yi) : acc;
  });
}

export function checkOdeValue(y: OdeValue, dy: OdeValue): void {
  if (dy.length !== y.length || dy.some((d, j) => d.shape.join() !== y[j].shape.join())) {
    throw new Error(`ODE right-hand side returned shapes [${dy.map((d) => `[${d.shape}]`)}] for a state of shapes [${y.map((v) => `[${v.shape}]`)}]`);
  }
}

export function disposeValue(y: OdeValue | null): void {
  if (y) for (const v of y) v.dispose();
}
