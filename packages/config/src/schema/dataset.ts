// The `dataset` section: the data distribution.
import { z } from 'zod';
import { afterChecks } from './refine';

/** Datasets whose density is a finite Gaussian mixture (the `modeWeights` metric needs components). */
/** (A single `gaussian` has one mode, so no mode weights to compare.) */
export const MIXTURE_DATASET_KINDS = ['mog2d-weighted', 'gmm', '8gaussians', '25gaussians', 'rings', 'swissroll', 'moons'] as const;
export const TOY_DATASET_KINDS = ['8gaussians', '25gaussians', 'rings', 'swissroll', 'moons', 'checkerboard'] as const;
/** Datasets of data points only: no density, score or perturbed score is known (DESIGN.md section 3, v2). */
export const DATA_DATASET_KINDS = ['digits', 'file'] as const;
/** Datasets with an exact density and perturbed score (every kind that is not in DATA_DATASET_KINDS). */
export const DENSITY_DATASET_KINDS = ['mog2d-weighted', 'gaussian', 'gmm', ...TOY_DATASET_KINDS] as const;
export const DATASET_KINDS = [...DENSITY_DATASET_KINDS, ...DATA_DATASET_KINDS] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** The digits images: 8x8 pixels, so 64 dimensions. */
export const DIGITS_DIM = 64;
/** Formats of `kind: file` data, by the file name's extension when `format` is not given. */
export const DATA_FILE_FORMATS = ['csv', 'npy'] as const;
export const DATA_FILE_EXTENSIONS: Readonly<Record<string, (typeof DATA_FILE_FORMATS)[number]>> = { '.csv': 'csv', '.txt': 'csv', '.npy': 'npy' };
/** The held-out split of `kind: file` data when `split` is not given. */
export const FILE_SPLIT_DEFAULTS = { test: 0.1, seed: 0 } as const;

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

export const DigitsDatasetSchema = z
  .strictObject({
    kind: z
      .literal('digits')
      .describe(
        'The UCI "Optical Recognition of Handwritten Digits" 8x8 images (1,797 images, 64 dimensions; the data of scikit-learn load_digits, CC BY 4.0, shipped in packages/datasets/data). Pixels 0..16 are scaled to [0, 1] by /16. Every 5th row (row i with i % 5 = 4, 359 images) is held out, the other 1,438 are the training set. No known density.',
      ),
    classes: z
      .array(z.int().min(0).max(9))
      .min(1)
      .optional()
      .describe('Keep only images of these digits (0..9), in both splits; all ten when omitted. Stored sorted.'),
    dequantize: z
      .boolean()
      .default(false)
      .describe('Uniform dequantisation: a pixel v becomes (v + u) / 17 with a fresh u ~ U(0, 1) per draw, so the data have a density on [0, 1)^64 (piecewise constant on the 17 bins) instead of 17 atoms; without it a pixel is v / 16.'),
  })
  .superRefine((d, ctx) => {
    const seen = new Set<number>();
    d.classes?.forEach((c, i) => {
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['classes', i], message: `duplicate class ${c}` });
      seen.add(c);
    });
  }, afterChecks)
  .transform((d) => (d.classes ? { ...d, classes: [...d.classes].sort((a, b) => a - b) } : d))
  .describe('8x8 handwritten digits, 64-D, a fixed train/test split.');

export const FileSplitSchema = z
  .strictObject({
    test: z.number().gt(0).lt(1).default(FILE_SPLIT_DEFAULTS.test).describe('Fraction of the rows held out as the test set (at least one row each side).'),
    seed: z.int().min(0).default(FILE_SPLIT_DEFAULTS.seed).describe('Seed of the permutation that picks the test rows (not the run seed, so every run of a sweep holds out the same rows).'),
  })
  .describe('The held-out split: round(test * N) rows chosen by a permutation seeded by seed; the rest train.');

export const FileDatasetSchema = z
  .strictObject({
    kind: z.literal('file').describe("Your own points: one row per point, any dimension D. No known density."),
    path: z
      .string()
      .min(1)
      .describe(
        "The data file, relative to the experiment file's directory, and inside it: an absolute path, a path whose .. leaves the directory, or one that resolves (following symbolic links) to a file outside it is refused.",
      ),
    format: z
      .enum(DATA_FILE_FORMATS)
      .optional()
      .describe('csv: numbers separated by commas (or whitespace), one point per line, an optional header line of names; npy: a NumPy .npy array of shape [N, D], float32 or float64 (or an integer type), C order. Omitted: from the extension (.csv, .txt: csv; .npy: npy).'),
    split: FileSplitSchema.default({ ...FILE_SPLIT_DEFAULTS }),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits')
      .optional()
      .describe("sha256 of the file's bytes. When given, a file with other content is refused; when omitted, the runner records the file's sha256 here in the resolved config, so a changed file changes the config hash."),
  })
  .superRefine((d, ctx) => {
    if (d.format === undefined && fileFormatOf(d.path) === undefined) {
      ctx.addIssue({ code: 'custom', path: ['format'], message: `cannot tell the format of '${d.path}' from its extension (${Object.keys(DATA_FILE_EXTENSIONS).join(', ')}): give format: csv or npy` });
    }
  }, afterChecks)
  .transform((d) => ({ ...d, format: d.format ?? fileFormatOf(d.path)! }))
  .describe('Points from a CSV or .npy file, with a held-out split.');

/** The format a data file's extension names, or undefined. */
export function fileFormatOf(path: string): (typeof DATA_FILE_FORMATS)[number] | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : DATA_FILE_EXTENSIONS[path.slice(dot).toLowerCase()];
}

export const DatasetSchema = z
  .discriminatedUnion('kind', [Mog2dWeightedDatasetSchema, GaussianDatasetSchema, GmmDatasetSchema, ToyDatasetSchema, DigitsDatasetSchema, FileDatasetSchema])
  .describe('The data distribution. Every kind but digits and file has an exact (perturbed) score; digits and file are data points only.');

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
export type DigitsDatasetSpec = z.output<typeof DigitsDatasetSchema>;
export type FileDatasetSpec = z.output<typeof FileDatasetSchema>;
export type DatasetSpec = z.output<typeof DatasetSchema>;
/** A dataset with an exact density and perturbed score. */
export type DensityDatasetSpec = Exclude<DatasetSpec, DigitsDatasetSpec | FileDatasetSpec>;
/** A dataset of points without a known density. */
export type DataDatasetSpec = DigitsDatasetSpec | FileDatasetSpec;

/** Whether the dataset has a known density (an exact score, the reference of eval/fisher and the analytic model). */
export function hasKnownDensity(spec: { kind: string }): boolean {
  return !(DATA_DATASET_KINDS as readonly string[]).includes(spec.kind);
}
