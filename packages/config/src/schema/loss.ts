// The `loss` section: the score-matching objective, or maximum likelihood (ml) for energy models.
import { z } from 'zod';

export const LOSS_KINDS = ['sm', 'ssm', 'ssm-vr', 'dsm', 'ml'] as const;
export const PROJECTIONS = ['rademacher', 'gaussian', 'sphere'] as const;
export const LOSS_WEIGHTINGS = ['sigma2', 'none', 'likelihood'] as const;
export const NEGATIVE_INITS = ['data', 'noise', 'persistent'] as const;

/** Defaults of loss.negatives (filled in resolved configs of ml runs only, so no other config changes). */
export const NEGATIVES_DEFAULTS = { init: 'persistent', steps: 20, stepSize: 0.01, noiseScale: 1, bufferSize: 10000, reinit: 0.05 } as const;

export const NegativesSchema = z
  .strictObject({
    init: z
      .enum(NEGATIVE_INITS)
      .default(NEGATIVES_DEFAULTS.init)
      .describe(
        "Where each step's Langevin chains start: data (CD-k: at the positive batch itself), noise (uniform on the data's bounding box, measured once from the run's range stream) or persistent (PCD: at points drawn from a replay buffer of bufferSize, each replaced by uniform noise with probability reinit; Du & Mordatch 2019).",
      ),
    steps: z.int().min(1).default(NEGATIVES_DEFAULTS.steps).describe('Langevin steps k per training step.'),
    stepSize: z.number().positive().default(NEGATIVES_DEFAULTS.stepSize).describe('Langevin step a of x <- x - a grad_x E(x) + noiseScale sqrt(2a) z.'),
    noiseScale: z
      .number()
      .min(0)
      .default(NEGATIVES_DEFAULTS.noiseScale)
      .describe('Factor on the Langevin noise: 1 is Langevin dynamics of exp(-E) (the full convention); Du & Mordatch use a smaller noise than the step implies (< 1).'),
    bufferSize: z.int().min(1).default(NEGATIVES_DEFAULTS.bufferSize).describe('Points in the replay buffer of init persistent (ignored otherwise).'),
    reinit: z.number().min(0).max(1).default(NEGATIVES_DEFAULTS.reinit).describe('Probability that a chain of init persistent restarts from noise instead of the buffer (ignored otherwise).'),
  })
  .describe('Negatives x- of loss ml: short-run Langevin on the current energy, started from data, noise or a replay buffer.');

export const LossSchema = z
  .strictObject({
    kind: z
      .enum(LOSS_KINDS)
      .describe(
        'sm: exact score matching E[tr(grad s) + |s|^2/2]; ssm: sliced, E[v^T (grad s) v + (v^T s)^2/2]; ssm-vr: sliced with variance reduction, E[v^T (grad s) v + |s|^2/2]; dsm: denoising, E[|s(x~, sigma) + (x~ - x)/sigma^2|^2/2]; ml: maximum likelihood of an energy model by contrastive divergence, the surrogate E_data[E(x+)] - E[E(x-)] with negatives x- from short-run Langevin (energy models only; clean data or noise with one level, no sde).',
      ),
    weighting: z
      .enum(LOSS_WEIGHTINGS)
      .default('sigma2')
      .describe(
        'Weight lambda of each noise level or time in the loss: sigma2 (lambda = sigma^2, NCSN; with an sde the marginal variance s(t)^2), none (lambda = 1; noise levels only) or likelihood (lambda = g(t)^2, which makes dsm a bound on the negative log-likelihood; sde only). Ignored by ml.',
      ),
    projection: z
      .enum(PROJECTIONS)
      .default('rademacher')
      .describe('Distribution of the projection vectors v of ssm and ssm-vr (all have E[v v^T] = I; sphere has radius sqrt(D)). Ignored by sm, dsm and ml.'),
    projections: z.int().min(1).default(1).describe('Projection vectors per sample for ssm and ssm-vr. Ignored by sm, dsm and ml.'),
    // No zod defaults on the ml keys: a default would appear in (and change the hash of) every existing
    // resolved config. RunConfigSchema fills them when kind is ml.
    negatives: NegativesSchema.optional().describe('ml only: how the negatives are drawn. Defaults: init persistent, steps 20, stepSize 0.01, noiseScale 1, bufferSize 10000, reinit 0.05.'),
    alpha: z.number().min(0).optional().describe('ml only: weight of the energy-magnitude regulariser alpha (E(x+)^2 + E(x-)^2), batch means (Du & Mordatch 2019). Default 0.'),
  })
  .describe('The training objective. Required for mlp and energy models.');

export type LossKind = (typeof LOSS_KINDS)[number];
export type LossSpec = z.output<typeof LossSchema>;
export type NegativesSpec = z.output<typeof NegativesSchema>;
export type NegativeInit = (typeof NEGATIVE_INITS)[number];
