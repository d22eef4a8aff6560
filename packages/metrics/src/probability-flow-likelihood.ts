import * as tf from '@tensorflow/tfjs';
import { solveOde, type OdeFunction, type OdeMethod, type OdeOptions, type Rng, type ScoreFn, type Sde } from '@scorelab/core';

export type LikelihoodDivergence = 'exact' | 'hutchinson';

export interface ProbabilityFlowLikelihoodOptions {
  /** `rk45` (default, rtol/atol) or fixed-step `euler` / `rk4` (steps). */
  method?: OdeMethod;
  /** Fixed steps from eps to T (euler and rk4 only). */
  steps?: number;
  /** rk45 tolerances, default 1e-5 each (score_sde). */
  rtol?: number;
  atol?: number;
  maxSteps?: number;
  /**
   * `exact` (default): tr(d drift / dx) by D backward passes per evaluation (fine for toy D);
   * `hutchinson`: v^T (d drift / dx) v with one noise vector v per row, drawn once and kept for the whole
   * integration (score_sde), which makes the log-likelihood an unbiased estimate; needs `rng`.
   */
  divergence?: LikelihoodDivergence;
  /** Hutchinson noise: `rademacher` (default) or `gaussian`. */
  projection?: 'rademacher' | 'gaussian';
  rng?: Rng;
  /** Start time (default sde.trainEps, the training and likelihood eps): the result is log p_eps(x). */
  eps?: number;
}

export interface ProbabilityFlowLikelihood {
  /** log p_eps(x) per row, in nats. */
  logLikelihood: number[];
  /**
   * Score network forward passes (each with its backward pass): D per right-hand side with the exact
   * divergence, 1 with Hutchinson. Counted at the score function, so it is rhsEvaluations * D or * 1.
   */
  nfe: number;
  /** Evaluations of the ODE right-hand side (the solver's NFE). */
  rhsEvaluations: number;
  steps: number;
  rejectedSteps: number;
}

/**
 * Log-likelihoods through the probability-flow ODE (Song et al. 2021, appendix D.2; score_sde likelihood.py):
 * integrate from t = eps to T
 *   dx/dt = f~(x, t) = f(x, t) - g(t)^2 s(x, t) / 2,   d delta/dt = div_x f~(x, t),   delta(eps) = 0,
 * then log p_eps(x) = log p_prior(x_T) + delta(T) (the instantaneous change of variables,
 * d log p_t(x_t)/dt = -div f~). x: [N, D] (the data points); the ODE state is [x: [N, D], delta: [N]] and
 * rk45 controls the error of both. The prior stands in for p_T, which is exact only as p_T -> prior.
 */
export function probabilityFlowLogLikelihood(score: ScoreFn, sde: Sde, x: tf.Tensor2D, opts: ProbabilityFlowLikelihoodOptions = {}): ProbabilityFlowLikelihood {
  if (x.rank !== 2 || x.shape[0] === 0) throw new Error(`probabilityFlowLogLikelihood: x must be a non-empty [N, D] tensor, got [${x.shape}]`);
  const [n, d] = x.shape;
  const eps = opts.eps ?? sde.trainEps;
  if (!(eps > 0 && eps < sde.T)) throw new Error(`probabilityFlowLogLikelihood: eps must be in (0, T = ${sde.T}), got ${eps}`);
  const method = opts.method ?? 'rk45';
  let ode: OdeOptions;
  switch (method) {
    case 'euler':
    case 'rk4':
      if (opts.steps === undefined) throw new Error(`probabilityFlowLogLikelihood: method '${method}' needs steps`);
      ode = { method, steps: opts.steps };
      break;
    case 'rk45':
      if (opts.steps !== undefined) throw new Error("probabilityFlowLogLikelihood: method 'rk45' chooses its own steps; set rtol/atol");
      ode = { method, rtol: opts.rtol, atol: opts.atol, maxSteps: opts.maxSteps };
      break;
  }
  const divergence = opts.divergence ?? 'exact';
  // nfe counts score forward passes where they happen (DESIGN.md section 5), not right-hand sides.
  let forwardPasses = 0;
  const counted: ScoreFn = (xx, cond) => {
    forwardPasses++;
    return score(xx, cond);
  };
  const flow = sde.reverse(counted, true);

  // The fixed probes: one-hot columns e_i (exact) or the Hutchinson noise v: [N, D] each.
  let probes: tf.Tensor2D[];
  switch (divergence) {
    case 'exact':
      probes = Array.from({ length: d }, (_, i) => tf.tidy(() => tf.cast(tf.oneHot(tf.fill([n], i, 'int32') as tf.Tensor1D, d), 'float32') as tf.Tensor2D));
      break;
    case 'hutchinson': {
      if (!opts.rng) throw new Error("probabilityFlowLogLikelihood: divergence 'hutchinson' needs rng");
      const projection = opts.projection ?? 'rademacher';
      probes = [(projection === 'rademacher' ? opts.rng.rademacherTensor([n, d]) : opts.rng.normalTensor([n, d])) as tf.Tensor2D];
      break;
    }
  }

  // One valueAndGrad per probe p (a score forward and backward pass each) gives the drift and p^T J (rows
  // are independent, so the gradient of sum(drift * p) is row-wise p^T J); sum(p^T J * p) over columns is
  // J_ii (exact) or v^T J v (Hutchinson).
  const rhs: OdeFunction = (t, [xt]) => {
    const tt = tf.fill([n], t) as tf.Tensor1D;
    const f = (xx: tf.Tensor2D) => flow.drift(xx, tt);
    let drift: tf.Tensor2D | null = null;
    const terms = probes.map((p) => {
      const { value, grad } = tf.valueAndGrad(f)(xt as tf.Tensor2D, p);
      drift ??= value;
      return tf.sum(tf.mul(grad, p), 1);
    });
    return [drift!, tf.addN(terms)];
  };

  const delta0 = tf.zeros([n]);
  try {
    const solution = solveOde(rhs, eps, sde.T, [x, delta0], ode);
    const logp = tf.tidy(() => tf.add(sde.priorLogDensity(solution.y[0] as tf.Tensor2D), solution.y[1]));
    const values = Array.from(logp.dataSync());
    tf.dispose([logp, ...solution.y]);
    return { logLikelihood: values, nfe: forwardPasses, rhsEvaluations: solution.nfe, steps: solution.steps, rejectedSteps: solution.rejectedSteps };
  } finally {
    tf.dispose([...probes, delta0]);
  }
}
