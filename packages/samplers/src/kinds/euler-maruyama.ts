import { resolveEps } from '../checks';
import { eulerMaruyamaPredictor } from '../predictors/euler-maruyama-predictor';
import type { Sampler } from '../sampler';
import { type SdeSamplerOptions, sdeGridSampler } from './sde-grid-sampler';

export interface EulerMaruyamaOptions extends SdeSamplerOptions {
  /** Number of grid steps from T to eps. */
  steps: number;
}

/** Reverse-SDE sampling with Euler-Maruyama steps on the uniform grid T -> eps (kind `euler-maruyama`). NFE = steps (+1 with denoise). */
export function eulerMaruyama(opts: EulerMaruyamaOptions): Sampler {
  const { sde } = opts;
  const eps = resolveEps(sde, opts.eps, 'euler-maruyama');
  return sdeGridSampler('euler-maruyama', sde, opts.steps, eps, opts.denoise ?? false, eulerMaruyamaPredictor(sde));
}
