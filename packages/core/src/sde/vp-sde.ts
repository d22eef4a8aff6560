import * as tf from '@tensorflow/tfjs';
import { buildSde, checkTimes, oneMinusExpTensor, timeFunction, type VpSde } from './sde';

export interface VpSdeOptions {
  /** beta(0); default 0.1 (score_sde). */
  betaMin?: number;
  /** beta(1); default 20 (score_sde). */
  betaMax?: number;
  /** Sampling eps, where samplers stop; default 1e-3 (score_sde's sampling eps for VP and sub-VP). */
  eps?: number;
  /** Training and likelihood eps; default 1e-5 (score_sde's eps of the losses and the likelihood). */
  trainEps?: number;
}

export function checkBetas(betaMin: number, betaMax: number, where: string): void {
  if (!(betaMin > 0 && betaMax >= betaMin && Number.isFinite(betaMax))) {
    throw new Error(`${where}: need 0 < betaMin <= betaMax, got betaMin = ${betaMin}, betaMax = ${betaMax}`);
  }
}

/**
 * The pieces VP and sub-VP share: beta(t) = b0 + t (b1 - b0), B(t) = int_0^t beta = b0 t + (b1 - b0) t^2 / 2,
 * the drift coefficient a(t) = -beta(t) / 2 and the log mean coefficient log m(t) = -B(t) / 2.
 */
export function betaSchedule(b0: number, b1: number) {
  return {
    beta: timeFunction(
      (t) => b0 + t * (b1 - b0),
      (t) => tf.add(tf.mul(t, b1 - b0), b0) as tf.Tensor1D,
    ),
    driftCoefficient: timeFunction(
      (t) => -0.5 * (b0 + t * (b1 - b0)),
      (t) => tf.mul(tf.add(tf.mul(t, b1 - b0), b0), -0.5) as tf.Tensor1D,
    ),
    /** B(t) in float64. */
    integral: (t: number) => b0 * t + 0.5 * (b1 - b0) * t * t,
    integralTensor: (t: tf.Tensor1D) => tf.add(tf.mul(t, b0), tf.mul(tf.square(t), 0.5 * (b1 - b0))) as tf.Tensor1D,
  };
}

/**
 * The variance preserving SDE (DDPM in continuous time): dx = -beta(t) x / 2 dt + sqrt(beta(t)) dW with
 * beta(t) = betaMin + t (betaMax - betaMin). Marginal: m(t) = exp(-t^2 (betaMax - betaMin) / 4 - t betaMin / 2)
 * and s(t) = sqrt(1 - m(t)^2) (from a clean x(0) = x_0). Prior N(0, I).
 */
export function vpSde(options: VpSdeOptions = {}): VpSde {
  const betaMin = options.betaMin ?? 0.1;
  const betaMax = options.betaMax ?? 20;
  const eps = options.eps ?? 1e-3;
  const trainEps = options.trainEps ?? 1e-5;
  checkBetas(betaMin, betaMax, 'vpSde');
  checkTimes(eps, trainEps, 'vpSde');
  const b = betaSchedule(betaMin, betaMax);
  const base = buildSde({
    T: 1,
    eps,
    trainEps,
    priorStd: 1,
    driftCoefficient: b.driftCoefficient,
    diffusion: timeFunction(
      (t) => Math.sqrt(b.beta(t)),
      (t) => tf.sqrt(b.beta(t)) as tf.Tensor1D,
    ),
    // s^2 = 1 - m^2 = 1 - exp(-B): -expm1 avoids the cancellation at small t.
    marginalNumber: (t) => ({ mean: Math.exp(-0.5 * b.integral(t)), std: Math.sqrt(-Math.expm1(-b.integral(t))) }),
    marginalTensor: (t) => {
      const big = b.integralTensor(t);
      return { mean: tf.exp(tf.mul(big, -0.5)) as tf.Tensor1D, std: tf.sqrt(oneMinusExpTensor(tf.neg(big))) as tf.Tensor1D };
    },
  });
  return { ...base, kind: 'vp', betaMin, betaMax, beta: b.beta };
}
