/**
 * The experiment-file schema (DESIGN.md section 3): one zod schema per section, a description
 * and (where one makes sense) a default on every key. Objects are strict, so a misspelt key is an
 * error. Rules that involve more than one key live next to the section they constrain; rules that
 * span sections are in `runConfigRules`.
 */
import { z } from 'zod';

/** Run a rule only on input that passed every check so far, so one mistake gives one error. */
const afterChecks = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

// ---------------------------------------------------------------------------------------------
// dataset

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

// ---------------------------------------------------------------------------------------------
// model

export const ACTIVATIONS = ['softplus', 'swish', 'elu', 'relu', 'tanh'] as const;
export const CONDITIONINGS = ['none', 'sigma-scale', 'embed'] as const;
export const TIME_INPUTS = ['time', 'log-std'] as const;
/** Defaults of the time-conditional network's keys, filled in resolved configs that have an sde. */
export const TIME_NETWORK_DEFAULTS = { fourierFeatures: 8, fourierScale: 1, timeInput: 'time' } as const;

export const MlpModelSchema = z
  .strictObject({
    kind: z.literal('mlp').describe('A fully connected score network D -> hidden... -> D.'),
    hidden: z
      .array(z.int().min(1))
      .min(1)
      .default(() => [128, 128])
      .describe('Widths of the hidden layers.'),
    activation: z.enum(ACTIVATIONS).default('softplus').describe('Activation after every hidden layer.'),
    conditioning: z
      .enum(CONDITIONINGS)
      .default('embed')
      .describe(
        'How the network sees sigma: none (s(x) = f(x)), sigma-scale (s = f(x) / sigma, NCSNv2), embed (s = f([x, log sigma]) / sigma). With an sde only embed applies: the network always sees time.',
      ),
    // No zod defaults on the time-network keys: a default would appear in (and change the hash of) every
    // noise-level run's resolved config. RunConfigSchema fills them when an sde is given.
    fourierFeatures: z
      .int()
      .min(0)
      .optional()
      .describe('With an sde only: number F of Gaussian Fourier frequencies w_k ~ N(0, fourierScale^2) of the time embedding [c, sin(2 pi w c), cos(2 pi w c)]. Default 8.'),
    fourierScale: z.number().positive().optional().describe('With an sde only: standard deviation of the fixed random Fourier frequencies. Default 1.'),
    timeInput: z
      .enum(TIME_INPUTS)
      .optional()
      .describe('With an sde only: what the time embedding is made of, c = t (time) or c = log s(t), the log marginal std (log-std, NCSN++ for VE). Default time.'),
  })
  .describe('A trained MLP score network; with an sde, the time-conditional network s(x, t) = f([x, c, sin(2 pi w c), cos(2 pi w c)]) / s(t).');

export const AnalyticModelSchema = z
  .strictObject({
    kind: z.literal('analytic').describe("Use the dataset's exact (perturbed) score, or with an sde the exact marginal score grad log p_t; nothing is trained."),
  })
  .describe('The exact score, to measure sampler error without score-estimation error.');

export const ModelSchema = z.discriminatedUnion('kind', [MlpModelSchema, AnalyticModelSchema]).describe('The score model s(x, sigma), or s(x, t) with an sde.');

// ---------------------------------------------------------------------------------------------
// noise

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

// ---------------------------------------------------------------------------------------------
// sde

export const SDE_KINDS = ['ve', 'vp', 'subvp'] as const;

const sdeEps = (value: number) =>
  z
    .number()
    .gt(0)
    .lt(1)
    .default(value)
    .describe(`Smallest time: training draws t ~ U(eps, 1), samplers stop at eps and the likelihood starts there. Default ${value} (score_sde).`);

export const VeSdeSchema = z
  .strictObject({
    kind: z.literal('ve').describe('Variance exploding (SMLD/NCSN in continuous time): x_t = x_0 + sigma(t) z with sigma(t) = sigmaMin (sigmaMax/sigmaMin)^t.'),
    sigmaMin: z.number().positive().default(0.01).describe('sigma(0), the smallest noise level: well below the finest scale of the data.'),
    sigmaMax: z
      .number()
      .positive()
      .describe('sigma(1), also the std of the prior N(0, sigmaMax^2 I): must dwarf the data, i.e. exceed the largest distance between data points and from the origin (100 for mog2d-weighted; 25 is visibly too small).'),
    eps: sdeEps(1e-5),
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
  })
  .superRefine(betaRule, afterChecks)
  .describe('The variance preserving SDE; prior N(0, I).');

