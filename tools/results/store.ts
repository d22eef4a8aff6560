/**
 * What every result script shares: command-line flags, finding the latest sweep of an experiment
 * in the store, reading its finished runs, a provenance line, and writing SVGs to docs/img.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetSchema, NoiseSchema, type DatasetSpec, type NoiseSpec } from '@scorelab/config';
import { openStore, type ExportRecord, type RunStore, type RunSummary, type SweepSummary } from '@scorelab/tracking';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The value of `--name VALUE` (or `--name=VALUE`), or undefined. */
export function flag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new Error(`--${name} needs a value`);
      return argv[i + 1];
    }
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return undefined;
}

export function hasFlag(argv: readonly string[], name: string): boolean {
  return argv.includes(`--${name}`);
}

/** Rejects flags the script does not know, so a typo does not silently fall back to a default. */
export function checkFlags(argv: readonly string[], known: readonly string[], usage: string): void {
  for (const a of argv) {
    if (!a.startsWith('--')) continue;
    const name = a.slice(2).split('=')[0];
    if (name === 'help') {
      console.log(usage);
      process.exit(0);
    }
    if (!known.includes(name)) {
      console.error(`unknown flag --${name}\n${usage}`);
      process.exit(2);
    }
  }
}

export interface CommonArgs {
  db: string;
  /** Where SVGs go, or null with --no-img. */
  imgDir: string | null;
}

export function commonArgs(argv: readonly string[]): CommonArgs {
  return {
    db: flag(argv, 'db') ?? 'runs/results.db',
    imgDir: hasFlag(argv, 'no-img') ? null : resolve(flag(argv, 'img') ?? join(REPO_ROOT, 'docs/img')),
  };
}

export async function openResults(db: string): Promise<RunStore> {
  try {
    return await openStore(db, { readonly: true });
  } catch (e) {
    throw new Error(`cannot open the store ${db}: ${e instanceof Error ? e.message : String(e)}\nRun the sweeps first (see docs/results.md).`);
  }
}

/**
 * The sweep to read: `explicit` (a name or an id) when given, otherwise the latest sweep made from
 * the experiment `name` (`name`, `name-2`, `name-3`, ...: the runner's naming of repeated sweeps).
 */
export async function resolveSweep(store: RunStore, name: string, explicit: string | undefined, db: string): Promise<SweepSummary> {
  if (explicit !== undefined) {
    const s = await store.getSweep(explicit);
    if (!s) throw new Error(`no sweep ${explicit} in ${db}`);
    return s;
  }
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-\\d+)?$`);
  const matches = (await store.listSweeps()).filter((s) => pattern.test(s.name));
  if (matches.length === 0) {
    throw new Error(`no sweep named ${name} in ${db}; run: npx scorelab sweep --config experiments/${name}.yaml --db ${db} --workers 2 --quiet`);
  }
  return matches.reduce((a, b) => (b.id > a.id ? b : a));
}

export interface SweepRuns {
  sweep: SweepSummary;
  /** Finished runs only, in expansion order. */
  records: ExportRecord[];
  summaries: RunSummary[];
}

/** The finished runs of a sweep; a note on stderr says how many others there are. */
export async function finishedRuns(store: RunStore, sweep: SweepSummary): Promise<SweepRuns> {
  const all = await store.exportRuns({ sweep: sweep.id });
  const records = all.filter((r) => r.status === 'finished');
  if (records.length < all.length) {
    console.error(`note: sweep ${sweep.name}: ${all.length - records.length} of ${all.length} runs are not finished and are left out`);
  }
  const summaries = (await store.listRuns({ sweepId: sweep.id, status: 'finished' })).sort((a, b) => a.idx - b.idx);
  return { sweep, records, summaries };
}

function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** One line saying where the numbers come from: sweep, run counts, backend, hosts, dates, wall time. */
export function provenance(runs: SweepRuns): string {
  const { sweep, summaries } = runs;
  const backends = [...new Set(summaries.map((r) => r.backend ?? '?'))].join(', ');
  const hosts = [...new Set(summaries.map((r) => r.host ?? '?'))].join(', ');
  const starts = summaries.map((r) => r.startedAt).filter((t): t is number => t !== null);
  const ends = summaries.map((r) => r.endedAt).filter((t): t is number => t !== null);
  const when = starts.length && ends.length ? `${utc(Math.min(...starts))} – ${utc(Math.max(...ends))} UTC` : 'never run';
  const runSeconds = summaries.reduce((a, r) => a + (r.durationMs ?? 0), 0) / 1000;
  const versions = summaries[0]?.versions ? Object.entries(summaries[0].versions).map(([k, v]) => `${k} ${v}`).join(', ') : '';
  return `sweep ${sweep.name} (id ${sweep.id}): ${summaries.length}/${sweep.counts.total} runs finished; backend ${backends}; host ${hosts}; ${when}; sum of run durations ${runSeconds.toFixed(0)} s${versions ? `; ${versions}` : ''}`;
}

/** Writes docs/img/<name> (or the --img directory) and returns the path relative to the repository. */
export function writeSvg(imgDir: string | null, name: string, svg: string): string | null {
  if (imgDir === null) return null;
  mkdirSync(imgDir, { recursive: true });
  const path = join(imgDir, name);
  writeFileSync(path, svg);
  return relative(REPO_ROOT, path);
}

/** A run's value at a dotted path of its resolved config (`sampler.kind`, `noise.levels`). */
export function configValue(record: ExportRecord, path: string): unknown {
  let v: unknown = record.config;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * A run's dataset section as the packages take it: the store holds the resolved config as plain
 * JSON, so it is parsed again by the config's schema (a resolved section parses to itself).
 */
export function datasetOf(record: ExportRecord): DatasetSpec {
  return DatasetSchema.parse(record.config.dataset);
}

/** A run's noise section (see datasetOf), or undefined for a run without noise levels. */
export function noiseOf(record: ExportRecord): NoiseSpec | undefined {
  return record.config.noise === undefined ? undefined : NoiseSchema.parse(record.config.noise);
}

/** Groups records by a key, keeping the order in which keys first appear. */
export function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

/** Runs `main`, printing an error without a stack trace for expected failures (missing store or sweep). */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
