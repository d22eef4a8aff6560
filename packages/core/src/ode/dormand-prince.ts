import * as tf from '@tensorflow/tfjs';
import { checkOdeValue, disposeValue, linearCombination, type OdeFunction, type OdeSolver, type OdeSolverState, type OdeValue } from './ode';

export interface DormandPrinceOptions {
  /** Relative tolerance (default 1e-5). The state is float32: below ~1e-6 rounding noise dominates the error estimate. */
  rtol?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Give up after this many step attempts, accepted or rejected (default 10000). */
  maxSteps?: number;
  /** |h| of the first step; default: scipy's `select_initial_step` heuristic (one extra f evaluation). */
  firstStep?: number;
}

// Dormand & Prince (1980) RK5(4)7FM: nodes C, stage matrix A, 5th-order weights B (also the last row
// of A: first-same-as-last) and E = B - B*, the difference to the embedded 4th-order weights.
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1];
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
];
const B = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84];
const E = [-71 / 57600, 0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40];

// Step-size control as in scipy's RK45: h *= clamp(SAFETY err^(-1/5), MIN_FACTOR, MAX_FACTOR),
// never growing right after a rejection.
const SAFETY = 0.9;
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 10;
const EXPONENT = -1 / 5;

/** sqrt(mean over every element of (v / scale)^2), one number read back from the backend. */
function rmsNorm(v: OdeValue, scale: OdeValue): number {
  const total = v.reduce((acc, vi) => acc + vi.size, 0);
  return Math.sqrt(tf.tidy(() => tf.addN(v.map((vi, j) => tf.sum(tf.square(tf.div(vi, scale[j]))))).dataSync()[0]) / total);
}

/**
 * Adaptive Dormand-Prince 5(4) ("RK45", scipy's default), advancing with the 5th-order solution and
 * controlling the local error of the embedded 4th-order one: a step is accepted when
 * RMS(err / (atol + rtol max(|y|, |y_new|))) <= 1 over all components of the state. FSAL: 6 evaluations
 * of f per attempted step, plus 2 in `init` (f(t0, y0) and the initial-step probe).
 */
