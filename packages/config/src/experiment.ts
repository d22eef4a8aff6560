/**
 * Validation of whole experiment files, in three passes so that every error names what to fix:
 * 1. the file's shape and the base run config (`base.sampler.stepSize: ...`);
 * 2. every swept value on its own, applied to the base (`parameters.sampler.stepSize[2]: ...`);
 * 3. every combination of values (cross-field rules that only two values together break). This
 *    expands the sweep, so `validateSweep` / `parseSweep` return the runs with the experiment and a
 *    sweep is expanded once. Callers that use the base only (`scorelab run`) skip this pass.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, formatPath, type PathSegment, placeIssues, type RawIssue, type SourceLocator } from './errors';
import { expandRuns, failureIssues, type RunConfig } from './expand';
import { canonicalJson } from './hash';
import { runCountIssue, sizeIssues } from './limits';
import { schemaPathProblem, setAt, splitPath } from './paths';
import { checkRunConfig } from './resolve';
import {
  DistributionSchema,
  type ExperimentFile,
  experimentShape,
  type JsonValue,
  type ParameterValues,
  RunConfigObjectSchema,
  type RunConfigInput,
  ValuesSchema,
} from './schema';
import { parseSource } from './source';
import { fromZodIssues } from './zod-issues';

interface ExperimentHead {
  method: 'grid' | 'random';
  trials?: number;
  parameters: Record<string, unknown>;
  seeds: number[];
}

/** Rules between top-level keys, and parameter paths; `shapes` also checks each parameter's value form. */
function experimentRules(exp: ExperimentHead, shapes: boolean): RawIssue[] {
  const issues: RawIssue[] = [];
  if (exp.method === 'random' && exp.trials === undefined) issues.push({ path: ['trials'], at: ['method'], message: 'required when method is random' });
  if (exp.method === 'grid' && exp.trials !== undefined) issues.push({ path: ['trials'], key: true, message: 'only applies to method: random' });
  const entries = Object.entries(exp.parameters);
  if (exp.method === 'random' && entries.length === 0) issues.push({ path: ['parameters'], at: ['method'], message: 'method random needs at least one parameter' });
  for (const [path, spec] of entries) {
    const problem = schemaPathProblem(RunConfigObjectSchema, path);
    if (problem) issues.push({ path: ['parameters', path], key: true, message: problem });
    if (shapes) issues.push(...parameterShapeIssues(exp.method, path, spec));
  }
  const tooMany = runCountIssue(exp);
  if (tooMany) issues.push(tooMany);
  const seen = new Map<number, number>();
  exp.seeds.forEach((seed, i) => {
    if (seen.has(seed)) issues.push({ path: ['seeds', i], message: `duplicate of seeds[${seen.get(seed)}] (${seed})` });
    else seen.set(seed, i);
  });
  return issues;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function duplicateIssues(values: readonly unknown[], prefix: PathSegment[]): RawIssue[] {
  const issues: RawIssue[] = [];
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    // A value JSON cannot hold (NaN, Infinity) is reported by the value checks of pass 2.
    let key: string;
    try {
      key = canonicalJson(v);
    } catch {
      return;
    }
    if (seen.has(key)) issues.push({ path: [...prefix, i], message: `duplicate of [${seen.get(key)}]` });
    else seen.set(key, i);
  });
  return issues;
}

function parameterShapeIssues(method: 'grid' | 'random', path: string, spec: unknown): RawIssue[] {
  const prefix: PathSegment[] = ['parameters', path];
  if (Array.isArray(spec)) {
    if (spec.length === 0) return [{ path: prefix, message: 'must list at least one value' }];
    return duplicateIssues(spec, prefix);
  }
  if (isObject(spec) && 'values' in spec) {
    const r = ValuesSchema.safeParse(spec, { reportInput: true });
    if (!r.success) return fromZodIssues(r.error.issues, prefix, ValuesSchema, spec);
    return duplicateIssues(r.data.values, [...prefix, 'values']);
  }
  if (isObject(spec) && 'distribution' in spec) {
    if (method === 'grid') return [{ path: [...prefix, 'distribution'], key: true, message: 'a distribution needs method: random (a grid takes a list of values)' }];
    const r = DistributionSchema.safeParse(spec, { reportInput: true });
    if (!r.success) return fromZodIssues(r.error.issues, prefix, DistributionSchema, spec);
    const { distribution, low, high } = r.data;
    if (!(low < high)) return [{ path: [...prefix, 'high'], message: `must be greater than low (${low}), got ${high}` }];
    if (distribution === 'log-uniform' && !(low > 0)) return [{ path: [...prefix, 'low'], message: `must be > 0 for log-uniform, got ${low}` }];
    return [];
  }
  const received = spec === null ? 'null' : typeof spec === 'object' ? 'object' : typeof spec;
  return [{ path: prefix, message: `expected a list of values, { values: [...] } or { distribution: uniform | log-uniform, low, high }, received ${received}` }];
}

