/** Metric keys of DESIGN.md section 5: one name per concept, shared by the runner (which logs them) and the dashboard (which ranks them). */
export const METRIC = {
  trainLoss: 'train/loss',
  gradNorm: 'train/grad_norm',
  stepsPerSec: 'perf/steps_per_sec',
  sampleSeconds: 'perf/sample_seconds',
  /** Batched score evaluations of the sampler (NFE), a final denoising call included. */
  nfe: 'perf/nfe',
  /** Right-hand-side evaluations of the probability-flow ODE that computed eval/nll. */
  nllNfe: 'perf/nll_nfe',
  fisher: 'eval/fisher',
  /** -mean log p(x) over held-out data, nats per point: p_eps through the probability-flow ODE (SDE runs), or the quadrature-normalised exp(-E) of a 2-D energy model. */
  nll: 'eval/nll',
  /** KL(p_data || p̂) on the quadrature grid, nats (2-D energy models). */
  kl: 'eval/kl',
  /** Halving-check bound on log Z of the learned 2-D density, nats (also a bound on every log p̂). */
  logZError: 'eval/log_z_error',
  /** Fraction of the learned 2-D density's quadrature mass on the outer ring of its box. */
  boxOuterMass: 'eval/box_outer_mass',
  /** E_p|curl s| / (sqrt 2 E_p ||J_s||_F) in [0, 1] of a 2-D score network: 0 for a gradient field, 1 for a rotation. */
  curl: 'eval/curl',
  /** E_p of |x-first - y-first| line integrals of a 2-D score network's field, nats. */
  pathDependence: 'eval/path_dependence',
  /** eval/nll of a 2-D score network's path-integrated density. */
  nllPath: 'eval/nll_path',
  /** eval/kl of a 2-D score network's path-integrated density. */
  klPath: 'eval/kl_path',
  /** loss ml: batch mean of E(x+) over the positives (data), every train.logEvery steps. */
  energyPos: 'train/energy_pos',
  /** loss ml: batch mean of E(x-) over the Langevin negatives. */
  energyNeg: 'train/energy_neg',
  /** loss ml: energy_pos - energy_neg, the contrastive-divergence surrogate without its regulariser. */
  energyGap: 'train/energy_gap',
  /** loss ml: RBF MMD^2 (sample/mmd's estimator) between the step's negatives and its positive batch. */
  negMmd: 'train/neg_mmd',
  mmd: 'sample/mmd',
  swd: 'sample/swd',
  modeWeightTv: 'sample/mode_weight_tv',
  /** sample/mode_weight/<k>: the fraction of samples assigned to mixture component k. */
  modeWeightPrefix: 'sample/mode_weight/',
  modeWeight: (k: number) => `sample/mode_weight/${k}`,
  /** Permutation-test p-value of the samples against data under the MMD^2 of sample/mmd (200 permutations). */
  mmdP: 'sample/mmd_p',
  /** ref/<name>: sample/<name> computed on as many fresh true data samples as the model drew (its noise floor). */
  refPrefix: 'ref/',
  refMmd: 'ref/mmd',
  refSwd: 'ref/swd',
  refModeWeightTv: 'ref/mode_weight_tv',
  refModeWeight: (k: number) => `ref/mode_weight/${k}`,
  /** (1/K) sum_k s_k^2 eval/dsm@k: the held-out denoising loss with eval/fisher's weighting (needs no ground truth). */
  dsm: 'eval/dsm',
  /** Held-out sliced score matching (SSM-VR), (1/K) sum_k s_k^2 L_k over the same points; the clean loss without noise. */
  ssm: 'eval/ssm',
  /** Mean Euclidean distance of the samples to their nearest training point (data datasets). */
  nnDist: 'sample/nn_dist',
  /** The same for the held-out points: what a model that does not copy its training data scores. */
  refNnDist: 'ref/nn_dist',
} as const;

