/** Running the real `scorelab` CLI in child processes, with a temporary directory per test. */
import { openStore, type RunStore } from '@scorelab/tracking';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../bin/scorelab.js', import.meta.url));
export const TINY_YAML = join(REPO_ROOT, 'experiments/tiny.yaml');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to the environment (e.g. SCORELAB_HEARTBEAT_TIMEOUT_MS for the fault tests). */
  env?: Record<string, string>;
  /** Start the CLI as the leader of its own process group (so a test can kill -9 the whole group). */
  detached?: boolean;
}

export function startCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  // stdout/stderr are pipes: the CLI uses its non-TTY progress mode.
  return spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
    detached: options.detached ?? false,
  });
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return collect(startCli(args, options));
}

/** Resolves once `predicate` holds for the JSON events the CLI has printed so far on stdout. */
export function waitForEvents(child: ChildProcess, predicate: (events: Record<string, any>[]) => boolean, timeoutMs = 60_000): Promise<Record<string, any>[]> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`the expected events did not come within ${timeoutMs / 1000} s:\n${buf}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const events = jsonEvents(buf);
      if (predicate(events)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(events);
      }
    };
    child.stdout!.on('data', onData);
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`the CLI exited before the expected events:\n${buf}`));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface TempDir {
  path: string;
  file(name: string): string;
  write(name: string, text: string): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'scorelab-runner-'));
  return {
    path,
    file: (name) => join(path, name),
    write(name, text) {
      const f = join(path, name);
      writeFileSync(f, text);
      return f;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/**
 * A tiny experiment file: a 2-D mixture, a one-layer MLP, three noise levels; `train` and
 * `parameters` are given as YAML flow text so each test says what it sweeps.
 */
export function tinyExperiment(o: { name: string; train: string; parameters: string; seeds?: string; eval?: string; samples?: number }): string {
  return `name: ${o.name}
base:
  dataset: { kind: mog2d-weighted }
  model: { kind: mlp, hidden: [16] }
  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }
  loss: { kind: dsm }
  train: ${o.train}
  sampler: { kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: ${o.samples ?? 100}, init: { kind: uniform, low: -8, high: 8 } }
  eval: ${o.eval ?? '{ metrics: [mmd], samples: 100 }'}
parameters:
${o.parameters}
seeds: ${o.seeds ?? '[0]'}
`;
}

/** JSON-lines events from a --json stdout (partial last line ignored). */
export function jsonEvents(stdout: string): Record<string, any>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{') && l.endsWith('}'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** RFC 4180 CSV (quoted fields with doubled quotes and line breaks) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Opens the store read-only for `body` and closes it again. */
export async function withStore<T>(db: string, body: (s: RunStore) => Promise<T>): Promise<T> {
  const store = await openStore(db, { readonly: true });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}