export function dormandPrince(options: DormandPrinceOptions = {}): OdeSolver {
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-5;
  const maxSteps = options.maxSteps ?? 10000;
  if (!(rtol > 0) || !(atol > 0)) throw new Error(`rk45: rtol and atol must be > 0, got rtol = ${rtol}, atol = ${atol}`);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new Error(`rk45: maxSteps must be a positive integer, got ${maxSteps}`);
  if (options.firstStep !== undefined && !(options.firstStep > 0)) throw new Error(`rk45: firstStep must be > 0, got ${options.firstStep}`);

  const checked = (f: OdeFunction): OdeFunction => (t, y) => {
    const dy = f(t, y);
    checkOdeValue(y, dy);
    return dy;
  };

  /** scipy's select_initial_step for an order-4 error estimator. */
  function initialStep(f: OdeFunction, t0: number, t1: number, y0: OdeValue, f0: OdeValue): number {
    const direction = Math.sign(t1 - t0);
    return tf.tidy(() => {
      const scale = y0.map((v) => tf.add(tf.mul(tf.abs(v), rtol), atol));
      const d0 = rmsNorm(y0, scale);
      const d1 = rmsNorm(f0, scale);
      // The probe must stay inside [t0, t1]: the right-hand side may not exist beyond (VE sigma(t) overflows).
      const h0 = Math.min(d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1, Math.abs(t1 - t0));
      const f1 = f(t0 + h0 * direction, linearCombination(y0, [[h0 * direction, f0]]));
      const d2 = rmsNorm(
        f1.map((v, j) => tf.sub(v, f0[j])),
        scale,
      ) / h0;
      const h1 = d1 <= 1e-15 && d2 <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : Math.pow(0.01 / Math.max(d1, d2), 1 / 5);
      return Math.min(100 * h0, h1, Math.abs(t1 - t0));
    });
  }

  return {
    method: 'rk45',
    init(f, t0, t1, y0) {
      const g = checked(f);
      const y = y0.map((v) => tf.clone(v));
      let dy: OdeValue | null = null;
      let hAbs: number;
      try {
        dy = tf.tidy(() => g(t0, y));
        hAbs = t0 === t1 ? 0 : (options.firstStep ?? initialStep(g, t0, t1, y, dy));
      } catch (err) {
        disposeValue(y);
        disposeValue(dy);
        throw err;
      }
      const nfe = options.firstStep === undefined && t0 !== t1 ? 2 : 1;
      return { t0, t: t0, y, t1, steps: 0, rejectedSteps: 0, nfe, h: Math.sign(t1 - t0) * hAbs, dy };
    },
    step(f, state) {
      if (state.t === state.t1) throw new Error('rk45: already at the end time');
      const g = checked(f);
      const direction = Math.sign(state.t1 - state.t);
      const k1 = state.dy!;
      let hAbs = Math.abs(state.h);
      let rejected = 0;
      let nfe = state.nfe;
      let rejectedThisStep = false;
      for (;;) {
        if (state.steps + state.rejectedSteps + rejected >= maxSteps) {
          throw new Error(`rk45: no solution within ${maxSteps} step attempts (t = ${state.t}); are rtol/atol below float32 precision?`);
        }
        const minStep = 10 * Number.EPSILON * Math.max(Math.abs(state.t), Number.MIN_VALUE);
        if (hAbs < minStep) throw new Error(`rk45: step size underflow at t = ${state.t}`);
        let h = direction * hAbs;
        let tNew = state.t + h;
        if (direction * (tNew - state.t1) >= 0) {
          tNew = state.t1;
          h = state.t1 - state.t;
          hAbs = Math.abs(h);
        }
        const attempt = tf.tidy(() => {
          const k: OdeValue[] = [k1];
          for (let s = 1; s < 6; s++) {
            const yStage = linearCombination(
              state.y,
              A[s].map((a, j): [number, OdeValue] => [h * a, k[j]]),
            );
            k.push(g(state.t + C[s] * h, yStage));
          }
          const yNew = linearCombination(
            state.y,
            B.map((b, j): [number, OdeValue] => [h * b, k[j]]),
          );
          const k7 = g(tNew, yNew);
          k.push(k7);
          const err = state.y.map((_, c) => tf.addN(E.flatMap((e, j) => (e === 0 ? [] : [tf.mul(k[j][c], h * e)]))));
          const scale = state.y.map((v, c) => tf.add(tf.mul(tf.maximum(tf.abs(v), tf.abs(yNew[c])), rtol), atol));
          const norm = rmsNorm(err, scale);
          return { yNew, k7, norm };
        });
        nfe += 6;
        const { yNew, k7, norm } = attempt;
        if (norm < 1) {
          let factor = norm === 0 ? MAX_FACTOR : Math.min(MAX_FACTOR, SAFETY * Math.pow(norm, EXPONENT));
          if (rejectedThisStep) factor = Math.min(1, factor);
          return {
            t0: state.t0,
            t: tNew,
            y: yNew,
            t1: state.t1,
            steps: state.steps + 1,
            rejectedSteps: state.rejectedSteps + rejected,
            nfe,
            h: direction * hAbs * factor,
            dy: k7,
          };
        }
        // Rejected (or non-finite error): shrink and retry from the same state.
        disposeValue(yNew);
        disposeValue(k7);
        rejected++;
        rejectedThisStep = true;
        hAbs *= Number.isFinite(norm) ? Math.max(MIN_FACTOR, SAFETY * Math.pow(norm, EXPONENT)) : MIN_FACTOR;
      }
    },
    done: (state: OdeSolverState) => state.t === state.t1,
    dispose: (state: OdeSolverState) => {
      disposeValue(state.y);
      disposeValue(state.dy);
    },
  };
}
