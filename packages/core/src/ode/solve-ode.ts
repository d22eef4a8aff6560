import { dormandPrince } from './dormand-prince';
import { euler } from './euler';
import type { OdeFunction, OdeOptions, OdeSolution, OdeSolver, OdeSolverState, OdeValue } from './ode';
import { rk4 } from './rk4';

/** The solver an options object describes. */
export function createOdeSolver(options: OdeOptions): OdeSolver {
  switch (options.method) {
    case 'euler':
      return euler(options.steps);
    case 'rk4':
      return rk4(options.steps);
    case 'rk45':
      return dormandPrince(options);
  }
}

/**
 * Integrate dy/dt = f(t, y) from y(t0) = y0 to t1 (t1 < t0 runs backwards). y0 stays owned by the
 * caller; the returned y is new. The tensor count stays flat: each step's intermediates live in a
 * tf.tidy and the previous state is disposed. `onStep` sees every accepted step's state (do not keep it).
 */
export function solveOde(f: OdeFunction, t0: number, t1: number, y0: OdeValue, options: OdeOptions, onStep?: (state: OdeSolverState) => void): OdeSolution {
  const solver = createOdeSolver(options);
  let state = solver.init(f, t0, t1, y0);
  try {
    while (!solver.done(state)) {
      const next = solver.step(f, state);
      solver.dispose(state);
      state = next;
      onStep?.(state);
    }
  } catch (err) {
    solver.dispose(state);
    throw err;
  }
  const { t, y, steps, rejectedSteps, nfe, dy } = state;
  if (dy) for (const v of dy) v.dispose();
  return { t, y, steps, rejectedSteps, nfe };
}
