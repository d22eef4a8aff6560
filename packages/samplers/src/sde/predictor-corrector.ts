import type { Sde } from '@scorelab/core';
import { eulerMaruyamaPredictor } from './euler-maruyama';
import { langevinCorrector } from './langevin-corrector';
import { reverseDiffusionPredictor } from './reverse-diffusion';
import { gridSampler, resolveEps, type SdeSampler } from './sde-sampler';

export type PredictorKind = 'reverse-diffusion' | 'euler-maruyama';

export interface PredictorCorrectorOptions {
  sde: Sde;
  steps: number;
  /** Signal-to-noise ratio r of the Langevin corrector (default 0.16, score_sde's VE setting). */
  snr?: number;
  /** Langevin steps per grid point (default 1); 0 leaves the predictor alone. */
  correctorSteps?: number;
  /** Default `reverse-diffusion`. */
  predictor?: PredictorKind;
  eps?: number;
  denoise?: boolean;
}

/**
 * Predictor-corrector sampling (kind `pc`, score_sde `pc_sampler`). At each grid time t_i, in the reference's
 * order: first `correctorSteps` Langevin corrector steps at t_i, then one predictor step t_i -> t_{i+1}.
 * So the first corrector acts on the prior sample at T, and no corrector runs after the last predictor step
 * at eps. NFE = steps (correctorSteps + 1) (+1 with denoise).
 */
export function predictorCorrector(opts: PredictorCorrectorOptions): SdeSampler {
  const { sde } = opts;
  const eps = resolveEps(sde, opts.eps, 'pc');
  const snr = opts.snr ?? 0.16;
  const correctorSteps = opts.correctorSteps ?? 1;
  const predictor = opts.predictor ?? 'reverse-diffusion';
  if (!(snr > 0 && Number.isFinite(snr))) throw new Error(`pc: snr must be > 0, got ${snr}`);
  if (!Number.isInteger(correctorSteps) || correctorSteps < 0) throw new Error(`pc: correctorSteps must be a non-negative integer, got ${correctorSteps}`);
  return gridSampler('pc', sde, opts.steps, eps, opts.denoise ?? false, (x, t, h, score, rng) => {
    const corrected = langevinCorrector(sde, x, t, h, score, rng, snr, correctorSteps);
    try {
      switch (predictor) {
        case 'reverse-diffusion':
          return reverseDiffusionPredictor(sde, corrected, t, h, score, rng);
        case 'euler-maruyama':
          return eulerMaruyamaPredictor(sde, corrected, t, h, score, rng);
      }
    } finally {
      corrected.dispose();
    }
  });
}
