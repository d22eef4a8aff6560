import { resolveEps } from '../checks';
import { reverseDiffusionPredictor } from '../predictors/reverse-diffusion-predictor';
import type { Sampler } from '../sampler';
import { type SdeSamplerOptions, sdeGridSampler } from './sde-grid-sampler';

export interface ReverseDiffusionOptions extends SdeSamplerOptions {
  /** Number of grid steps from T to eps. */
  steps: number;
}

/** Reverse-diffusion sampling on the uniform grid T -> eps (kind `reverse-diffusion`). NFE = steps (+1 with denoise). */
export function reverseDiffusion(opts: ReverseDiffusionOptions): Sampler {
  const { sde } = opts;
  const eps = resolveEps(sde, opts.eps, 'reverse-diffusion');
  return sdeGridSampler('reverse-diffusion', sde, opts.steps, eps, opts.denoise ?? false, reverseDiffusionPredictor(sde));
}
