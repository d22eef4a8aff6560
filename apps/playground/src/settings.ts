/**
 * What the playground's controls set, and the run config it stands for. The config is built as an
 * experiment file's `base` (RunConfigInput) and resolved by @scorelab/config exactly as the CLI does,
 * so "Copy as experiment file" writes the YAML that `scorelab sweep` runs with the same numbers.
 */
import { stringify } from 'yaml';
import {
  ACTIVATIONS,
  CONDITIONINGS,
  LOSS_KINDS,
  SDE_KINDS,
  TOY_DATASET_KINDS,
  resolveRunConfig,
  type ResolvedRunConfig,
  type RunConfigInput,
} from '@scorelab/config';

/** Every 2-D toy with an exact density: the weighted mixture of the NCSN toy and the TOY_DATASET_KINDS. */
export const PLAYGROUND_DATASETS = ['mog2d-weighted', ...TOY_DATASET_KINDS] as const;
export const PLAYGROUND_MODELS = ['mlp', 'energy'] as const;
export const PLAYGROUND_SAMPLERS = ['langevin', 'ald', 'pc', 'ode'] as const;
/** levels: NCSN noise levels (noise:); sde: a score SDE (sde:); the two ends of one noise family. */
export const NOISE_MODES = ['levels', 'sde'] as const;
export const PLAYGROUND_ENGINES = ['auto', 'fused', 'tfjs'] as const;
export { ACTIVATIONS, CONDITIONINGS, LOSS_KINDS, SDE_KINDS };

export interface PlaygroundSettings {
  name: string;
  dataset: (typeof PLAYGROUND_DATASETS)[number];
  model: (typeof PLAYGROUND_MODELS)[number];
  /** Hidden widths, e.g. [128, 128]. */
  hidden: number[];
  activation: (typeof ACTIVATIONS)[number];
  conditioning: (typeof CONDITIONINGS)[number];
  engine: (typeof PLAYGROUND_ENGINES)[number];
  loss: (typeof LOSS_KINDS)[number];
  noiseMode: (typeof NOISE_MODES)[number];
  sigmaMax: number;
  sigmaMin: number;
  levels: number;
  sde: (typeof SDE_KINDS)[number];
  lr: number;
  batchSize: number;
  steps: number;
  logEvery: number;
  /** Evaluate eval/fisher (per level) every this many steps. */
  evalEvery: number;
  evalSamples: number;
  sampler: (typeof PLAYGROUND_SAMPLERS)[number];
  /** Langevin / ald step size (pc uses snr, ode none). */
  stepSize: number;
  /** langevin: steps; ald: steps per level; pc and ode (euler): time steps. */
  samplerSteps: number;
  samples: number;
  seed: number;
}

export const DEFAULT_SETTINGS: PlaygroundSettings = {
  name: 'playground',
  dataset: 'rings',
  model: 'mlp',
  hidden: [128, 128],
  activation: 'softplus',
  conditioning: 'embed',
  engine: 'auto',
  loss: 'dsm',
  noiseMode: 'levels',
  sigmaMax: 3,
  sigmaMin: 0.1,
  levels: 10,
  sde: 've',
  lr: 0.003,
  batchSize: 128,
  steps: 2000,
  logEvery: 25,
  evalEvery: 250,
  evalSamples: 500,
  sampler: 'ald',
  stepSize: 0.002,
  samplerSteps: 50,
  samples: 500,
  seed: 0,
};

/** The settings as an experiment file's base run config (the sweep's only run). */
export function runConfigInput(s: PlaygroundSettings): RunConfigInput {
  const ml = s.loss === 'ml';
  // ml is single-scale (contrastive divergence on clean data); every other objective uses the noise family.
  const useSde = !ml && s.noiseMode === 'sde';
  const noiseKeys = ml ? {} : useSde ? { sde: sdeInput(s) } : { noise: { schedule: 'geometric' as const, sigmaMax: s.sigmaMax, sigmaMin: s.sigmaMin, levels: s.levels } };
  const model = { kind: s.model, hidden: s.hidden, activation: s.activation, conditioning: ml ? ('none' as const) : s.conditioning, ...(s.engine === 'auto' ? {} : { engine: s.engine }) };
  const metrics: ('fisher' | 'mmd' | 'swd' | 'modeWeights')[] = ['fisher', 'mmd', 'swd'];
  return {
    dataset: { kind: s.dataset },
    model,
    ...noiseKeys,
    loss: { kind: s.loss },
    train: { steps: s.steps, batchSize: s.batchSize, optimizer: 'adam', lr: s.lr, logEvery: s.logEvery },
    sampler: samplerInput(s, useSde, ml),
    eval: { every: s.evalEvery, metrics, samples: s.evalSamples },
  };
}

function sdeInput(s: PlaygroundSettings) {
  return s.sde === 've' ? { kind: 've' as const, sigmaMin: s.sigmaMin, sigmaMax: s.sigmaMax } : { kind: s.sde };
}

/**
 * The sampler section; a sampler that does not fit the noise family is replaced by the nearest one that does.
 * `ml`: a single-scale run (clean data), sampled by plain Langevin.
 */
export function samplerInput(s: PlaygroundSettings, useSde: boolean, ml: boolean): NonNullable<RunConfigInput['sampler']> {
  const kind = effectiveSampler(s.sampler, useSde, ml);
  const init = { kind: 'uniform' as const, low: -4, high: 4 };
  switch (kind) {
    case 'langevin':
      return { kind, stepSize: s.stepSize, steps: s.samplerSteps, samples: s.samples, init, convention: 'half' };
    case 'ald':
      return { kind, stepSize: s.stepSize, stepsPerLevel: s.samplerSteps, samples: s.samples, init, convention: 'half' };
    case 'pc':
      return { kind, steps: s.samplerSteps, samples: s.samples };
    case 'ode':
      return { kind, method: 'euler', steps: s.samplerSteps, samples: s.samples };
  }
}

/** ald needs noise levels, pc and ode an sde, and ml (one level) plain Langevin. */
export function effectiveSampler(kind: PlaygroundSettings['sampler'], useSde: boolean, ml: boolean): PlaygroundSettings['sampler'] {
  if (ml) return 'langevin';
  if (useSde) return kind === 'langevin' || kind === 'ald' ? 'pc' : kind;
  return kind === 'pc' || kind === 'ode' ? 'ald' : kind;
}

/** The resolved config the worker runs (ConfigError, with dotted paths, if the settings are not a valid run). */
export function resolvedConfig(s: PlaygroundSettings): ResolvedRunConfig {
  return resolveRunConfig(runConfigInput(s));
}

/** The settings as an experiment file that `scorelab sweep --config FILE` (and `scorelab run`) accepts unchanged. */
export function experimentYaml(s: PlaygroundSettings): string {
  const file = {
    name: s.name,
    description: `Exported from the playground: ${s.loss} on ${s.dataset}, seed ${s.seed}.`,
    base: runConfigInput(s),
    method: 'grid',
    parameters: {},
    seeds: [s.seed],
  };
  return `# Exported from the Scorelab playground (docs/playground.md).\n# Run it: npx scorelab sweep --config THIS_FILE\n${stringify(file)}`;
}
