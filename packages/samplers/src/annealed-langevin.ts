import * as tf from '@tensorflow/tfjs';
import { type LangevinConvention, type Sampler, langevinSampler, sigmaColumn } from './sampler';
import { checkStepSize, checkSteps } from './langevin';

export interface AnnealedLangevinOptions {
  /** Noise levels, largest first (sigma_1 > ... > sigma_L). */
  sigmas: number[];
  /** eps: the step size at the smallest level sigma_L. */
  stepSize: number;
  /** T: Langevin steps at each level. */
  stepsPerLevel: number;
  /** Finish with one denoising step x + sigma_L^2 s(x, sigma_L) (Tweedie's formula; off by default). */
  denoise?: boolean;
  convention?: LangevinConvention;
}

/**
 * Annealed Langevin dynamics (NCSN, Song & Ermon 2019, Algorithm 1): for i = 1..L, T Langevin steps
 * on s(., sigma_i) with step size a_i = eps * sigma_i^2 / sigma_L^2; step index k runs level
 * floor(k / T). Trajectory snapshots: the initial samples and the samples after each level.
 */
export function annealedLangevin(opts: AnnealedLangevinOptions): Sampler {
  const { sigmas, stepSize, stepsPerLevel } = opts;
  const convention = opts.convention ?? 'half';
  checkStepSize(stepSize);
  checkSteps(stepsPerLevel, 'stepsPerLevel');
  if (sigmas.length === 0) throw new Error('annealedLangevin: sigmas must not be empty');
  if (sigmas.some((s) => !(s > 0) || !Number.isFinite(s))) throw new Error('annealedLangevin: sigmas must be positive');
  for (let i = 1; i < sigmas.length; i++) {
    if (sigmas[i] > sigmas[i - 1]) throw new Error('annealedLangevin: sigmas must be ordered largest first');
  }
  const levels = sigmas.slice();
  const sigmaLast = levels[levels.length - 1];
  const schedule = levels.map((sigma, level) => ({ stepSize: (stepSize * sigma * sigma) / (sigmaLast * sigmaLast), sigma, level }));
  return langevinSampler({
    kind: 'ald',
    totalSteps: levels.length * stepsPerLevel,
    snapshotSteps: [...new Set(Array.from({ length: levels.length + 1 }, (_, i) => i * stepsPerLevel))],
    convention,
    stepInfo: (index) => schedule[Math.min(Math.floor(index / stepsPerLevel), levels.length - 1)],
    finish: (state, score) => {
      if (!opts.denoise) return tf.clone(state.x);
      // x + sigma_L^2 s(x, sigma_L): the posterior mean E[x_0 | x] when s is the exact perturbed score.
      return tf.tidy(() => {
        const s = score(state.x, sigmaColumn(state.x.shape[0], sigmaLast));
        return tf.add(state.x, tf.mul(s, sigmaLast * sigmaLast)) as tf.Tensor2D;
      });
    },
  });
}
