/**
 * What to run, worked out before the store is touched: the experiment file is read, validated and
 * expanded here, so every bad input is reported with nothing written (exit code 2). Validation
 * expands the sweep to check every combination and hands back those runs: a sweep is expanded
 * once. `run` does not expand the file's parameters at all. A `file` dataset is read here too (its
 * path, its parsing, its sha256 pinned into the runs' configs), so a bad data file is also exit 2.
 */
import { ConfigError, applyOverrides, loadExperimentFile, loadSweep, validateSweep, type ExperimentFile, type JsonValue, type RunConfig } from '@scorelab/config';
import type { JsonObject } from '@scorelab/tracking';
import { UsageError } from './errors';
import { pinFileDatasets } from './file-dataset';

export interface SweepPlan {
  kind: 'sweep' | 'run';
  /** Sweeps of this family are named `family`, `family-2`, `family-3`, ... */
  family: string;
  experiment: ExperimentFile;
  runs: RunConfig[];
  filePath: string;
  description?: string;
  /** What the sweep row stores as its config: the experiment as parsed (for `run`: the one-run experiment). */
  storedConfig: JsonObject;
}

function experimentJson(e: ExperimentFile): JsonObject {
  return JSON.parse(JSON.stringify(e)) as JsonObject;
}

/** An invalid experiment (file, values, combinations, overrides) is bad input: exit 2. */
function asUsageError<T>(make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`invalid experiment:\n${e.message.replace(/^/gm, '  ')}`);
    throw e;
  }
}

/** `scorelab sweep`: the whole experiment file. */
export function sweepPlan(filePath: string): SweepPlan {
  return asUsageError(() => makeSweepPlan(filePath));
}

export function runPlan(filePath: string, overrides: readonly string[], seed: number | undefined): SweepPlan {
  return asUsageError(() => makeRunPlan(filePath, overrides, seed));
}

function makeSweepPlan(filePath: string): SweepPlan {
  const { experiment, runs: expanded } = loadSweep(filePath);
  const runs = pinFileDatasets(expanded, filePath);
  return { kind: 'sweep', family: experiment.name, experiment, runs, filePath, description: experiment.description, storedConfig: experimentJson(experiment) };
}

/**
 * `scorelab run`: one run of the file's base config with the --set overrides applied, with `seed`
 * (default: the file's first seed). Its parameters are ignored; it is stored as a one-run sweep of
 * the family `<name>-run`.
 */
function makeRunPlan(filePath: string, overrides: readonly string[], seed: number | undefined): SweepPlan {
  // Validated except for its combinations: the grid that `run` ignores is not expanded.
  const file = loadExperimentFile(filePath, { expand: false });
  const withOverrides = overrides.length > 0 ? applyOverrides(file, overrides, { expand: false }) : file;
  const sets = overrides.length > 0 ? ` with ${overrides.map((o) => `--set ${o}`).join(' ')}` : '';
  const description = `scorelab run of ${file.name}${sets}`;
  const { experiment, runs: [run] } = validateSweep({ name: file.name, description, base: withOverrides.base, method: 'grid', parameters: {}, seeds: [seed ?? file.seeds[0]] }, filePath);
  // The overridden values, as resolved, are the run's params (what `ls` and the dashboard show).
  const runs = pinFileDatasets([{ ...run, params: Object.fromEntries(overridePaths(overrides).map((path) => [path, valueAt(run.config, path)])) }], filePath);
  return { kind: 'run', family: `${file.name}-run`, experiment, runs, filePath, description, storedConfig: experimentJson(experiment) };
}

function overridePaths(overrides: readonly string[]): string[] {
  return [...new Set(overrides.map((o) => o.slice(0, o.indexOf('=')).trim()))];
}

function valueAt(config: unknown, path: string): JsonValue {
  let v: unknown = config;
  for (const key of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return (v ?? null) as JsonValue;
}
