// The `sampler` section: how samples are drawn from the score model.
import { z } from 'zod';
import { afterChecks } from './refine';

export const InitSchema = z
  .discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('uniform').describe('Uniform on the box [low, high]^D.'),
        low: z.number().describe('Lower bound of every coordinate.'),
        high: z.number().describe('Upper bound of every coordinate; must be greater than low.'),
      })
      .superRefine((init, ctx) => {
        if (!(init.low < init.high)) ctx.addIssue({ code: 'custom', path: ['high'], message: `must be greater than low (${init.low}), got ${init.high}` });
      }, afterChecks),
    z.strictObject({
      kind: z.literal('gaussian').describe('N(0, std^2 I).'),
      std: z.number().positive().describe('Standard deviation of every coordinate.'),
    }),
  ])
  .describe('Distribution of the initial samples x_0.');

const convention = z
  .enum(['half', 'full'])
  .default('half')
  .describe('Langevin step with step size a: half is x += (a/2) s + sqrt(a) z (NCSN toy code); full is x += a s + sqrt(2a) z.');

export const LangevinSamplerSchema = z
  .strictObject({
    kind: z.literal('langevin').describe('Unadjusted Langevin dynamics at a single noise level (the smallest, when noise is given).'),
    stepSize: z.number().positive().describe('Step size a.'),
    steps: z.int().min(1).describe('Number of Langevin steps.'),
    samples: z.int().min(1).describe('Number of samples drawn.'),
    init: InitSchema,
    convention,
  })
  .describe('Langevin dynamics.');

export const AldSamplerSchema = z
  .strictObject({
    kind: z.literal('ald').describe('Annealed Langevin dynamics over the noise levels, largest first (NCSN).'),
    stepSize: z.number().positive().describe('Base step size eps; level i uses a_i = eps * sigma_i^2 / sigma_L^2.'),
    stepsPerLevel: z.int().min(1).describe('Langevin steps at each noise level.'),
    samples: z.int().min(1).describe('Number of samples drawn.'),
    init: InitSchema,
    denoise: z.boolean().default(false).describe('Finish with one denoising step x += sigma_L^2 s(x, sigma_L) (Tweedie).'),
    convention,
  })
  .describe('Annealed Langevin dynamics; needs noise with more than one level.');

/** Samplers of noise-level models, and samplers of score SDEs (which start from the SDE's prior at t = 1). */
export const NOISE_SAMPLER_KINDS = ['langevin', 'ald'] as const;
export const SDE_SAMPLER_KINDS = ['euler-maruyama', 'reverse-diffusion', 'pc', 'ode'] as const;
export const ODE_METHODS = ['rk45', 'euler', 'rk4'] as const;
export const PREDICTORS = ['reverse-diffusion', 'euler-maruyama'] as const;

const sdeSamplerKeys = {
  samples: z.int().min(1).describe('Number of samples drawn (they start from the prior at t = 1).'),
  denoise: z
    .boolean()
    .default(false)
    .describe("Finish with Tweedie's denoising step at eps, x <- (x + s(eps)^2 s(x, eps)) / m(eps) (one more score evaluation)."),
};

const sdeSteps = z.int().min(1).describe('Number of steps of the uniform time grid from 1 down to eps.');

export const EulerMaruyamaSamplerSchema = z
  .strictObject({
    kind: z.literal('euler-maruyama').describe('Euler-Maruyama on the reverse SDE: x <- x - [f - g^2 s] h + g sqrt(h) z.'),
    steps: sdeSteps,
    ...sdeSamplerKeys,
  })
  .describe('Euler-Maruyama reverse-SDE sampler; needs an sde.');

export const ReverseDiffusionSamplerSchema = z
  .strictObject({
    kind: z.literal('reverse-diffusion').describe("Reverse diffusion: the reverse of the SDE's exact Gaussian transition (SMLD's step for VE, DDPM's for VP)."),
    steps: sdeSteps,
    ...sdeSamplerKeys,
  })
  .describe('Reverse-diffusion sampler; needs an sde.');

