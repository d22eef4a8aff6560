import * as tf from '@tensorflow/tfjs';
import { buildSde, checkTimes, oneMinusExpTensor, timeFunction, type SubVpSde } from './sde';
import { betaSchedule, checkBetas } from './vp-sde';

export interface SubVpSdeOptions {
  /** beta(0); default 0.1. */
  betaMin?: number;
  /** beta(1); default 20. */
  betaMax?: number;
  /** Sampling eps, where samplers stop; default 1e-3 (score_sde's sampling eps for VP and sub-VP). */
  eps?: number;
  /** Training and likelihood eps; default 1e-5 (score_sde's eps of the losses and the likelihood). */
  trainEps?: number;
}

/**
 * The sub-VP SDE: dx = -beta(t) x / 2 dt + sqrt(beta(t) (1 - exp(-2 B(t)))) dW, B(t) = int_0^t beta.
 * Same mean coefficient as VP, m(t) = exp(-B(t) / 2), and s(t) = 1 - m(t)^2 = 1 - exp(-B(t)) (not its
 * square root): the variance (1 - exp(-B))^2 is below VP's 1 - exp(-B) at every t. Prior N(0, I).
 */
export function subVpSde(options: SubVpSdeOptions = {}): SubVpSde {
  const betaMin = options.betaMin ?? 0.1;
  const betaMax = options.betaMax ?? 20;
  const eps = options.eps ?? 1e-3;
  const trainEps = options.trainEps ?? 1e-5;
  checkBetas(betaMin, betaMax, 'subVpSde');
  checkTimes(eps, trainEps, 'subVpSde');
  const b = betaSchedule(betaMin, betaMax);
  const base = buildSde({
    T: 1,
    eps,
    trainEps,
    priorStd: 1,
    driftCoefficient: b.driftCoefficient,
    diffusion: timeFunction(
      (t) => Math.sqrt(b.beta(t) * -Math.expm1(-2 * b.integral(t))),
      (t) => tf.sqrt(tf.mul(b.beta(t), oneMinusExpTensor(tf.mul(b.integralTensor(t), -2) as tf.Tensor1D))) as tf.Tensor1D,
    ),
    marginalNumber: (t) => ({ mean: Math.exp(-0.5 * b.integral(t)), std: -Math.expm1(-b.integral(t)) }),
    marginalTensor: (t) => {
      const big = b.integralTensor(t);
      return { mean: tf.exp(tf.mul(big, -0.5)) as tf.Tensor1D, std: oneMinusExpTensor(tf.neg(big)) };
    },
  });
  return { ...base, kind: 'subvp', betaMin, betaMax, beta: b.beta };
}
