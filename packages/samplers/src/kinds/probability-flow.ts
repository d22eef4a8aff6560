import type * as tf from '@tensorflow/tfjs';
import { createOdeSolver, type OdeFunction, type OdeMethod, type OdeSolver, type ScoreFn, type Sde } from '@scorelab/core';
import { checkStart, checkSteps, resolveEps } from '../checks';
import type { Sampler } from '../sampler';
import { snapshotTimeTenths } from '../snapshots';
import { type SdeSamplerOptions, sdeFinish } from './sde-grid-sampler';

export interface ProbabilityFlowOptions extends SdeSamplerOptions {
  /** `rk45` (adaptive Dormand-Prince, default), or fixed-step `euler` / `rk4`. */
  method?: OdeMethod;
  /** Fixed steps from T to eps (euler and rk4 only; rk45 chooses its own). */
  steps?: number;
  /** rk45 tolerances (default 1e-5 each, as score_sde). */
  rtol?: number;
  atol?: number;
  /** rk45: give up after this many step attempts (default 10000). */
  maxSteps?: number;
}

/** The probability-flow ODE dx/dt = f(x, t) - g(t)^2 s(x, t) / 2 as an ODE right-hand side on the state [x: [N, D]]. */
export function probabilityFlowOde(sde: Sde, score: ScoreFn): OdeFunction {
  const flow = sde.reverse(score, true);
  return (t, [x]) => [flow.drift(x as tf.Tensor2D, t)];
}

/**
 * Sampling by integrating the probability-flow ODE from x_T ~ prior at T back to eps (kind `ode`): deterministic
 * given x_T. One step per accepted solver step (totalSteps null for rk45). Each ODE right-hand side costs one
 * score evaluation: NFE = steps (euler), 4 steps (rk4), or 2 + 6 (accepted + rejected steps) (rk45), +1 with
 * denoise (score_sde's ODE sampler denoises with one noise-free reverse-diffusion step, the same to first order).
 */
export function probabilityFlow(opts: ProbabilityFlowOptions): Sampler {
  const { sde } = opts;
  const eps = resolveEps(sde, opts.eps, 'ode');
  const method = opts.method ?? 'rk45';
  let totalSteps: number | null;
  let solver: OdeSolver;
  switch (method) {
    case 'euler':
    case 'rk4':
      if (opts.steps === undefined) throw new Error(`ode: method '${method}' needs steps`);
      checkSteps(opts.steps, 'ode: steps');
      if (opts.rtol !== undefined || opts.atol !== undefined) throw new Error(`ode: rtol and atol apply to method 'rk45', not '${method}'`);
      solver = createOdeSolver({ method, steps: opts.steps });
      totalSteps = opts.steps;
      break;
    case 'rk45':
      if (opts.steps !== undefined) throw new Error("ode: method 'rk45' chooses its own steps; set rtol/atol instead of steps");
      solver = createOdeSolver({ method, rtol: opts.rtol, atol: opts.atol, maxSteps: opts.maxSteps });
      totalSteps = null;
      break;
  }
  return {
    kind: 'ode',
    totalSteps,
    init(x0, score) {
      checkStart(x0, 'ode');
      const ode = solver.init(probabilityFlowOde(sde, score), sde.T, eps, [x0]);
      return { x: ode.y[0] as tf.Tensor2D, step: 0, position: { t: ode.t }, ode };
    },
    step(state, score) {
      if (!state.ode) throw new Error('ode: the state has no ODE solver state');
      const ode = solver.step(probabilityFlowOde(sde, score), state.ode);
      return { x: ode.y[0] as tf.Tensor2D, step: ode.steps, position: { t: ode.t }, ode };
    },
    done: (state) => (state.ode ? solver.done(state.ode) : true),
    finish: sdeFinish(sde, opts.denoise ?? false),
    release: (state) => (state.ode ? solver.dispose(state.ode) : state.x.dispose()),
    isSnapshot: snapshotTimeTenths(sde.T, eps),
  };
}
