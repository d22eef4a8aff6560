/** A step of a path into a config: an object key or an array index. */
export type PathSegment = string | number;

/** One problem in an experiment file, as reported to users. */
export interface ConfigIssue {
  /** Dotted path with array indices in brackets: `base.eval.metrics[3]`, `parameters.sampler.stepSize[2]`. */
  path: string;
  message: string;
  /** 1-based position in the source file, when the config came from text. */
  line?: number;
  column?: number;
}

/** Thrown for any invalid experiment file, parameter or override; `message` lists one issue per line. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  readonly fileName?: string;

  constructor(issues: ConfigIssue[], fileName?: string) {
    super(issues.map((issue) => formatIssue(issue, fileName)).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
    this.fileName = fileName;
  }
}

/** `['base', 'eval', 'metrics', 3]` -> `base.eval.metrics[3]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** `FILE:LINE:COL path: message` (parts that are unknown are left out). */
export function formatIssue(issue: ConfigIssue, fileName?: string): string {
  const position = issue.line !== undefined ? `${issue.line}:${issue.column ?? 1}` : '';
  const location = fileName ? (position ? `${fileName}:${position}` : fileName) : position;
  const path = issue.path ? `${issue.path}: ` : '';
  return `${location ? `${location} ` : ''}${path}${issue.message}`;
}

/**
 * An issue before it is placed in the source: `path` is what the user reads, `at` is the node
 * whose position is reported (defaults to `path`), `key` points at the key instead of the value.
 */
export interface RawIssue {
  path: PathSegment[];
  message: string;
  at?: PathSegment[];
  key?: boolean;
}

/** Maps a path in the parsed data to its position in the source text. */
export interface SourceLocator {
  locate(path: readonly PathSegment[], key?: boolean): { line: number; column: number } | undefined;
}

/** Turns raw issues into user-facing ones, with positions when a source is known, sorted by position. */
export function placeIssues(raw: readonly RawIssue[], source?: SourceLocator): ConfigIssue[] {
  const placed = raw.map((issue) => {
    const out: ConfigIssue = { path: formatPath(issue.path), message: issue.message };
    const pos = source?.locate(issue.at ?? issue.path, issue.key);
    if (pos) {
      out.line = pos.line;
      out.column = pos.column;
    }
    return out;
  });
  const seen = new Set<string>();
  const unique = placed.filter((issue) => {
    const id = `${issue.line}:${issue.column}:${issue.path}:${issue.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  // Stable sort: positioned issues in file order, then the rest in discovery order.
  return unique
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => {
      const la = a.issue.line ?? Infinity;
      const lb = b.issue.line ?? Infinity;
      if (la !== lb) return la - lb;
      const ca = a.issue.column ?? 0;
      const cb = b.issue.column ?? 0;
      return ca !== cb ? ca - cb : a.i - b.i;
    })
    .map(({ issue }) => issue);
}
