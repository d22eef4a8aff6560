// The `dataset` section: the data distribution.
import { z } from 'zod';
import { afterChecks } from './refine';

/** Datasets whose density is a finite Gaussian mixture (the `modeWeights` metric needs components). */
/** (A single `gaussian` has one mode, so no mode weights to compare.) */
export const MIXTURE_DATASET_KINDS = ['mog2d-weighted', 'gmm', '8gaussians', '25gaussians', 'rings', 'swissroll', 'moons'] as const;
export const TOY_DATASET_KINDS = ['8gaussians', '25gaussians', 'rings', 'swissroll', 'moons', 'checkerboard'] as const;
export const DATASET_KINDS = ['mog2d-weighted', 'gaussian', 'gmm', ...TOY_DATASET_KINDS] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export const Mog2dWeightedDatasetSchema = z
  .strictObject({
    kind: z.literal('mog2d-weighted').describe('0.2 N((-5,-5), I) + 0.8 N((5,5), I) in 2-D, the weighted mixture of the NCSN toy experiment.'),
  })
  .describe('The two-mode mixture with unequal weights that plain Langevin dynamics gets wrong.');

export const GaussianDatasetSchema = z
  .strictObject({
    kind: z.literal('gaussian').describe('A single Gaussian N(mean, std^2 I).'),
    dim: z.int().min(1).describe('Dimension D.'),
    mean: z.array(z.number()).optional().describe('Mean vector of length dim; the zero vector when omitted.'),
    std: z.number().positive().default(1).describe('Isotropic standard deviation.'),
  })
  .superRefine((d, ctx) => {
    if (d.mean !== undefined && d.mean.length !== d.dim) {
      ctx.addIssue({ code: 'custom', path: ['mean'], message: `expected ${d.dim} values (dim), got ${d.mean.length}` });
    }
  }, afterChecks)
  .transform((d) => ({ ...d, mean: d.mean ?? new Array<number>(d.dim).fill(0) }))
  .describe('An isotropic Gaussian in any dimension.');

export const GmmDatasetSchema = z
  .strictObject({
    kind: z.literal('gmm').describe('A Gaussian mixture sum_k w_k N(means[k], Sigma_k) in any dimension.'),
    means: z.array(z.array(z.number()).min(1)).min(1).describe('Component means, K lists of D coordinates.'),
    stds: z
      .array(z.number().positive())
      .optional()
      .describe('Isotropic standard deviation per component (Sigma_k = stds[k]^2 I), K values. When neither stds nor covariances is given, every component has covariance I.'),
    covariances: z
      .array(z.array(z.array(z.number())))
      .optional()
      .describe('Full covariance per component, K symmetric positive definite DxD matrices. Give either stds or covariances.'),
    weights: z
      .array(z.number().positive())
      .optional()
      .describe('Mixture weights, K positive values, normalised by their sum; equal weights 1/K when omitted.'),
  })
  .superRefine((d, ctx) => {
    const k = d.means.length;
    const dim = d.means[0].length;
    d.means.forEach((m, i) => {
      if (m.length !== dim) ctx.addIssue({ code: 'custom', path: ['means', i], message: `expected ${dim} coordinates like means[0], got ${m.length}` });
    });
    if (d.stds !== undefined && d.covariances !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['covariances'], message: 'give either stds or covariances, not both' });
    }
    if (d.stds !== undefined && d.stds.length !== k) {
      ctx.addIssue({ code: 'custom', path: ['stds'], message: `expected ${k} values (one per component), got ${d.stds.length}` });
    }
    if (d.weights !== undefined && d.weights.length !== k) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: `expected ${k} values (one per component), got ${d.weights.length}` });
    }
    if (d.covariances !== undefined) {
      if (d.covariances.length !== k) {
        ctx.addIssue({ code: 'custom', path: ['covariances'], message: `expected ${k} matrices (one per component), got ${d.covariances.length}` });
      }
      d.covariances.forEach((c, i) => {
        const problem = covarianceProblem(c, dim);
        if (problem) ctx.addIssue({ code: 'custom', path: ['covariances', i], message: problem });
      });
    }
  }, afterChecks)
  .transform((d) => {
    const k = d.means.length;
    return {
      ...d,
      stds: d.stds ?? (d.covariances === undefined ? new Array<number>(k).fill(1) : undefined),
      // Stored normalised, so the resolved config (and its hash) says exactly which mixture ran.
      weights: d.weights ? normaliseWeights(d.weights) : new Array<number>(k).fill(1 / k),
    };
  })
  .describe('A Gaussian mixture in any dimension.');

export const ToyDatasetSchema = z
  .strictObject({
    kind: z
      .enum(TOY_DATASET_KINDS)
      .describe('A 2-D toy distribution: 8gaussians (eight modes on a circle), 25gaussians (a 5x5 grid of modes), rings, swissroll, moons, checkerboard.'),
    scale: z.number().positive().default(1).describe("Multiplies every coordinate of the dataset's standard layout."),
  })
  .describe('A 2-D toy distribution of the score-matching literature.');

export const DatasetSchema = z
  .discriminatedUnion('kind', [Mog2dWeightedDatasetSchema, GaussianDatasetSchema, GmmDatasetSchema, ToyDatasetSchema])
  .describe('The data distribution; every dataset has an exact (perturbed) score.');

function normaliseWeights(w: number[]): number[] {
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

/** Why `c` is not a symmetric positive definite dim x dim matrix, or null if it is. */
function covarianceProblem(c: number[][], dim: number): string | null {
  if (c.length !== dim || c.some((row) => row.length !== dim)) return `expected a ${dim}x${dim} matrix`;
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(c[i][j] - c[j][i]) > 1e-9 * (Math.abs(c[i][j]) + Math.abs(c[j][i]) + 1)) return 'must be symmetric';
    }
  }
  // Cholesky C = L L^T exists (with a positive diagonal) iff C is positive definite.
  const l: number[][] = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let s = c[i][j];
      for (let m = 0; m < j; m++) s -= l[i][m] * l[j][m];
      if (i === j) {
        if (!(s > 0)) return 'must be positive definite';
        l[i][i] = Math.sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  return null;
}

export type Mog2dWeightedDatasetSpec = z.output<typeof Mog2dWeightedDatasetSchema>;
export type GaussianDatasetSpec = z.output<typeof GaussianDatasetSchema>;
export type GmmDatasetSpec = z.output<typeof GmmDatasetSchema>;
export type ToyDatasetSpec = z.output<typeof ToyDatasetSchema>;
export type DatasetSpec = z.output<typeof DatasetSchema>;