/** The schema of a whole experiment file (also the source of docs/experiment.schema.json). */
export const ExperimentFileSchema = z
  .strictObject(experimentShape)
  .superRefine((exp, ctx) => {
    for (const issue of experimentRules(exp, false)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }, { when: (payload) => payload.issues.length === 0 })
  .describe('A Scorelab experiment: a base run config and the parameters to sweep (DESIGN.md section 3).');

/** Pass 1 reads the top level with base and parameters left open, so each is checked on its own. */
const ExperimentShellSchema = z.strictObject({
  ...experimentShape,
  base: z.record(z.string(), z.unknown()),
  parameters: z.record(z.string(), z.unknown()).default(() => ({})),
});

/** Each value a parameter can take that can be checked on its own: [where it is written, value]. */
function checkableValues(spec: ParameterValues): [PathSegment[], unknown][] {
  if (Array.isArray(spec)) return spec.map((v, j) => [[j], v]);
  if ('values' in spec) return spec.values.map((v, j) => [['values', j], v]);
  // The ends of a range stand for the whole range (any number between has the same type).
  return [
    [['low'], spec.low],
    [['high'], spec.high],
  ];
}

function startsWith(path: readonly PathSegment[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => String(path[i]) === seg);
}

/**
 * Reports an issue of a run config caused by a value written at `where` for path `segs`: an issue
 * inside the value is reported inside it (`parameters.sampler[1].init.low`), others are named in full.
 */
function attribute(issue: RawIssue, segs: readonly string[], where: PathSegment[]): RawIssue {
  if (startsWith(issue.path, segs)) {
    return { path: [...where, ...issue.path.slice(segs.length)], key: issue.key, message: issue.message };
  }
  return { path: where, message: `${formatPath(issue.path)}: ${issue.message}` };
}

/** Issues of one value applied at `path` of the base, reported at `where` (e.g. `parameters.x[2]`). */
function valueIssues(base: unknown, path: string, value: unknown, where: PathSegment[]): RawIssue[] {
  const segs = splitPath(path);
  let raw: unknown;
  try {
    raw = setAt(base, segs, value);
  } catch (e) {
    return [{ path: where, message: (e as Error).message }];
  }
  return checkRunConfig(raw).issues.map((issue) => attribute(issue, segs, where));
}

export interface ValidateOptions {
  /** false: skip pass 3, the expansion that checks every combination of parameter values (for
   * callers that run the base only); the file, the base and each value are still checked. */
  expand?: boolean;
}

/** A validated experiment with its runs (the expansion that pass 3 checked). */
export interface ValidatedSweep {
  experiment: ExperimentFile;
  runs: RunConfig[];
}

/**
 * Validates experiment data (already parsed from text); `source` adds file positions to errors.
 * Returns the expansion of pass 3 too (null when it is skipped).
 */
function validate(data: unknown, source: (SourceLocator & { fileName?: string }) | undefined, options: ValidateOptions): { experiment: ExperimentFile; runs: RunConfig[] | null } {
  const fail = (issues: RawIssue[]): never => {
    throw new ConfigError(placeIssues(issues, source), source?.fileName);
  };
  if (data === null || data === undefined) fail([{ path: [], message: 'the file is empty' }]);
  // Sizes first: no schema, expansion or clone work on data beyond the documented limits.
  const oversized = sizeIssues(data);
  if (oversized.length > 0) fail(oversized);

  // Pass 1: shape of the file, the base run config, parameter paths and forms.
  const shell = ExperimentShellSchema.safeParse(data, { reportInput: true });
  const issues: RawIssue[] = shell.success ? [] : fromZodIssues(shell.error.issues, [], ExperimentShellSchema, data);
  const baseShapeOk = !issues.some((i) => i.path[0] === 'base');
  if (baseShapeOk && isObject(data)) issues.push(...checkRunConfig(data.base, ['base']).issues);
  if (shell.success) issues.push(...experimentRules(shell.data, true));
  if (issues.length > 0 || !shell.success) return fail(issues);

  const s = shell.data;
  const experiment: ExperimentFile = {
    name: s.name,
    ...(s.description !== undefined ? { description: s.description } : {}),
    base: structuredClone(s.base) as RunConfigInput,
    method: s.method,
    ...(s.trials !== undefined ? { trials: s.trials } : {}),
    searchSeed: s.searchSeed,
    parameters: structuredClone(s.parameters) as Record<string, ParameterValues>,
    seeds: s.seeds,
  };

  // Pass 2: every value on its own.
  for (const [path, spec] of Object.entries(experiment.parameters)) {
    for (const [suffix, value] of checkableValues(spec)) {
      issues.push(...valueIssues(experiment.base, path, value, ['parameters', path, ...suffix]));
    }
  }
  if (issues.length > 0) return fail(issues);

  // Pass 3: every combination (for random search: every drawn trial).
  if (options.expand === false) return { experiment, runs: null };
  const { runs, failures } = expandRuns(experiment);
  if (failures.length > 0) return fail(failureIssues(failures));
  return { experiment, runs };
}

function withRuns(v: { experiment: ExperimentFile; runs: RunConfig[] | null }): ValidatedSweep {
  if (v.runs === null) throw new Error('validation was asked not to expand the sweep');
  return { experiment: v.experiment, runs: v.runs };
}

/** Validates an experiment given as data (e.g. built in code); throws ConfigError. */
export function validateExperiment(data: unknown, fileName?: string, options: ValidateOptions = {}): ExperimentFile {
  return validate(data, dataSource(fileName), options).experiment;
}

/** As validateExperiment, with the runs the validation expanded (so nothing expands the sweep again). */
export function validateSweep(data: unknown, fileName?: string): ValidatedSweep {
  return withRuns(validate(data, dataSource(fileName), {}));
}

function dataSource(fileName: string | undefined): (SourceLocator & { fileName?: string }) | undefined {
  return fileName === undefined ? undefined : { fileName, locate: () => undefined };
}

/**
 * Parses and validates an experiment file's text: YAML or JSON by extension (`.json`,
 * `.yaml`/`.yml`), otherwise by content. Throws ConfigError whose issues carry line:column.
 */
export function parseExperiment(text: string, fileName: string, options: ValidateOptions = {}): ExperimentFile {
  const source = parseSource(text, fileName);
  return validate(source.data, source, options).experiment;
}

/** As parseExperiment, with the runs the validation expanded. */
export function parseSweep(text: string, fileName: string): ValidatedSweep {
  const source = parseSource(text, fileName);
  return withRuns(validate(source.data, source, {}));
}

/**
 * Applies `scorelab run --set path=value` overrides to the base (paths as in `parameters`, values
 * parsed as YAML, so `0.5`, `dsm`, `true`, `[64, 64]` all work). A parameter swept at the same
 * path (or inside it) is pinned by the override and removed from the sweep. `options` as for
 * validateExperiment, which checks the result.
 */
export function applyOverrides(experiment: ExperimentFile, overrides: readonly string[], options: ValidateOptions = {}): ExperimentFile {
  const parameters: Record<string, unknown> = { ...experiment.parameters };
  const issues: RawIssue[] = [];
  const parsed: { path: string; segs: string[]; value: JsonValue }[] = [];
  for (const text of overrides) {
    const eq = text.indexOf('=');
    const path = eq < 0 ? text.trim() : text.slice(0, eq).trim();
    const where: PathSegment[] = [`--set ${path}`];
    if (eq <= 0 || path === '') {
      issues.push({ path: where, message: 'expected path=value' });
      continue;
    }
    const problem = schemaPathProblem(RunConfigObjectSchema, path);
    if (problem) {
      issues.push({ path: where, message: problem });
      continue;
    }
    const valueText = text.slice(eq + 1);
    if (valueText.trim() === '') {
      issues.push({ path: where, message: 'missing value after =' });
      continue;
    }
    let value: JsonValue;
    try {
      value = parseYaml(valueText, { prettyErrors: false }) as JsonValue;
    } catch (e) {
      issues.push({ path: where, message: `cannot parse value: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    const enclosing = Object.keys(parameters).find((p) => path.startsWith(`${p}.`));
    if (enclosing !== undefined) {
      issues.push({ path: where, message: `parameter ${enclosing} sweeps this section as a whole; set ${enclosing} instead` });
      continue;
    }
    parsed.push({ path, segs: splitPath(path), value });
  }
  if (issues.length > 0) throw new ConfigError(placeIssues(issues));

  // All overrides apply together (their order does not matter), then the base is checked once.
  let base: unknown = experiment.base;
  for (const { path, segs, value } of parsed) {
    try {
      base = setAt(base, segs, value);
    } catch (e) {
      issues.push({ path: [`--set ${path}`], message: (e as Error).message });
    }
    for (const p of Object.keys(parameters)) if (p === path || p.startsWith(`${path}.`)) delete parameters[p];
  }
  if (issues.length === 0) {
    for (const issue of checkRunConfig(base).issues) {
      // Blame the override that wrote the offending key, else the only override, else all of them.
      const owner = parsed.filter((o) => startsWith(issue.path, o.segs)).sort((a, b) => b.segs.length - a.segs.length)[0] ?? (parsed.length === 1 ? parsed[0] : undefined);
      if (owner) issues.push(attribute(issue, owner.segs, [`--set ${owner.path}`]));
      else issues.push({ path: [`--set ${parsed.map((o) => o.path).join(', ')}`], message: `${formatPath(issue.path)}: ${issue.message}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(placeIssues(issues));
  return validateExperiment({ ...experiment, base, parameters }, undefined, options);
}
