import { fixedStepSolver, type ExplicitStep } from './fixed-step';
import { linearCombination, type OdeSolver } from './ode';

/** Explicit Euler, y' = y + h f(t, y): global error O(h) (order 1), one f evaluation per step. */
export const eulerStep: ExplicitStep = {
  method: 'euler',
  evals: 1,
  advance: (f, t, y, h) => linearCombination(y, [[h, f(t, y)]]),
};

export function euler(steps: number): OdeSolver {
  return fixedStepSolver(eulerStep, steps);
}
