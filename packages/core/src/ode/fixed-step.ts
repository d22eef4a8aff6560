import * as tf from '@tensorflow/tfjs';
import { checkOdeValue, disposeValue, type OdeFunction, type OdeSolver, type OdeSolverState, type OdeValue } from './ode';

/** One explicit step y(t + h) ~ y + h Phi(t, y; h); `evals` is the number of f calls it makes. */
export interface ExplicitStep {
  method: 'euler' | 'rk4';
  evals: number;
  advance(f: OdeFunction, t: number, y: OdeValue, h: number): OdeValue;
}

/** A solver taking `steps` equal steps h = (t1 - t0) / steps; step k ends at t0 + (k + 1) h exactly (no accumulated rounding). */
export function fixedStepSolver(scheme: ExplicitStep, steps: number): OdeSolver {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`${scheme.method}: steps must be a positive integer, got ${steps}`);
  return {
    method: scheme.method,
    init(_f, t0, t1, y0) {
      return { t0, t: t0, y: y0.map((v) => tf.clone(v)), t1, steps: 0, rejectedSteps: 0, nfe: 0, h: (t1 - t0) / steps, dy: null };
    },
    step(f, state) {
      if (state.steps >= steps) throw new Error(`${scheme.method}: all ${steps} steps already taken`);
      const checked: OdeFunction = (t, y) => {
        const dy = f(t, y);
        checkOdeValue(y, dy);
        return dy;
      };
      const y = tf.tidy(() => scheme.advance(checked, state.t, state.y, state.h));
      const k = state.steps + 1;
      const t = k === steps ? state.t1 : state.t0 + k * state.h;
      return { ...state, t, y, steps: k, nfe: state.nfe + scheme.evals };
    },
    done: (state: OdeSolverState) => state.steps >= steps,
    dispose: (state: OdeSolverState) => disposeValue(state.y),
  };
}
