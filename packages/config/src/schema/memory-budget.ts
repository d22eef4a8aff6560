// An upper bound on the tensors one run holds at once, checked before anything runs: a config that
// cannot fit (train.batchSize: 1e9) is rejected with the key to change instead of growing a worker
// until the machine swaps. The estimate is deliberately generous (docs/experiment-file.md).
import type { DatasetSpec } from './dataset';
import type { EvalSpec } from './eval';
import type { LossSpec } from './loss';
import { TIME_NETWORK_DEFAULTS, type ModelSpec } from './model';
import { noiseLevels, type NoiseSpec } from './noise';
import type { SamplerSpec } from './sampler';
import type { SdeSpec } from './sde';
import type { TrainSpec } from './train';

/** The sections of a run config after their own checks (what the cross-section rules see). */
interface Config {
  dataset: DatasetSpec;
  model: ModelSpec;
  noise?: NoiseSpec;
  sde?: SdeSpec;
  loss?: LossSpec;
  train?: TrainSpec;
  sampler?: SamplerSpec;
  eval?: EvalSpec;
}

/** Tensor memory one run may need by the estimate below: 2 GB (workers are capped at 4 GiB resident). */
export const RUN_TENSOR_BUDGET_BYTES = 2e9;

/** float32 everywhere. */
const BYTES_PER_FLOAT = 4;
/** Copies of a training step's activations alive at once: forward values, their gradients, the
 * second-order terms of sm/ssm, optimiser temporaries. Measured on the tfjs engine: a dsm step of
 * 2e6 rows with hidden [16] (estimate 1.3 GB) peaks at 1.4 GB above the worker's baseline. */
const TRAIN_COPIES = 8;
/** Copies of a forward pass's activations while evaluating or sampling (score, noise, update). */
const FORWARD_COPIES = 4;
/** Rows of one block of the MMD kernel matrix (metrics' BLOCK_ROWS), times the 5 bandwidths. */
const MMD_BLOCK_ENTRIES = 512 * 5;
/** Time points of an sde's eval/fisher (eps, 0.1, ..., 1). */
const SDE_EVAL_POINTS = 11;

/** One term of the estimate: what holds the memory and the key that scales it. */
export interface MemoryTerm {
  what: string;
  bytes: number;
  /** Dotted path of the value the term is proportional to. */
  path: [string, string];
  value: number;
  /** `value` x `perUnit` = bytes: how the term grows with it. */
  perUnit: string;
}

function dataDim(c: Config): number {
  switch (c.dataset.kind) {
    case 'gaussian':
      return c.dataset.dim;
    case 'gmm':
      return c.dataset.means[0].length;
    default:
      return 2;
  }
}

/** Floats per row of one forward pass: input (with the condition), hidden layers, output. */
function activationsPerRow(c: Config, dim: number): number {
  if (c.model.kind === 'analytic') return 4 * dim;
  const condition = c.sde ? 1 + 2 * (c.model.fourierFeatures ?? TIME_NETWORK_DEFAULTS.fourierFeatures) : c.model.conditioning === 'embed' ? 1 : 0;
  return dim + condition + c.model.hidden.reduce((a, b) => a + b, 0) + dim;
}

/**
 * The largest working sets of a run, in bytes: a training step (batchSize rows, times the
 * projections of ssm or the D Jacobian rows of sm), an evaluation (eval.samples points at every
 * noise level or time), sampling (sampler.samples chains and their trajectory snapshots) and the
 * MMD kernel blocks.
 */
export function memoryTerms(c: Config): MemoryTerm[] {
  const dim = dataDim(c);
  const a = activationsPerRow(c, dim);
  const levels = c.sde ? SDE_EVAL_POINTS : c.noise ? noiseLevels(c.noise) : 1;
  const terms: MemoryTerm[] = [];
  if (c.train && c.model.kind !== 'analytic') {
    const rows = c.loss?.kind === 'sm' ? dim : c.loss?.kind === 'ssm' || c.loss?.kind === 'ssm-vr' ? c.loss.projections : c.loss?.kind === 'ml' ? 2 : 1;
    // An energy network's score is its backward pass: twice the activations of the score MLP's forward pass.
    const per = c.model.kind === 'energy' ? 2 * rows : rows;
    const unit = per * a * TRAIN_COPIES * BYTES_PER_FLOAT;
    terms.push({ what: 'a training step', bytes: c.train.batchSize * unit, path: ['train', 'batchSize'], value: c.train.batchSize, perUnit: `${per === 1 ? '' : `${per} rows x `}${a} activations x ${TRAIN_COPIES} copies x 4 bytes` });
  }
  if (c.eval) {
    const nllRows = c.eval.metrics.includes('nll') ? Math.min(dim, 8) : 1;
    const unit = (levels * dim + nllRows * a * FORWARD_COPIES) * BYTES_PER_FLOAT;
    terms.push({ what: 'an evaluation', bytes: c.eval.samples * unit, path: ['eval', 'samples'], value: c.eval.samples, perUnit: `(${levels} levels x ${dim} + ${nllRows * a * FORWARD_COPIES}) floats x 4 bytes` });
  }
  if (c.sampler) {
    const snapshots = Math.max(levels, 10) + 1;
    const unit = (a * FORWARD_COPIES + snapshots * dim + (c.eval ? MMD_BLOCK_ENTRIES : 0)) * BYTES_PER_FLOAT;
    terms.push({ what: 'sampling and its metrics', bytes: c.sampler.samples * unit, path: ['sampler', 'samples'], value: c.sampler.samples, perUnit: `${unit / BYTES_PER_FLOAT} floats x 4 bytes` });
  }
  return terms;
}

/** Estimated peak tensor bytes of a run (the largest term). */
export function estimateRunMemory(c: Config): number {
  return Math.max(0, ...memoryTerms(c).map((t) => t.bytes));
}

function gigabytes(bytes: number): string {
  const gb = bytes / 1e9;
  return gb >= 10 ? `${Math.round(gb)} GB` : `${gb.toPrecision(2)} GB`;
}

/** The cross-section rule: every term within RUN_TENSOR_BUDGET_BYTES, else an issue at the key that scales it. */
export function memoryBudgetRule(c: Config, add: (path: (string | number)[], message: string) => void): void {
  for (const t of memoryTerms(c)) {
    if (t.bytes <= RUN_TENSOR_BUDGET_BYTES) continue;
    const fits = Math.max(1, Math.floor((t.value * RUN_TENSOR_BUDGET_BYTES) / t.bytes));
    add(
      t.path,
      `${t.what} of this run needs about ${gigabytes(t.bytes)} of tensors (${t.value} x ${t.perUnit}), more than the ${gigabytes(RUN_TENSOR_BUDGET_BYTES)} a run may use; use at most ${fits} with this model`,
    );
  }
}
