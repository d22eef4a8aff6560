/**
 * Sweep expansion: an experiment file -> its runs, in a fixed order. Grid: the cartesian product
 * of the parameter lists in the order the parameters are written (the last one varies fastest);
 * random: `trials` draws from a mulberry32 stream seeded by `searchSeed`, one uniform per
 * parameter per trial in written order. Seeds are the innermost loop in both cases.
 */
import { ConfigError, formatPath, placeIssues, type RawIssue } from './errors';
import { configHash, trainingHash } from './hash';
import { runCountIssue } from './limits';
import { setAt, splitPath } from './paths';
import { mulberry32 } from './prng';
import { parameterValueLabel } from './value-label';
import { checkRunConfig } from './resolve';
import type { ExperimentFile, JsonValue, ParameterValues, ResolvedRunConfig } from './schema';

/** One run of a sweep. */
export interface RunConfig {
  /** The experiment's name. */
  sweep: string;
  /** Position in the expansion, 0-based. */
  index: number;
  /** The swept values of this run: parameter path -> value. */
  params: Record<string, JsonValue>;
  seed: number;
  /** The fully resolved config (defaults filled). */
  config: ResolvedRunConfig;
  /** configHash(config, seed). */
  hash: string;
  /** trainingHash(config, seed): runs that share it share one trained model. */
  trainingHash: string;
}

/** One assignment of every parameter, in written order. */
export type ParameterCombination = [path: string, value: JsonValue][];

/** The choice list of a parameter, or null for a continuous distribution. */
export function parameterChoices(spec: ParameterValues): JsonValue[] | null {
  if (Array.isArray(spec)) return spec;
  if ('values' in spec) return spec.values;
  return null;
}

/** Every parameter combination of the experiment, in expansion order (seeds not included). */
export function parameterCombinations(experiment: ExperimentFile): ParameterCombination[] {
  // Counted as a product before anything is expanded (validation has checked it for files).
  const tooMany = runCountIssue(experiment);
  if (tooMany) throw new ConfigError(placeIssues([tooMany]));
  const entries = Object.entries(experiment.parameters);
  switch (experiment.method) {
    case 'grid': {
      let combos: ParameterCombination[] = [[]];
      for (const [path, spec] of entries) {
        const choices = parameterChoices(spec);
        if (!choices) throw new ConfigError([{ path: `parameters.${path}`, message: 'a distribution needs method: random' }]);
        // Appending each new parameter inside the existing ones makes the last one vary fastest.
        combos = combos.flatMap((combo) => choices.map((v): ParameterCombination => [...combo, [path, v]]));
      }
      return combos;
    }
    case 'random': {
      if (experiment.trials === undefined) throw new ConfigError([{ path: 'trials', message: 'required when method is random' }]);
      const uniform = mulberry32(experiment.searchSeed);
      const combos: ParameterCombination[] = [];
      for (let t = 0; t < experiment.trials; t++) {
        combos.push(entries.map(([path, spec]) => [path, draw(spec, uniform())]));
      }
      return combos;
    }
  }
}

function draw(spec: ParameterValues, u: number): JsonValue {
  const choices = parameterChoices(spec);
  if (choices) return choices[Math.min(choices.length - 1, Math.floor(u * choices.length))];
  const s = spec as Exclude<ParameterValues, JsonValue[] | { values: JsonValue[] }>;
  switch (s.distribution) {
    case 'uniform':
      return s.low + u * (s.high - s.low);
    case 'log-uniform':
      return Math.exp(Math.log(s.low) + u * (Math.log(s.high) - Math.log(s.low)));
  }
}

/** The base with one combination applied (a new object). */
export function applyCombination(base: unknown, combo: ParameterCombination): unknown {
  return combo.reduce((b, [path, value]) => setAt(b, splitPath(path), value), base);
}

export function describeCombination(combo: ParameterCombination): string {
  return combo.map(([path, v]) => `${path}=${parameterValueLabel(v)}`).join(', ');
}

export interface ExpansionFailure {
  combo: ParameterCombination;
  issues: RawIssue[];
}

/** Runs plus the combinations whose resolved config is invalid. */
export function expandRuns(experiment: ExperimentFile): { runs: RunConfig[]; failures: ExpansionFailure[] } {
  const runs: RunConfig[] = [];
  const failures: ExpansionFailure[] = [];
  for (const combo of parameterCombinations(experiment)) {
    let raw: unknown;
    try {
      raw = applyCombination(experiment.base, combo);
    } catch (e) {
      failures.push({ combo, issues: [{ path: [], message: (e as Error).message }] });
      continue;
    }
    const { config, issues } = checkRunConfig(raw);
    if (!config) {
      failures.push({ combo, issues });
      continue;
    }
    for (const seed of experiment.seeds) {
      runs.push({
        sweep: experiment.name,
        index: runs.length,
        params: Object.fromEntries(structuredClone(combo)),
        seed,
        config: structuredClone(config),
        hash: configHash(config, seed),
        trainingHash: trainingHash(config, seed),
      });
    }
  }
  return { runs, failures };
}

/** Issues reported for failing combinations: the first few in full, then a count. */
export function failureIssues(failures: readonly ExpansionFailure[], limit = 5): RawIssue[] {
  const out: RawIssue[] = [];
  for (const f of failures.slice(0, limit)) {
    for (const issue of f.issues) {
      out.push({ path: ['parameters'], key: true, message: `the combination ${describeCombination(f.combo)} is invalid: ${issue.path.length ? `${formatPath(issue.path)}: ` : ''}${issue.message}` });
    }
  }
  if (failures.length > limit) out.push({ path: ['parameters'], key: true, message: `... and ${failures.length - limit} more invalid combinations` });
  return out;
}

/**
 * The runs of an experiment in deterministic order, each with its fully resolved config and
 * hash. Throws ConfigError if some combination of parameter values gives an invalid config
 * (parseExperiment has already ruled that out for files it accepted).
 */
export function expandSweep(experiment: ExperimentFile): RunConfig[] {
  const { runs, failures } = expandRuns(experiment);
  if (failures.length > 0) throw new ConfigError(placeIssues(failureIssues(failures)));
  return runs;
}
