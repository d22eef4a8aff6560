import type { NoiseFamily, Sde } from '@scorelab/core';
import type { SamplerKind } from './sampler';

const SDE_SAMPLERS = 'euler-maruyama, reverse-diffusion, pc or ode';

/**
 * The sigma plain Langevin calls the score with: the smallest level sigma_L of a levels family (the
 * plain-Langevin baseline that annealing is compared against), none for a clean model.
 */
export function langevinSigma(family: NoiseFamily): number | undefined {
  switch (family.kind) {
    case 'clean':
      return undefined;
    case 'levels':
      return family.sigmas[family.sigmas.length - 1];
    case 'sde':
      throw new Error(`sampler langevin runs at one noise level or on a clean model, not on an sde; with an sde use ${SDE_SAMPLERS}`);
  }
}

/** The noise levels ald anneals over (largest first). */
export function aldLevels(family: NoiseFamily): readonly number[] {
  switch (family.kind) {
    case 'levels':
      return family.sigmas;
    case 'clean':
      throw new Error('sampler ald needs noise levels, but the model is clean (unconditional); use langevin');
    case 'sde':
      throw new Error(`sampler ald needs noise levels, not an sde; with an sde use ${SDE_SAMPLERS}`);
  }
}

/** The SDE an SDE sampler integrates. */
export function samplerSde(kind: SamplerKind, family: NoiseFamily): Sde {
  switch (family.kind) {
    case 'sde':
      return family.sde;
    case 'levels':
      throw new Error(`sampler ${kind} needs an sde, but the model has noise levels; use langevin or ald`);
    case 'clean':
      throw new Error(`sampler ${kind} needs an sde, but the model is clean (unconditional); use langevin`);
  }
}
