import { fixedStepSolver, type ExplicitStep } from './fixed-step';
import { linearCombination, type OdeSolver } from './ode';

/** The classical Runge-Kutta method: global error O(h^4), four f evaluations per step. */
export const rk4Step: ExplicitStep = {
  method: 'rk4',
  evals: 4,
  advance: (f, t, y, h) => {
    const k1 = f(t, y);
    const k2 = f(t + h / 2, linearCombination(y, [[h / 2, k1]]));
    const k3 = f(t + h / 2, linearCombination(y, [[h / 2, k2]]));
    const k4 = f(t + h, linearCombination(y, [[h, k3]]));
    return linearCombination(y, [
      [h / 6, k1],
      [h / 3, k2],
      [h / 3, k3],
      [h / 6, k4],
    ]);
  },
};

export function rk4(steps: number): OdeSolver {
  return fixedStepSolver(rk4Step, steps);
}
