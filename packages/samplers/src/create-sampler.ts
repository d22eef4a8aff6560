import type { NoiseFamily } from '@scorelab/core';
import type { SamplerSpec } from '@scorelab/config';
import { aldLevels, langevinSigma, samplerSde } from './family-requirements';
import { annealedLangevin } from './kinds/annealed-langevin';
import { eulerMaruyama } from './kinds/euler-maruyama';
import { langevin } from './kinds/langevin';
import { predictorCorrector } from './kinds/predictor-corrector';
import { probabilityFlow } from './kinds/probability-flow';
import { reverseDiffusion } from './kinds/reverse-diffusion';
import type { Sampler } from './sampler';

/**
 * The sampler a (resolved) spec describes for a model of the given noise family; the only reader of
 * the spec. `langevin`: at the smallest level sigma_L of a levels family, unconditioned when clean;
 * `ald`: needs levels; `euler-maruyama`, `reverse-diffusion`, `pc`, `ode`: need an sde (and stop at its sampling eps, sde.eps; training starts at sde.trainEps).
 * `samples` and `init` are for `initialSamples`, not the sampler.
 */
export function createSampler(spec: SamplerSpec, family: NoiseFamily): Sampler {
  switch (spec.kind) {
    case 'langevin': {
      const sigma = langevinSigma(family);
      return langevin({ stepSize: spec.stepSize, steps: spec.steps, convention: spec.convention, ...(sigma === undefined ? {} : { sigma }) });
    }
    case 'ald':
      return annealedLangevin({ sigmas: aldLevels(family), stepSize: spec.stepSize, stepsPerLevel: spec.stepsPerLevel, denoise: spec.denoise, convention: spec.convention });
    case 'euler-maruyama':
      return eulerMaruyama({ sde: samplerSde(spec.kind, family), steps: spec.steps, denoise: spec.denoise });
    case 'reverse-diffusion':
      return reverseDiffusion({ sde: samplerSde(spec.kind, family), steps: spec.steps, denoise: spec.denoise });
    case 'pc':
      return predictorCorrector({
        sde: samplerSde(spec.kind, family),
        steps: spec.steps,
        snr: spec.snr,
        correctorSteps: spec.correctorSteps,
        predictor: spec.predictor,
        denoise: spec.denoise,
      });
    case 'ode':
      // rk45 takes rtol / atol, euler and rk4 steps; probabilityFlow rejects the wrong one.
      return probabilityFlow({ sde: samplerSde(spec.kind, family), method: spec.method, steps: spec.steps, rtol: spec.rtol, atol: spec.atol, denoise: spec.denoise });
  }
}
