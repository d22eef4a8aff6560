/**
 * Size limits of experiment files (docs/experiment-file.md#limits). They are checked before any
 * expansion work, so an oversized file, a YAML alias bomb or a sweep of millions of runs fails in
 * milliseconds with the dotted path instead of exhausting memory.
 */
import type { PathSegment, RawIssue } from './errors';

export const EXPERIMENT_LIMITS = {
  /** Bytes of an experiment file (1 MiB): hand-written files are a few kB. */
  fileBytes: 1_048_576,
  /** Values in a file (scalars, lists and maps), counted after YAML aliases are expanded. */
  values: 100_000,
  /** Characters of any one string (a `description` is a sentence or a paragraph). */
  stringLength: 10_000,
  /** Items of any one list (parameter values, seeds, noise levels, mixture components, ...). */
  listLength: 10_000,
  /** Runs of one sweep: the product of the grid's list lengths (or `trials`) times the seeds. */
  runs: 10_000,
  /** Levels of nested lists and maps (a run config needs 6: base.dataset.covariances[k][i][j]). */
  depth: 100,
} as const;

const LIMITS_DOC = 'docs/experiment-file.md#limits';

/** 1048576 -> "1,048,576" (limits are easier to read with separators). */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function fileSizeMessage(bytes: number): string {
  return `the file has ${count(bytes)} bytes; an experiment file may have at most ${count(EXPERIMENT_LIMITS.fileBytes)} (1 MiB, ${LIMITS_DOC})`;
}

export function aliasExpansionMessage(): string {
  return `YAML aliases expand the file to more than ${count(EXPERIMENT_LIMITS.values)} values (an alias bomb?); write the values out, at most ${count(EXPERIMENT_LIMITS.values)} (${LIMITS_DOC})`;
}

/** UTF-8 length of `text`, without encoding it when the answer is clear from its length. */
export function utf8Length(text: string): number {
  // A UTF-16 code unit takes 1 to 3 bytes in UTF-8.
  if (text.length * 3 <= EXPERIMENT_LIMITS.fileBytes) return text.length;
  return new TextEncoder().encode(text).length;
}

/**
 * Strings, lists and the number of values of parsed experiment data: the first few offenders, each
 * at its path. Stops walking once the value count is exceeded.
 */
export function sizeIssues(data: unknown, maxIssues = 5): RawIssue[] {
  const issues: RawIssue[] = [];
  let values = 0;
  const visit = (v: unknown, path: PathSegment[]): boolean => {
    if (issues.length >= maxIssues) return false;
    if (path.length > EXPERIMENT_LIMITS.depth) {
      issues.push({ path: path.slice(0, 3), message: `lists and maps are nested more than ${EXPERIMENT_LIMITS.depth} levels deep here; at most ${EXPERIMENT_LIMITS.depth} are allowed (${LIMITS_DOC})` });
      return false;
    }
    if (++values > EXPERIMENT_LIMITS.values) {
      issues.push({ path: [], message: `the file has more than ${count(EXPERIMENT_LIMITS.values)} values; at most ${count(EXPERIMENT_LIMITS.values)} are allowed (${LIMITS_DOC})` });
      return false;
    }
    if (typeof v === 'string') {
      if (v.length > EXPERIMENT_LIMITS.stringLength) {
        issues.push({ path, message: `has ${count(v.length)} characters; a string may have at most ${count(EXPERIMENT_LIMITS.stringLength)} (${LIMITS_DOC})` });
      }
      return true;
    }
    if (Array.isArray(v)) {
      if (v.length > EXPERIMENT_LIMITS.listLength) {
        issues.push({ path, message: `has ${count(v.length)} items; a list may have at most ${count(EXPERIMENT_LIMITS.listLength)} (${LIMITS_DOC})` });
        return true;
      }
      for (let i = 0; i < v.length; i++) if (!visit(v[i], [...path, i])) return false;
      return true;
    }
    if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        if (key.length > EXPERIMENT_LIMITS.stringLength) {
          issues.push({ path, message: `has a key of ${count(key.length)} characters; a string may have at most ${count(EXPERIMENT_LIMITS.stringLength)} (${LIMITS_DOC})` });
          continue;
        }
        if (!visit(child, [...path, key])) return false;
      }
    }
    return true;
  };
  visit(data, []);
  return issues;
}

/** What an experiment's sweep multiplies together; lists only (a grid with a distribution is an error elsewhere). */
interface SweepSize {
  method: 'grid' | 'random';
  trials?: number;
  parameters: Record<string, unknown>;
  seeds: readonly unknown[];
}

function choiceCount(spec: unknown): number | null {
  if (Array.isArray(spec)) return spec.length;
  if (typeof spec === 'object' && spec !== null && Array.isArray((spec as { values?: unknown }).values)) return (spec as { values: unknown[] }).values.length;
  return null;
}

/** The number of runs the sweep would expand to, as a product (nothing is expanded); null when it cannot be told. */
export function sweepRunCount(exp: SweepSize): number | null {
  if (exp.method === 'random') return exp.trials === undefined ? null : exp.trials * exp.seeds.length;
  let combos = 1;
  for (const spec of Object.values(exp.parameters)) {
    const n = choiceCount(spec);
    if (n === null) return null;
    combos *= n;
  }
  return combos * exp.seeds.length;
}

/** An issue when the sweep has more runs than EXPERIMENT_LIMITS.runs, naming the factors. */
export function runCountIssue(exp: SweepSize): RawIssue | null {
  const runs = sweepRunCount(exp);
  if (runs === null || runs <= EXPERIMENT_LIMITS.runs) return null;
  const seeds = `${exp.seeds.length} seed${exp.seeds.length === 1 ? '' : 's'}`;
  const limit = `a sweep may have at most ${count(EXPERIMENT_LIMITS.runs)} runs (${LIMITS_DOC}): sweep fewer values or split the experiment`;
  if (exp.method === 'random') return { path: ['trials'], message: `${count(exp.trials ?? 0)} trials x ${seeds} = ${count(runs)} runs; ${limit}` };
  const factors = Object.values(exp.parameters).map((spec) => count(choiceCount(spec) ?? 0));
  return { path: ['parameters'], key: true, message: `${[...factors, seeds].join(' x ')} = ${count(runs)} runs; ${limit}` };
}
