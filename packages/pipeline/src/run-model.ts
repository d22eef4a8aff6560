/**
 * The model of one run and how it is trained: the dataset, the noise family (noise levels or an
 * sde), the exact perturbed score, and the score network (null for the analytic model), built from
 * the resolved config and the run's seed streams. Tools that need a run's trained network (e.g.
 * to sample it with another score) build it here, so they train exactly as the runner does.
 */
import { createScoreNetwork, exactScore, noiseFamily, type NoiseFamily, type ScoreFn, type ScoreNetwork } from '@scorelab/core';
import { createDataset, type Dataset } from '@scorelab/datasets';
import { createLoss } from '@scorelab/losses';
import type { ResolvedRunConfig } from '@scorelab/config';
import type { RunHooks } from './hooks';
import { runRngs, type RunRngs } from './rngs';
import { trainLoop } from './train-loop';

export interface RunModel {
  readonly config: ResolvedRunConfig;
  readonly rngs: RunRngs;
  readonly dataset: Dataset;
  readonly family: NoiseFamily;
  /** The exact perturbed score under the family (the `analytic` model, and the reference of eval/fisher). */
  readonly exact: ScoreFn;
  /** The trained network; null for the analytic model. */
  readonly network: ScoreNetwork | null;
  /** What samplers and metrics call: the network's score, or the exact one. */
  readonly score: ScoreFn;
  dispose(): void;
}

/** The run's model before training: weights initialised from the seed's init stream. */
export function buildRunModel(config: ResolvedRunConfig, seed: number): RunModel {
  const rngs = runRngs(seed);
  const dataset = createDataset(config.dataset);
  const family = noiseFamily(config);
  const exact = exactScore(dataset, family);
  const network = config.model.kind === 'mlp' ? createScoreNetwork(config.model, dataset.dim, family, rngs.init) : null;
  return { config, rngs, dataset, family, exact, network, score: network?.score ?? exact, dispose: () => network?.dispose() };
}

/**
 * Train the network with the config's loss and train sections (a no-op for the analytic model),
 * calling `evaluate(step)` every eval.every steps and after the last. Returns the number of steps.
 */
export async function trainRunModel(model: RunModel, hooks: RunHooks, evaluate: ((step: number) => void) | null = null): Promise<number> {
  const { config, network, dataset, rngs, family } = model;
  if (!network || !config.train || !config.loss) return 0;
  const trainSpec = config.train;
  const loss = createLoss(config.loss, family);
  await trainLoop(
    {
      train: trainSpec,
      params: network.params,
      objective: () => loss(network.score, dataset.sample(trainSpec.batchSize, rngs.data), rngs.loss),
      evaluate,
      evalEvery: config.eval?.every ?? trainSpec.steps,
    },
    hooks,
  );
  return trainSpec.steps;
}

/** Hooks that record nothing and never stop: for scripts that only want the numbers a run computes. */
export const SILENT_HOOKS: RunHooks = { log: () => {}, progress: () => {}, artifact: () => {}, shouldStop: () => false };
