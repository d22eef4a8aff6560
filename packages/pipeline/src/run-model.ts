/**
 * The model of one run and how it is trained: the dataset, the noise family (noise levels or an
 * sde), the exact perturbed score (datasets with a known density only), and the score network (null
 * for the analytic model), built from the resolved config and the run's seed streams. Tools that need
 * a run's trained network (e.g. to sample it with another score) build it here, so they train exactly
 * as the runner does.
 */
import {
  FusedTrainer,
  createFusedNetwork,
  createNetwork,
  exactScore,
  kernelsAvailable,
  noiseFamily,
  type FusedNetwork,
  type Network,
  type NoiseFamily,
  type ScoreFn,
} from '@scorelab/core';
import { createDataset, hasExactDensity, type DataPoints, type Dataset, type EmpiricalDataset } from '@scorelab/datasets';
import { createLoss } from '@scorelab/losses';
import type { MlpModelSpec, ResolvedRunConfig } from '@scorelab/config';
import { dataBox, trainingDivergenceAdvice } from './divergence';
import type { RunHooks } from './hooks';
import { MaximumLikelihoodTrainer } from './ml-training';
import { checkpointing, type TrainingStart } from './model-checkpoints';
import { runRngs, type RunRngs } from './rngs';
import { trainLoop } from './train-loop';

/** What computes the network: the fused wasm kernels (@scorelab/kernels) or the tfjs backend (the reference). */
export type Engine = 'fused' | 'tfjs';
/** model.engine as written, or `auto`. */
export type EngineChoice = NonNullable<MlpModelSpec['engine']>;
const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'fused', 'tfjs'];

/**
 * The default engine of runs whose config does not name one: the SCORELAB_ENGINE environment variable
 * where there is a process environment (Node), else auto. Read without importing a Node API, so the
 * pipeline still runs in a browser.
 */
export function defaultEngineChoice(): EngineChoice {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SCORELAB_ENGINE;
  if (value === undefined || value === '') return 'auto';
  const choice = ENGINE_CHOICES.find((c) => c === value);
  if (!choice) throw new Error(`SCORELAB_ENGINE must be one of ${ENGINE_CHOICES.join(', ')}, got '${value}'`);
  return choice;
}

/**
 * The engine a run's model uses: null for the analytic model (no network); model.engine, else `choice`
 * (default: defaultEngineChoice()). auto is fused wherever the kernels load and apply (every mlp model: all
 * activations, conditionings, losses, projections and both optimisers are fused), else tfjs; an
 * explicit fused fails when they cannot load (wasm SIMD missing). Energy networks and train.clipGradNorm
 * have no fused path yet: auto (or a fused default from SCORELAB_ENGINE) is tfjs for them, an explicit
 * model.engine fused is refused (the config rules refuse it first).
 */
export function resolveEngine(config: ResolvedRunConfig, choice: EngineChoice = defaultEngineChoice()): Engine | null {
  const { model } = config;
  if (model.kind === 'analytic') return null;
  const noFusedPath = model.kind === 'energy' ? 'energy networks' : config.train?.clipGradNorm !== undefined ? 'train.clipGradNorm' : null;
  if (noFusedPath) {
    if (model.engine === 'fused') throw new Error(`model.engine fused: ${noFusedPath} have no fused path (docs/numerics.md); use model.engine tfjs`);
    return 'tfjs';
  }
  const wanted = model.engine ?? choice;
  switch (wanted) {
    case 'tfjs':
      return 'tfjs';
    case 'fused':
      if (!kernelsAvailable()) throw new Error('model.engine fused: the wasm kernels cannot load here (this JavaScript engine lacks WebAssembly SIMD); use model.engine tfjs');
      return 'fused';
    case 'auto':
      return kernelsAvailable() ? 'fused' : 'tfjs';
  }
}

/** What every run's model has, whatever its dataset. */
interface RunModelParts {
  readonly config: ResolvedRunConfig;
  /** The engine the network runs on (resolveEngine); null for the analytic model. */
  readonly engine: Engine | null;
  readonly rngs: RunRngs;
  readonly family: NoiseFamily;
  /** The trained network (the score MLP or the energy network, model.kind); null for the analytic model. */
  readonly network: Network | null;
  /**
   * The network's tfjs score (differentiable; its tf.Variables hold the trained weights once training
   * returns), or the exact one. What needs gradients through the score (eval/nll, eval/ssm) calls this.
   */
  readonly score: ScoreFn;
  /** What forward-only callers use (samplers, eval/fisher, eval/dsm): the fused kernels' score on the fused engine, else `score`. */
  readonly forwardScore: ScoreFn;
  /** The kernel network on the fused engine, else null. */
  readonly fused: FusedNetwork | null;
  dispose(): void;
}

/** The model of a run on a dataset with a known density (every kind but digits and file). */
export interface RunModel extends RunModelParts {
  readonly dataset: Dataset;
  /** The exact perturbed score under the family (the `analytic` model, and the reference of eval/fisher). */
  readonly exact: ScoreFn;
}

/** The model of a run on data points without a known density (digits, file): no exact score, always a network. */
export interface DataRunModel extends RunModelParts {
  readonly dataset: EmpiricalDataset;
  readonly exact: null;
}

/** The model of any run. */
export type AnyRunModel = RunModel | DataRunModel;

/** Whether the run's dataset has a known density (then `exact` is its perturbed score). */
export function isDensityRunModel(model: AnyRunModel): model is RunModel {
  return model.exact !== null;
}