export const SubVpSdeSchema = z
  .strictObject({
    kind: z.literal('subvp').describe("Sub-VP: the VP drift with diffusion sqrt(beta(t) (1 - exp(-2 int_0^t beta))), whose marginal variance stays below VP's."),
    ...betaKeys,
    eps: sdeEps(1e-3),
  })
  .superRefine(betaRule, afterChecks)
  .describe('The sub-VP SDE; prior N(0, I).');

export const SdeSchema = z
  .discriminatedUnion('kind', [VeSdeSchema, VpSdeSchema, SubVpSdeSchema])
  .describe('A score SDE (Song et al. 2021) in place of noise levels: the model is conditioned on time t in [eps, 1] and sampled by reversing the SDE.');

// ---------------------------------------------------------------------------------------------
// loss

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

// ---------------------------------------------------------------------------------------------
// train

export const TrainSchema = z
  .strictObject({
    steps: z.int().min(1).describe('Number of optimiser steps.'),
    batchSize: z.int().min(1).default(128).describe('Data points per step.'),
    optimizer: z.enum(['adam', 'sgd']).default('adam').describe('Optimiser.'),
    lr: z.number().positive().default(0.001).describe('Learning rate.'),
    logEvery: z.int().min(1).default(50).describe('Record train/loss and train/grad_norm every this many steps.'),
  })
  .describe('Training of the score network. Required for mlp models; analytic models skip training.');

// ---------------------------------------------------------------------------------------------
// sampler

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

// ---------------------------------------------------------------------------------------------
// eval

export const METRICS = ['fisher', 'mmd', 'swd', 'modeWeights', 'nll'] as const;
export type MetricName = (typeof METRICS)[number];
/** Metrics computed on generated samples. */
export const SAMPLE_METRICS: readonly MetricName[] = ['mmd', 'swd', 'modeWeights'];

export const EvalSchema = z
  .strictObject({
    every: z
      .int()
      .min(1)
      .optional()
      .describe('Evaluate every this many training steps and after the last one; at most train.steps. Omitted: only after the last step (analytic models are evaluated once).'),
    metrics: z
      .array(z.enum(METRICS))
      .min(1)
      .describe(
        'fisher: eval/fisher and eval/fisher@<sigma> (with an sde: eval/fisher@t=<t>) against the exact perturbed score; mmd: sample/mmd; swd: sample/swd; modeWeights: sample/mode_weight_tv and sample/mode_weight/<k> (mixture datasets only); nll: eval/nll, the negative log-likelihood of held-out data through the probability-flow ODE, and perf/nll_nfe (sde only).',
      ),
    samples: z.int().min(1).default(1000).describe('Data points drawn for fisher (per evaluation), as the reference set of mmd and swd, and as the held-out set of nll.'),
  })
  .describe('Evaluation metrics and how often to compute them.');

// ---------------------------------------------------------------------------------------------
// run config

export const RunConfigObjectSchema = z.strictObject({
  dataset: DatasetSchema,
  model: ModelSchema,
  noise: NoiseSchema.optional(),
  sde: SdeSchema.optional(),
  loss: LossSchema.optional(),
  train: TrainSchema.optional(),
  sampler: SamplerSchema.optional(),
  eval: EvalSchema.optional(),
});