export const PcSamplerSchema = z
  .strictObject({
    kind: z.literal('pc').describe('Predictor-corrector: at each time, correctorSteps Langevin corrector steps, then one predictor step.'),
    steps: sdeSteps,
    snr: z.number().positive().default(0.16).describe("Signal-to-noise ratio r of the Langevin corrector: step 2 alpha (r ||z|| / ||s||)^2 (score_sde's default 0.16)."),
    correctorSteps: z.int().min(0).default(1).describe('Langevin corrector steps before each predictor step (0: predictor only).'),
    predictor: z.enum(PREDICTORS).default('reverse-diffusion').describe('The predictor step: reverse-diffusion or euler-maruyama.'),
    ...sdeSamplerKeys,
  })
  .describe('Predictor-corrector sampler; needs an sde.');

export const OdeSamplerSchema = z
  .strictObject({
    kind: z.literal('ode').describe('Integrates the probability-flow ODE dx/dt = f - g^2 s / 2 from the prior at t = 1 down to eps (deterministic given x_1).'),
    method: z.enum(ODE_METHODS).default('rk45').describe('rk45: adaptive Dormand-Prince 5(4) with rtol/atol; euler or rk4: fixed steps.'),
    steps: z.int().min(1).optional().describe('Fixed steps from 1 to eps; required by euler and rk4, not allowed with rk45 (which chooses its own).'),
    rtol: z.number().positive().optional().describe('Relative tolerance of rk45 (default 1e-5); rk45 only.'),
    atol: z.number().positive().optional().describe('Absolute tolerance of rk45 (default 1e-5); rk45 only.'),
    ...sdeSamplerKeys,
  })
  .superRefine((o, ctx) => {
    if (o.method === 'rk45') {
      if (o.steps !== undefined) ctx.addIssue({ code: 'custom', path: ['steps'], message: 'does not apply to method rk45, which chooses its own steps (set rtol and atol, or use method euler or rk4)' });
    } else {
      if (o.steps === undefined) ctx.addIssue({ code: 'custom', path: ['steps'], message: `required when method is ${o.method}` });
      for (const key of ['rtol', 'atol'] as const) {
        if (o[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `only applies to method rk45, not ${o.method}` });
      }
    }
  }, afterChecks)
  .transform((o) => (o.method === 'rk45' ? { ...o, rtol: o.rtol ?? 1e-5, atol: o.atol ?? 1e-5 } : o))
  .describe('Probability-flow ODE sampler; needs an sde.');

export const SamplerSchema = z
  .discriminatedUnion('kind', [LangevinSamplerSchema, AldSamplerSchema, EulerMaruyamaSamplerSchema, ReverseDiffusionSamplerSchema, PcSamplerSchema, OdeSamplerSchema])
  .describe('How samples are drawn from the score model: langevin or ald for noise levels; euler-maruyama, reverse-diffusion, pc or ode for an sde. Needed by the mmd, swd and modeWeights metrics.');

export type SamplerInit = z.output<typeof InitSchema>;
export type LangevinSamplerSpec = z.output<typeof LangevinSamplerSchema>;
export type AldSamplerSpec = z.output<typeof AldSamplerSchema>;
export type EulerMaruyamaSamplerSpec = z.output<typeof EulerMaruyamaSamplerSchema>;
export type ReverseDiffusionSamplerSpec = z.output<typeof ReverseDiffusionSamplerSchema>;
export type PcSamplerSpec = z.output<typeof PcSamplerSchema>;
export type OdeSamplerSpec = z.output<typeof OdeSamplerSchema>;
export type SamplerSpec = z.output<typeof SamplerSchema>;
/** Samplers of noise-level models (langevin, ald). */
export type NoiseSamplerSpec = LangevinSamplerSpec | AldSamplerSpec;
/** Samplers of score SDEs. */
export type SdeSamplerSpec = EulerMaruyamaSamplerSpec | ReverseDiffusionSamplerSpec | PcSamplerSpec | OdeSamplerSpec;
