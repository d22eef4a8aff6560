// The `sde` section: a score SDE in place of noise levels.
import { z } from 'zod';
import { afterChecks } from './refine';

export const SDE_KINDS = ['ve', 'vp', 'subvp'] as const;

// Two smallest times, as in score_sde: `eps` where samplers stop (its sampling.eps: 1e-5 VE, 1e-3 VP and
// sub-VP) and `trainEps` where training and the likelihood start (its eps of the losses and of
// likelihood.py: 1e-5 for every SDE).
const sdeEps = (value: number) =>
  z
    .number()
    .gt(0)
    .lt(1)
    .default(value)
    .describe(
      `Sampling eps: the samplers integrate from t = 1 down to eps, where the samples (and the score-field artifact) are taken. Default ${value} (score_sde's sampling eps for this SDE). Training and eval/nll use trainEps instead.`,
    );

const sdeTrainEps = z
  .number()
  .gt(0)
  .lt(1)
  .default(1e-5)
  .describe(
    'Training and likelihood eps: the losses draw t ~ U(trainEps, 1), eval/fisher starts at t = trainEps and eval/nll is -log p_trainEps through the probability-flow ODE from trainEps to 1. Default 1e-5 (score_sde, every SDE). A sampling eps below it evaluates the network at times it was not trained on.',
  );

export const VeSdeSchema = z
  .strictObject({
    kind: z.literal('ve').describe('Variance exploding (SMLD/NCSN in continuous time): x_t = x_0 + sigma(t) z with sigma(t) = sigmaMin (sigmaMax/sigmaMin)^t.'),
    sigmaMin: z.number().positive().default(0.01).describe('sigma(0), the smallest noise level: well below the finest scale of the data.'),
    sigmaMax: z
      .number()
      .positive()
      .describe('sigma(1), also the std of the prior N(0, sigmaMax^2 I): must dwarf the data, i.e. exceed the largest distance between data points and from the origin (100 for mog2d-weighted; 25 is visibly too small).'),
    eps: sdeEps(1e-5),
    trainEps: sdeTrainEps,
  })
  .superRefine((s, ctx) => {
    if (!(s.sigmaMin < s.sigmaMax)) ctx.addIssue({ code: 'custom', path: ['sigmaMin'], message: `must be less than sigmaMax (${s.sigmaMax}), got ${s.sigmaMin}` });
  }, afterChecks)
  .describe('The variance exploding SDE dx = sqrt(d sigma(t)^2/dt) dW.');

const betaKeys = {
  betaMin: z.number().positive().default(0.1).describe('beta(0) of the linear schedule beta(t) = betaMin + t (betaMax - betaMin) (score_sde: 0.1).'),
  betaMax: z.number().positive().default(20).describe('beta(1); at least betaMin (score_sde: 20, which leaves a mean factor m(1) = 0.0066 of the data at t = 1).'),
};

function betaRule(s: { betaMin: number; betaMax: number }, ctx: z.RefinementCtx): void {
  if (!(s.betaMin <= s.betaMax)) ctx.addIssue({ code: 'custom', path: ['betaMax'], message: `must be at least betaMin (${s.betaMin}), got ${s.betaMax}` });
}

export const VpSdeSchema = z
  .strictObject({
    kind: z.literal('vp').describe('Variance preserving (continuous DDPM): dx = -beta(t) x / 2 dt + sqrt(beta(t)) dW.'),
    ...betaKeys,
    eps: sdeEps(1e-3),
    trainEps: sdeTrainEps,
  })
  .superRefine(betaRule, afterChecks)
  .describe('The variance preserving SDE; prior N(0, I).');

export const SubVpSdeSchema = z
  .strictObject({
    kind: z.literal('subvp').describe("Sub-VP: the VP drift with diffusion sqrt(beta(t) (1 - exp(-2 int_0^t beta))), whose marginal variance stays below VP's."),
    ...betaKeys,
    eps: sdeEps(1e-3),
    trainEps: sdeTrainEps,
  })
  .superRefine(betaRule, afterChecks)
  .describe('The sub-VP SDE; prior N(0, I).');

export const SdeSchema = z
  .discriminatedUnion('kind', [VeSdeSchema, VpSdeSchema, SubVpSdeSchema])
  .describe('A score SDE (Song et al. 2021) in place of noise levels: the model is conditioned on time t in [eps, 1] and sampled by reversing the SDE.');

export type SdeKind = (typeof SDE_KINDS)[number];
export type VeSdeSpec = z.output<typeof VeSdeSchema>;
export type VpSdeSpec = z.output<typeof VpSdeSchema>;
export type SubVpSdeSpec = z.output<typeof SubVpSdeSchema>;
export type SdeSpec = z.output<typeof SdeSchema>;