/** The ref/ key beside a sample/ key (sample/mmd -> ref/mmd), or null when it has none (sample/mmd_p, non-sample keys). */
export function referenceKey(key: string): string | null {
  if (!key.startsWith('sample/') || key === METRIC.mmdP) return null;
  return METRIC.refPrefix + key.slice('sample/'.length);
}

/**
 * The names an experiment file's `eval.metrics` may list, in order: what each logs (the text of the
 * eval.metrics description in the JSON Schema) and whether it is computed on generated samples.
 */
export const EVAL_METRICS = {
  fisher: { logs: 'eval/fisher and eval/fisher@<sigma> (with an sde: eval/fisher@t=<t>) against the exact perturbed score', onSamples: false },
  mmd: { logs: 'sample/mmd, its floor ref/mmd and sample/mmd_p (permutation-test p-value, 200 permutations)', onSamples: true },
  swd: { logs: 'sample/swd and its floor ref/swd', onSamples: true },
  modeWeights: { logs: 'sample/mode_weight_tv and sample/mode_weight/<k>, with ref/mode_weight_tv and ref/mode_weight/<k> (mixture datasets only)', onSamples: true },
  nll: {
    logs: 'eval/nll, the negative log-likelihood of held-out data: through the probability-flow ODE, with perf/nll_nfe (sde runs), or for a 2-D energy model by quadrature of exp(-E) (as density)',
    onSamples: false,
  },
  dsm: {
    logs: 'eval/dsm and eval/dsm@<sigma> (with an sde: eval/dsm@t=<t>), the held-out denoising loss 1/2 E||s(x~) + z/s||^2 of the model per noise level and its sigma^2-weighted mean (needs noise or an sde; no ground truth needed)',
    onSamples: false,
  },
  ssm: { logs: 'eval/ssm, the held-out sliced score-matching loss (SSM-VR, sigma^2-weighted mean over the noise levels or times; no ground truth needed)', onSamples: false },
  nnDist: {
    logs: 'sample/nn_dist, the mean distance of the samples to their nearest training point, and ref/nn_dist, the same for the held-out points (digits and file datasets: the memorisation check)',
    onSamples: true,
  },
  density: {
    logs: 'on 2-D data, the learned density on a quadrature grid (docs/numerics.md): eval/nll, eval/kl, eval/log_z_error and eval/box_outer_mass of exp(-E) for energy models (and the exact density of analytic ones); for score networks the score integrated along paths, eval/curl, eval/path_dependence, eval/nll_path and eval/kl_path; and the learned-density artifacts',
    onSamples: false,
  },
} as const;

export type MetricName = keyof typeof EVAL_METRICS;
export const METRICS = Object.keys(EVAL_METRICS) as [MetricName, ...MetricName[]];
/** Metrics computed on generated samples. */
export const SAMPLE_METRICS: readonly MetricName[] = METRICS.filter((m) => EVAL_METRICS[m].onSamples);

/** A noise level or time as it appears in metric keys and labels: 4 significant digits (7.170 -> '7.17'). */
export function formatSigma(s: number): string {
  return String(Number(s.toPrecision(4)));
}

/** eval/fisher@<sigma>, sigma with 4 significant digits (20, 7.170, 0.01 -> '20', '7.17', '0.01'). */
export function fisherAtKey(sigma: number): string {
  return `eval/fisher@${formatSigma(sigma)}`;
}

/** eval/dsm@<sigma>, sigma with 4 significant digits (as fisherAtKey). */
export function dsmAtKey(sigma: number): string {
  return `eval/dsm@${formatSigma(sigma)}`;
}

/** eval/dsm@t=<t> of a time-conditional (SDE) model, t with 4 significant digits. */
export function dsmAtTimeKey(t: number): string {
  return `eval/dsm@t=${formatSigma(t)}`;
}

/** eval/fisher@t=<t> of a time-conditional (SDE) model, t with 4 significant digits (1e-5, 0.1, 1 -> 't=0.00001', 't=0.1', 't=1'). */
export function fisherAtTimeKey(t: number): string {
  return `eval/fisher@t=${formatSigma(t)}`;
}
