import type { OdeMethod, Sde } from '@scorelab/core';
import { eulerMaruyama } from './euler-maruyama';
import { predictorCorrector, type PredictorKind } from './predictor-corrector';
import { probabilityFlow } from './probability-flow';
import { reverseDiffusion } from './reverse-diffusion';
import type { SdeSampler } from './sde-sampler';

interface SdeSamplerCommon {
  /** Number of samples (for the caller's prior draw, not the sampler). */
  samples: number;
  /** Tweedie denoising at eps (default false). */
  denoise?: boolean;
  /** Final time (default sde.eps). */
  eps?: number;
}

/** The `sampler` section of an experiment file with an `sde` section (DESIGN.md section 3). */
export type SdeSamplerSpec = SdeSamplerCommon &
  (
    | { kind: 'euler-maruyama'; steps: number }
    | { kind: 'reverse-diffusion'; steps: number }
    | { kind: 'pc'; steps: number; snr?: number; correctorSteps?: number; predictor?: PredictorKind }
    /** `steps` for euler and rk4 only; rk45 takes rtol/atol. */
    | { kind: 'ode'; method?: OdeMethod; steps?: number; rtol?: number; atol?: number }
  );

export type SdeSamplerSpecKind = SdeSamplerSpec['kind'];

/** The sampler a spec describes, for the given SDE. Draw x_T with sde.priorSample(spec.samples, dim, rng). */
export function createSdeSampler(spec: SdeSamplerSpec, sde: Sde): SdeSampler {
  const common = { sde, denoise: spec.denoise ?? false, ...(spec.eps === undefined ? {} : { eps: spec.eps }) };
  switch (spec.kind) {
    case 'euler-maruyama':
      return eulerMaruyama({ ...common, steps: spec.steps });
    case 'reverse-diffusion':
      return reverseDiffusion({ ...common, steps: spec.steps });
    case 'pc':
      return predictorCorrector({ ...common, steps: spec.steps, snr: spec.snr, correctorSteps: spec.correctorSteps, predictor: spec.predictor });
    case 'ode':
      return probabilityFlow({ ...common, method: spec.method, steps: spec.steps, rtol: spec.rtol, atol: spec.atol });
  }
}
