import * as tf from '@tensorflow/tfjs';
import { checkStepSize, checkSteps } from '../checks';
import { type LangevinConvention, langevinCorrector } from '../correctors/langevin-corrector';
import { levelGrid } from '../grid';
import { predictorCorrectorSampler } from '../predictor-corrector';
import type { Sampler } from '../sampler';
import { snapshotEvery } from '../snapshots';
import { tweedieDenoise } from '../tweedie';

export interface AnnealedLangevinOptions {
  /** Noise levels, largest first (sigma_1 > ... > sigma_L). */
  sigmas: readonly number[];
  /** eps: the step size at the smallest level sigma_L. */
  stepSize: number;
  /** T: Langevin steps at each level. */
  stepsPerLevel: number;
  /** Finish with one denoising step x + sigma_L^2 s(x, sigma_L) (Tweedie's formula; off by default). */
  denoise?: boolean;
  convention?: LangevinConvention;
}

/** NCSN's step sizes a_i = eps sigma_i^2 / sigma_L^2, one per level (largest first). */
export function annealedStepSizes(sigmas: readonly number[], stepSize: number): number[] {
  const sigmaLast = sigmas[sigmas.length - 1];
  return sigmas.map((sigma) => (stepSize * sigma * sigma) / (sigmaLast * sigmaLast));
}

/**
 * Annealed Langevin dynamics (kind `ald`; NCSN, Song & Ermon 2019, Algorithm 1) as score_sde runs it:
 * the predictor-corrector driver over the sigma grid with predictor `none` and the Langevin corrector,
 * T corrector steps at each level with a_i = eps sigma_i^2 / sigma_L^2. One step per Langevin step
 * (step k runs level floor(k / T)); NFE = L T (+1 with denoise). Snapshots: the initial samples and
 * the samples after each level.
 */
export function annealedLangevin(opts: AnnealedLangevinOptions): Sampler {
  const { sigmas, stepSize, stepsPerLevel } = opts;
  checkStepSize(stepSize);
  checkSteps(stepsPerLevel, 'stepsPerLevel');
  if (sigmas.length === 0) throw new Error('annealedLangevin: sigmas must not be empty');
  if (sigmas.some((s) => !(s > 0) || !Number.isFinite(s))) throw new Error('annealedLangevin: sigmas must be positive');
  for (let i = 1; i < sigmas.length; i++) {
    if (sigmas[i] > sigmas[i - 1]) throw new Error('annealedLangevin: sigmas must be ordered largest first');
  }
  const levels = sigmas.slice();
  const sigmaLast = levels[levels.length - 1];
  const denoise = opts.denoise ?? false;
  return predictorCorrectorSampler({
    kind: 'ald',
    grid: levelGrid(levels),
    predictor: null,
    corrector: langevinCorrector(annealedStepSizes(levels, stepSize), opts.convention ?? 'half'),
    correctorSteps: stepsPerLevel,
    // x + sigma_L^2 s(x, sigma_L): the posterior mean E[x_0 | x] when s is the exact perturbed score.
    finish: (state, score) => (denoise ? tweedieDenoise(state.x, score, sigmaLast, { mean: 1, std: sigmaLast }) : tf.clone(state.x)),
    isSnapshot: snapshotEvery(stepsPerLevel),
  });
}
