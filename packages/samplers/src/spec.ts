import type { InitSpec } from './init';
import type { LangevinConvention, Sampler } from './sampler';
import { langevin } from './langevin';
import { annealedLangevin } from './annealed-langevin';

/** The `sampler` section of an experiment file (DESIGN.md section 3). */
export type SamplerSpec =
  | { kind: 'langevin'; stepSize: number; steps: number; samples: number; init: InitSpec; convention?: LangevinConvention }
  | {
      kind: 'ald';
      stepSize: number;
      stepsPerLevel: number;
      samples: number;
      init: InitSpec;
      denoise?: boolean;
      convention?: LangevinConvention;
    };

/**
 * The sampler a spec describes, for a model trained on `sigmas` (largest first) or unconditional (null).
 * `langevin` with sigmas calls the score at the smallest level sigma_L (the plain-Langevin baseline
 * that annealing is compared against); `ald` needs sigmas. `samples` and `init` are for
 * `initialSamples`, not the sampler.
 */
export function createSampler(spec: SamplerSpec, sigmas: number[] | null): Sampler {
  switch (spec.kind) {
    case 'langevin': {
      const sigma = sigmas === null || sigmas.length === 0 ? undefined : sigmas[sigmas.length - 1];
      return langevin({ stepSize: spec.stepSize, steps: spec.steps, convention: spec.convention ?? 'half', ...(sigma === undefined ? {} : { sigma }) });
    }
    case 'ald':
      if (sigmas === null) throw new Error("sampler.kind 'ald' needs a noise schedule (use 'langevin' for an unconditional model)");
      return annealedLangevin({
        sigmas,
        stepSize: spec.stepSize,
        stepsPerLevel: spec.stepsPerLevel,
        denoise: spec.denoise ?? false,
        convention: spec.convention ?? 'half',
      });
  }
}
