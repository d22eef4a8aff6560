import * as tf from '@tensorflow/tfjs';
import { createOdeSolver, type OdeFunction, type OdeMethod, type Sde, type TimeScoreFn } from '@scorelab/core';
import { resolveEps, tweedieDenoise, type SdeSampler } from './sde-sampler';

export interface ProbabilityFlowOptions {
  sde: Sde;
  /** `rk45` (adaptive Dormand-Prince, default), or fixed-step `euler` / `rk4`. */
  method?: OdeMethod;
  /** Fixed steps from T to eps (euler and rk4 only; rk45 chooses its own). */
  steps?: number;
  /** rk45 tolerances (default 1e-5 each, as score_sde). */
  rtol?: number;
  atol?: number;
  /** rk45: give up after this many step attempts (default 10000). */
  maxSteps?: number;
  eps?: number;
  /** Tweedie denoising at eps (default false; score_sde's ODE sampler denoises with one noise-free reverse-diffusion step, the same to first order). */
  denoise?: boolean;
}

/** The probability-flow ODE dx/dt = f(x, t) - g(t)^2 s(x, t) / 2 as an ODE right-hand side on the state [x]. */
export function probabilityFlowOde(sde: Sde, score: TimeScoreFn): OdeFunction {
  const flow = sde.reverse(score, true);
  return (t, [x]) => [flow.drift(x as tf.Tensor2D, t)];
}

/**
 * Sampling by integrating the probability-flow ODE from x_T ~ prior at T back to eps (kind `ode`): deterministic
 * given x_T. Each ODE right-hand side costs one score evaluation: NFE = steps (euler), 4 steps (rk4), or
 * 2 + 6 (accepted + rejected steps) (rk45) (+1 with denoise).
 */
export function probabilityFlow(opts: ProbabilityFlowOptions): SdeSampler {
  const { sde } = opts;
  const eps = resolveEps(sde, opts.eps, 'ode');
  const method = opts.method ?? 'rk45';
  let totalSteps: number | null;
  let solver;
  switch (method) {
    case 'euler':
    case 'rk4':
      if (opts.steps === undefined) throw new Error(`ode: method '${method}' needs steps`);
      solver = createOdeSolver({ method, steps: opts.steps });
      totalSteps = opts.steps;
      break;
    case 'rk45':
      if (opts.steps !== undefined) throw new Error("ode: method 'rk45' chooses its own steps; set rtol/atol instead of steps");
      solver = createOdeSolver({ method, rtol: opts.rtol, atol: opts.atol, maxSteps: opts.maxSteps });
      totalSteps = null;
      break;
  }
  const denoise = opts.denoise ?? false;
  return {
    kind: 'ode',
    sde,
    eps,
    totalSteps,
    denoise,
    init(xT, score) {
      if (xT.rank !== 2) throw new Error(`ode: x_T must be [N, D], got shape [${xT.shape.join(', ')}]`);
      const ode = solver.init(probabilityFlowOde(sde, score), sde.T, eps, [xT]);
      return { x: ode.y[0] as tf.Tensor2D, t: ode.t, step: 0, ode };
    },
    step(state, score) {
      const ode = solver.step(probabilityFlowOde(sde, score), state.ode!);
      return { x: ode.y[0] as tf.Tensor2D, t: ode.t, step: ode.steps, ode };
    },
    done: (state) => solver.done(state.ode!),
    finish: (state, score) => (denoise ? tweedieDenoise(sde, state.x, state.t, score) : tf.clone(state.x)),
    release: (state) => solver.dispose(state.ode!),
  };
}
