// The `noise` section: the noise levels of a noise-conditional model.
import { z } from 'zod';
import { afterChecks } from './refine';

export const RangeNoiseSchema = z
  .strictObject({
    schedule: z.enum(['geometric', 'linear']).describe('geometric: sigma_i = sigmaMax (sigmaMin/sigmaMax)^((i-1)/(L-1)); linear: evenly spaced.'),
    sigmaMax: z.number().positive().describe('Largest noise level sigma_1.'),
    sigmaMin: z.number().positive().describe('Smallest noise level sigma_L; must be less than sigmaMax.'),
    levels: z.int().min(1).describe('Number of noise levels L.'),
  })
  .superRefine((n, ctx) => {
    if (!(n.sigmaMin < n.sigmaMax)) {
      ctx.addIssue({ code: 'custom', path: ['sigmaMin'], message: `must be less than sigmaMax (${n.sigmaMax}), got ${n.sigmaMin}` });
    }
  }, afterChecks)
  .describe('Noise levels spaced between sigmaMax and sigmaMin.');

export const CustomNoiseSchema = z
  .strictObject({
    schedule: z.literal('custom').describe('An explicit list of noise levels.'),
    sigmas: z.array(z.number().positive()).min(1).describe('Noise levels, strictly decreasing (largest first).'),
  })
  .superRefine((n, ctx) => {
    for (let i = 1; i < n.sigmas.length; i++) {
      if (!(n.sigmas[i] < n.sigmas[i - 1])) {
        ctx.addIssue({ code: 'custom', path: ['sigmas', i], message: `must be less than the previous level (${n.sigmas[i - 1]}); list sigmas largest first` });
      }
    }
  }, afterChecks)
  .describe('Explicit noise levels.');

export const NoiseSchema = z
  .discriminatedUnion('schedule', [RangeNoiseSchema, CustomNoiseSchema])
  .describe('Noise levels of a noise-conditional model. Omitted: a single-scale model trained on clean data.');

/** The number of noise levels L of a noise section. */
export function noiseLevels(noise: NoiseSpec): number {
  switch (noise.schedule) {
    case 'geometric':
    case 'linear':
      return noise.levels;
    case 'custom':
      return noise.sigmas.length;
  }
}

export type NoiseSpec = z.output<typeof NoiseSchema>;