export interface BuildRunModelOptions {
  /** Default: resolveEngine(config). */
  engine?: Engine | null;
  /** A file dataset's rows, as the runner read them (loadFileDataset); needed for dataset.kind file only. */
  points?: DataPoints;
}

/**
 * The run's model before training, for any dataset: weights initialised from the seed's init stream (the same
 * weights on both engines: the fused network copies the tfjs network's).
 */
export function buildAnyRunModel(config: ResolvedRunConfig, seed: number, options: BuildRunModelOptions = {}): AnyRunModel {
  const engine = options.engine === undefined ? resolveEngine(config) : options.engine;
  const rngs = runRngs(seed);
  const dataset = createDataset(config.dataset, options.points);
  const family = noiseFamily(config);
  const exact = hasExactDensity(dataset) ? exactScore(dataset, family) : null;
  if (!exact && config.model.kind === 'analytic') throw new Error(`model analytic is the exact score, and dataset ${config.dataset.kind} has no known density`);
  const network = config.model.kind === 'analytic' ? null : createNetwork(config.model, dataset.dim, family, rngs.init);
  const fused = network?.kind === 'mlp' && engine === 'fused' ? createFusedNetwork(network, family) : null;
  const score = network?.score ?? exact!;
  const parts: RunModelParts = {
    config,
    engine: network ? engine : null,
    rngs,
    family,
    network,
    score,
    forwardScore: fused?.score ?? score,
    fused,
    dispose: () => {
      fused?.dispose();
      network?.dispose();
    },
  };
  return hasExactDensity(dataset) ? { ...parts, dataset, exact: exact! } : { ...parts, dataset, exact: null };
}

/**
 * The run's model before training, for a dataset with a known density (its exact score included); digits and
 * file runs are refused (buildAnyRunModel builds them). `engine` defaults to resolveEngine(config).
 */
export function buildRunModel(config: ResolvedRunConfig, seed: number, engine: Engine | null = resolveEngine(config)): RunModel {
  const model = buildAnyRunModel(config, seed, { engine });
  if (!isDensityRunModel(model)) {
    model.dispose();
    throw new Error(`dataset ${config.dataset.kind} has no known density: build its model with buildAnyRunModel`);
  }
  return model;
}

/**
 * Train the network with the config's loss and train sections (a no-op for the analytic model),
 * calling `evaluate(step)` every eval.every steps and after the last. Returns the number of steps.
 */
export async function trainRunModel(model: AnyRunModel, hooks: RunHooks, evaluate: ((step: number) => void) | null = null, start: TrainingStart | null = null): Promise<number> {
  const { config, network, dataset, rngs, family, fused } = model;
  if (!network || !config.train || !config.loss) return 0;
  const trainSpec = config.train;
  const sample = () => dataset.sample(trainSpec.batchSize, rngs.data);
  const ml = config.loss.kind === 'ml' ? maximumLikelihoodTrainer(model, hooks) : null;
  const loss = ml ? null : createLoss(config.loss, family);
  // On the fused engine the kernel holds the weights while training: the tf.Variables are brought up to
  // date before every evaluation (eval/nll differentiates the tfjs network) and when training ends.
  const trainer = fused ? new FusedTrainer({ fused, loss: config.loss, family, sample, rng: rngs.loss, optimizer: trainSpec.optimizer, lr: trainSpec.lr }) : (ml ?? undefined);
  try {
    await trainLoop(
      {
        train: trainSpec,
        params: network.params,
        objective: () => {
          if (!loss) throw new Error('loss ml steps through its MaximumLikelihoodTrainer, not an objective');
          return loss(network.score, sample(), rngs.loss);
        },
        evaluate: evaluate && fused ? (step) => (fused.pushWeights(), evaluate(step)) : evaluate,
        evalEvery: config.eval?.every ?? trainSpec.steps,
        trainer,
        divergenceAdvice: () => trainingDivergenceAdvice(config, family, dataBox(dataset, rngs.range)),
        // Checkpoints through hooks.checkpoint, and the start from one (model-checkpoints.ts).
        ...checkpointing({ network, fused, rngs, replayBuffer: ml?.replayBuffer ?? null }, trainSpec, trainer, hooks, start),
      },
      hooks,
    );
  } finally {
    fused?.pushWeights();
  }
  return trainSpec.steps;
}

/**
 * The trainer of loss ml (energy networks only). Noise negatives (init noise, and the persistent buffer's fill and
 * reinitialisation) are uniform on the data's bounding box, measured once from the range stream.
 */
function maximumLikelihoodTrainer(model: AnyRunModel, hooks: RunHooks): MaximumLikelihoodTrainer {
  const { config, network, dataset, rngs } = model;
  if (network?.kind !== 'energy') throw new Error(`loss ml needs model.kind energy, got ${config.model.kind}`);
  const train = config.train!;
  const box = config.loss!.negatives?.init === 'data' ? null : dataBox(dataset, rngs.range);
  return new MaximumLikelihoodTrainer({ network, family: model.family, loss: config.loss!, train, sample: () => dataset.sample(train.batchSize, rngs.data), rng: rngs.loss, box, hooks });
}

/** Hooks that record nothing and never stop: for scripts that only want the numbers a run computes. */
export const SILENT_HOOKS: RunHooks = { log: () => {}, progress: () => {}, artifact: () => {}, shouldStop: () => false };