/** Rules that relate sections (each names the key to fix). */
function runConfigRules(c: z.output<typeof RunConfigObjectSchema>, ctx: z.RefinementCtx): void {
  const add = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const levels = c.noise ? noiseLevels(c.noise) : 0;
  if (c.model.kind === 'mlp') {
    if (!c.loss) add(['loss'], 'required when model.kind is mlp (only analytic models skip training)');
    if (!c.train) add(['train'], 'required when model.kind is mlp (only analytic models skip training)');
  }
  if (c.sde) {
    sdeRules(c, add);
  } else {
    if (c.loss?.kind === 'dsm' && !c.noise) add(['loss', 'kind'], 'dsm needs noise (use levels: 1 for a single sigma)');
    if (c.loss?.weighting === 'likelihood') add(['loss', 'weighting'], 'likelihood (lambda = g(t)^2) needs an sde section; with noise levels use sigma2 or none');
    if (c.model.kind === 'mlp') {
      for (const key of ['fourierFeatures', 'fourierScale', 'timeInput'] as const) {
        if (c.model[key] !== undefined) add(['model', key], 'only applies with an sde section (the time-conditional network)');
      }
    }
    if (c.sampler && isSdeSampler(c.sampler.kind)) add(['sampler', 'kind'], `${c.sampler.kind} samples a score SDE and needs an sde section (with noise levels use langevin or ald)`);
    if (c.sampler?.kind === 'ald' && levels < 2) {
      add(['sampler', 'kind'], 'ald needs noise with more than one level (without noise, or with levels: 1, use langevin)');
    }
  }
  if (c.eval) {
    const seen = new Set<string>();
    c.eval.metrics.forEach((m, i) => {
      if (seen.has(m)) add(['eval', 'metrics', i], `duplicate metric ${m}`);
      seen.add(m);
      if (SAMPLE_METRICS.includes(m) && !c.sampler) add(['eval', 'metrics', i], `${m} is computed on generated samples, so it needs a sampler section`);
      if (m === 'modeWeights' && !(MIXTURE_DATASET_KINDS as readonly string[]).includes(c.dataset.kind)) {
        add(['eval', 'metrics', i], `modeWeights needs a mixture dataset; ${c.dataset.kind} has no mixture components`);
      }
      if (m === 'nll' && !c.sde) add(['eval', 'metrics', i], 'nll needs an sde section (the likelihood is computed through the probability-flow ODE)');
    });
    if (c.eval.every !== undefined && c.train && c.eval.every > c.train.steps) {
      add(['eval', 'every'], `must be at most train.steps (${c.train.steps}), got ${c.eval.every}`);
    }
  }
}

function isSdeSampler(kind: string): boolean {
  return (SDE_SAMPLER_KINDS as readonly string[]).includes(kind);
}

/** Rules of a run with an sde section (it replaces noise; samplers, losses and the model follow it). */
function sdeRules(c: z.output<typeof RunConfigObjectSchema>, add: (path: (string | number)[], message: string) => void): void {
  if (c.noise) add(['sde'], 'noise and sde are both given: an sde replaces the noise levels, remove one of them');
  if (c.model.kind === 'mlp' && c.model.conditioning !== 'embed') {
    add(['model', 'conditioning'], `${c.model.conditioning} does not apply with an sde: the network always embeds time and divides by s(t) (leave conditioning out, or embed)`);
  }
  if (c.loss?.kind === 'sm') add(['loss', 'kind'], 'sm (exact score matching) is not available with an sde; use dsm, ssm or ssm-vr');
  if (c.loss?.weighting === 'none') add(['loss', 'weighting'], 'none is not available with an sde; use sigma2 (lambda = s(t)^2) or likelihood (lambda = g(t)^2)');
  if (c.sampler && !isSdeSampler(c.sampler.kind)) {
    add(['sampler', 'kind'], `${c.sampler.kind} samples noise levels, not an sde; with an sde use ${SDE_SAMPLER_KINDS.join(', ')}`);
  }
}

/** Resolved-config defaults that depend on other sections: eval.every = train.steps; the time network's keys with an sde. */
function fillDependentDefaults<C extends z.output<typeof RunConfigObjectSchema>>(c: C): C {
  let out = c;
  if (out.eval && out.eval.every === undefined && out.train) out = { ...out, eval: { ...out.eval, every: out.train.steps } };
  if (out.sde && out.model.kind === 'mlp') {
    const m = out.model;
    out = {
      ...out,
      model: {
        ...m,
        fourierFeatures: m.fourierFeatures ?? TIME_NETWORK_DEFAULTS.fourierFeatures,
        fourierScale: m.fourierScale ?? TIME_NETWORK_DEFAULTS.fourierScale,
        timeInput: m.timeInput ?? TIME_NETWORK_DEFAULTS.timeInput,
      },
    };
  }
  return out;
}

/**
 * A single run's configuration. Parsing fills every default, so the output is the fully resolved
 * config that is stored and hashed (`eval.every` defaults to `train.steps`; with an sde, the mlp's
 * time-network keys get their defaults).
 */
