import type { PcSamplerSpec } from '@scorelab/config';
import { resolveEps } from '../checks';
import { snrLangevinCorrector } from '../correctors/snr-langevin-corrector';
import { eulerMaruyamaPredictor } from '../predictors/euler-maruyama-predictor';
import { reverseDiffusionPredictor } from '../predictors/reverse-diffusion-predictor';
import type { Sampler } from '../sampler';
import { type SdeSamplerOptions, sdeGridSampler } from './sde-grid-sampler';

export type PredictorKind = PcSamplerSpec['predictor'];

export interface PredictorCorrectorSdeOptions extends SdeSamplerOptions {
  steps: number;
  /** Signal-to-noise ratio r of the Langevin corrector (default 0.16, score_sde's VE setting). */
  snr?: number;
  /** Langevin steps per grid point (default 1); 0 leaves the predictor alone. */
  correctorSteps?: number;
  /** Default `reverse-diffusion`. */
  predictor?: PredictorKind;
}

/**
 * Predictor-corrector sampling of an SDE (kind `pc`, score_sde `pc_sampler`): the predictor-corrector
 * driver on the time grid, with score_sde's snr Langevin corrector. At each grid time t_i, in the
 * reference's order: first `correctorSteps` corrector steps at t_i, then one predictor step t_i -> t_{i+1}.
 * So the first corrector acts on the prior sample at T, and no corrector runs after the last predictor step
 * at eps. One step per grid point; NFE = steps (correctorSteps + 1) (+1 with denoise).
 */
export function predictorCorrector(opts: PredictorCorrectorSdeOptions): Sampler {
  const { sde } = opts;
  const eps = resolveEps(sde, opts.eps, 'pc');
  const correctorSteps = opts.correctorSteps ?? 1;
  const predictorKind = opts.predictor ?? 'reverse-diffusion';
  if (!Number.isInteger(correctorSteps) || correctorSteps < 0) throw new Error(`pc: correctorSteps must be a non-negative integer, got ${correctorSteps}`);
  const corrector = snrLangevinCorrector(sde, opts.snr ?? 0.16);
  let predictor;
  switch (predictorKind) {
    case 'reverse-diffusion':
      predictor = reverseDiffusionPredictor(sde);
      break;
    case 'euler-maruyama':
      predictor = eulerMaruyamaPredictor(sde);
      break;
  }
  return sdeGridSampler('pc', sde, opts.steps, eps, opts.denoise ?? false, predictor, { update: corrector, steps: correctorSteps });
}
