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
  /** -mean log p_eps(x) over held-out data, nats per sample (SDE runs). */
  nll: 'eval/nll',
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
  nll: { logs: 'eval/nll, the negative log-likelihood of held-out data through the probability-flow ODE, and perf/nll_nfe (sde only)', onSamples: false },
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

/** eval/fisher@t=<t> of a time-conditional (SDE) model, t with 4 significant digits (1e-5, 0.1, 1 -> 't=0.00001', 't=0.1', 't=1'). */
export function fisherAtTimeKey(t: number): string {
  return `eval/fisher@t=${formatSigma(t)}`;
}