export const RunConfigSchema = RunConfigObjectSchema.superRefine(runConfigRules, afterChecks)
  .transform(fillDependentDefaults)
  .describe('One run: dataset, model, noise levels or sde, loss, training, sampler and evaluation.');

// ---------------------------------------------------------------------------------------------
// experiment file

export const NAME_PATTERN = /^[a-z0-9_-]+$/;

export const DistributionSchema = z
  .strictObject({
    distribution: z.enum(['uniform', 'log-uniform']).describe('uniform on [low, high], or log-uniform (uniform in log, low > 0).'),
    low: z.number().describe('Lower end of the range.'),
    high: z.number().describe('Upper end of the range; greater than low.'),
  })
  .describe('A continuous range, for method: random.');

export const ValuesSchema = z.strictObject({ values: z.array(z.unknown()).min(1).describe('The values to choose from.') }).describe('A list of values.');

export const ParameterValuesSchema = z
  .union([z.array(z.unknown()).min(1).describe('The values to sweep (grid) or choose from (random).'), ValuesSchema, DistributionSchema])
  .describe('Values of one swept parameter.');

export const experimentShape = {
  name: z.string().regex(NAME_PATTERN, 'use only lowercase letters, digits, - and _').describe('Sweep name: lowercase letters, digits, - and _.'),
  description: z.string().optional().describe('What the experiment asks.'),
  base: RunConfigSchema.describe('The run config that parameters modify. It must be a complete, valid run on its own.'),
  method: z.enum(['grid', 'random']).default('grid').describe('grid: every combination of the parameter values; random: `trials` random draws.'),
  trials: z.int().min(1).optional().describe('Number of random draws (method: random only).'),
  searchSeed: z.int().min(0).max(0xffffffff).default(0).describe('Seed of the random search draws, so expansion is reproducible.'),
  parameters: z
    .record(z.string(), ParameterValuesSchema)
    .default(() => ({}))
    .describe('Dotted path inside base (e.g. sampler.stepSize) -> values. Grid order: first parameter slowest, last fastest.'),
  seeds: z
    .array(z.int().min(0).max(0xffffffff))
    .min(1)
    .default(() => [0])
    .describe('Seeds of every parameter combination (innermost loop of the expansion).'),
};

// ---------------------------------------------------------------------------------------------
// types

export type Mog2dWeightedDatasetSpec = z.output<typeof Mog2dWeightedDatasetSchema>;
export type GaussianDatasetSpec = z.output<typeof GaussianDatasetSchema>;
export type GmmDatasetSpec = z.output<typeof GmmDatasetSchema>;
export type ToyDatasetSpec = z.output<typeof ToyDatasetSchema>;
export type DatasetSpec = z.output<typeof DatasetSchema>;
export type MlpModelSpec = z.output<typeof MlpModelSchema>;
export type AnalyticModelSpec = z.output<typeof AnalyticModelSchema>;
export type ModelSpec = z.output<typeof ModelSchema>;
export type NoiseSpec = z.output<typeof NoiseSchema>;
export type SdeKind = (typeof SDE_KINDS)[number];
export type VeSdeSpec = z.output<typeof VeSdeSchema>;
export type VpSdeSpec = z.output<typeof VpSdeSchema>;
export type SubVpSdeSpec = z.output<typeof SubVpSdeSchema>;
export type SdeSpec = z.output<typeof SdeSchema>;
export type LossKind = (typeof LOSS_KINDS)[number];
export type LossSpec = z.output<typeof LossSchema>;
export type TrainSpec = z.output<typeof TrainSchema>;
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
export type EvalSpec = z.output<typeof EvalSchema>;
/** A run config with every default filled in: what a run executes, stores and hashes. */
export type ResolvedRunConfig = z.output<typeof RunConfigSchema>;
/** A run config as written in a file (defaults may be missing). */
export type RunConfigInput = z.input<typeof RunConfigSchema>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type DistributionSpec = z.output<typeof DistributionSchema>;
export type ParameterValues = JsonValue[] | { values: JsonValue[] } | DistributionSpec;

/** A validated experiment file. `base` is kept as written, so parameters apply to what the user wrote. */
export interface ExperimentFile {
  name: string;
  description?: string;
  base: RunConfigInput;
  method: 'grid' | 'random';
  trials?: number;
  searchSeed: number;
  parameters: Record<string, ParameterValues>;
  seeds: number[];
}
