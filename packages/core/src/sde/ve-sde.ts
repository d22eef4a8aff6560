import * as tf from '@tensorflow/tfjs';
import { buildSde, checkTimes, timeFunction, type VeSde } from './sde';

export interface VeSdeOptions {
  /** sigma(0); default 0.01 (score_sde). */
  sigmaMin?: number;
  /** sigma(1); default 50 (score_sde CIFAR-10). Choose it near the largest distance between data points. */
  sigmaMax?: number;
  /** Sampling eps, where samplers stop; default 1e-5 (score_sde's VE sampling eps). */
  eps?: number;
  /** Training and likelihood eps; default 1e-5 (score_sde). */
  trainEps?: number;
}

/**
 * The variance exploding SDE (SMLD / NCSN in continuous time):
 *   sigma(t) = sigmaMin (sigmaMax / sigmaMin)^t,  f = 0,  g(t) = sigma(t) sqrt(2 log(sigmaMax / sigmaMin)),
 * so that g^2 = d sigma^2 / dt. Marginal: m(t) = 1 and s(t) = sigma(t), as in score_sde. That is the exact
 * law of x_t when x(0) = x_0 + sigmaMin z, i.e. the process starts from the data perturbed at sigmaMin
 * (from a clean x(0) = x_0 the variance would be sigma(t)^2 - sigmaMin^2), so the exact marginal score is
 * the dataset's perturbed score at sigma(t). Prior N(0, sigmaMax^2 I).
 */
export function veSde(options: VeSdeOptions = {}): VeSde {
  const sigmaMin = options.sigmaMin ?? 0.01;
  const sigmaMax = options.sigmaMax ?? 50;
  const eps = options.eps ?? 1e-5;
  const trainEps = options.trainEps ?? 1e-5;
  if (!(sigmaMin > 0 && sigmaMax > sigmaMin && Number.isFinite(sigmaMax))) {
    throw new Error(`veSde: need 0 < sigmaMin < sigmaMax, got sigmaMin = ${sigmaMin}, sigmaMax = ${sigmaMax}`);
  }
  checkTimes(eps, trainEps, 'veSde');
  const logRatio = Math.log(sigmaMax / sigmaMin);
  const rate = Math.sqrt(2 * logRatio);
  const sigma = timeFunction(
    (t) => sigmaMin * Math.exp(t * logRatio),
    (t) => tf.mul(tf.exp(tf.mul(t, logRatio)), sigmaMin) as tf.Tensor1D,
  );
  const base = buildSde({
    T: 1,
    eps,
    trainEps,
    priorStd: sigmaMax,
    driftCoefficient: timeFunction(
      () => 0,
      (t) => tf.zerosLike(t),
    ),
    diffusion: timeFunction(
      (t) => rate * sigmaMin * Math.exp(t * logRatio),
      (t) => tf.mul(tf.exp(tf.mul(t, logRatio)), rate * sigmaMin) as tf.Tensor1D,
    ),
    marginalNumber: (t) => ({ mean: 1, std: sigmaMin * Math.exp(t * logRatio) }),
    marginalTensor: (t) => ({ mean: tf.onesLike(t), std: sigma(t) }),
  });
  return { ...base, kind: 've', sigmaMin, sigmaMax, sigma };
}
