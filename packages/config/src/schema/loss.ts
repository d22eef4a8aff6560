// The `loss` section: the score-matching objective.
import { z } from 'zod';

export const LOSS_KINDS = ['sm', 'ssm', 'ssm-vr', 'dsm'] as const;
export const PROJECTIONS = ['rademacher', 'gaussian', 'sphere'] as const;
export const LOSS_WEIGHTINGS = ['sigma2', 'none', 'likelihood'] as const;

export const LossSchema = z
  .strictObject({
    kind: z
      .enum(LOSS_KINDS)
      .describe(
        'sm: exact score matching E[tr(grad s) + |s|^2/2]; ssm: sliced, E[v^T (grad s) v + (v^T s)^2/2]; ssm-vr: sliced with variance reduction, E[v^T (grad s) v + |s|^2/2]; dsm: denoising, E[|s(x~, sigma) + (x~ - x)/sigma^2|^2/2].',
      ),
    weighting: z
      .enum(LOSS_WEIGHTINGS)
      .default('sigma2')
      .describe(
        'Weight lambda of each noise level or time in the loss: sigma2 (lambda = sigma^2, NCSN; with an sde the marginal variance s(t)^2), none (lambda = 1; noise levels only) or likelihood (lambda = g(t)^2, which makes dsm a bound on the negative log-likelihood; sde only).',
      ),
    projection: z
      .enum(PROJECTIONS)
      .default('rademacher')
      .describe('Distribution of the projection vectors v of ssm and ssm-vr (all have E[v v^T] = I; sphere has radius sqrt(D)). Ignored by sm and dsm.'),
    projections: z.int().min(1).default(1).describe('Projection vectors per sample for ssm and ssm-vr. Ignored by sm and dsm.'),
  })
  .describe('The score-matching objective. Required for mlp models.');

export type LossKind = (typeof LOSS_KINDS)[number];
export type LossSpec = z.output<typeof LossSchema>;
