/** `scorelab ls`, `scorelab show` and `scorelab export`: read-only views of a store. */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { openStore, SchemaVersionError, UnusableStoreError, type ExportRecord, type RunStore, type SweepSummary } from '@scorelab/tracking';
import { isConnectionError } from './connection-errors';
import { UsageError } from './errors';
import { redactStore, storeLabel, type StoreLocation } from './store-location';
import { formatDuration, formatNumber, formatParams, formatTime, renderTable, type Column } from './format';
import { runsTable } from './run-sweep';

/**
 * The one-line message of an error that means the store cannot be used (not a scorelab store, not
 * writable, a newer schema): the CLI exits 2 with it, like other bad input. null for any other error.
 */
export function unusableStoreMessage(e: unknown): string | null {
  return e instanceof UnusableStoreError || e instanceof SchemaVersionError ? e.message : null;
}

export async function withReadonlyStore<T>(loc: StoreLocation, command: string, body: (store: RunStore) => Promise<T>): Promise<T> {
  let target: string;
  if (loc.kind === 'sqlite') {
    target = resolve(loc.path);
    if (!existsSync(target)) throw new UsageError(`no run store at ${target}: run a sweep first (npx nx run runner:sweep), or point to a store with --store FILE|URL`, command);
    if (statSync(target).isDirectory()) throw new UsageError(`--db ${loc.path} is a directory, not a store file`, command);
  } else target = loc.url;
  let store: RunStore;
  try {
    store = await openStore(target, { readonly: true });
  } catch (e) {
    // Says what the store is and what to do in one line (the CLI exits 2 with it).
    if (e instanceof UnusableStoreError || e instanceof SchemaVersionError) throw e;
    const why = redactStore((e as Error).message, loc);
    const hint = loc.kind === 'postgres' && isConnectionError(e) ? ' (is the server running, and is the URL right?)' : '';
    throw new UsageError(`cannot open the run store ${storeLabel(loc)}: ${why}${hint}`, command);
  }
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

async function sweepOrFail(store: RunStore, name: string, command: string): Promise<SweepSummary> {
  const sweep = await store.getSweep(name);
  if (!sweep) {
    const names = (await store.listSweeps()).map((s) => s.name);
    throw new UsageError(`no sweep '${name}' in this store${names.length ? ` (sweeps: ${names.join(', ')})` : ' (it has no sweeps)'}`, command);
  }
  return sweep;
}

export async function lsCommand(dbPath: StoreLocation, sweepName: string | undefined): Promise<string> {
  return withReadonlyStore(dbPath, 'ls', async (store) => {
    if (sweepName === undefined) {
      const sweeps = await store.listSweeps();
      if (sweeps.length === 0) return 'no sweeps in this store yet\n';
      const columns: Column[] = [
        { header: 'id', align: 'right' },
        { header: 'sweep' },
        { header: 'status' },
        { header: 'runs', align: 'right' },
        { header: 'finished', align: 'right' },
        { header: 'failed', align: 'right' },
        { header: 'killed', align: 'right' },
        { header: 'running', align: 'right' },
        { header: 'queued', align: 'right' },
        { header: 'created' },
      ];
      const rows = sweeps.map((s) => [String(s.id), s.name, s.status, String(s.counts.total), String(s.counts.finished), String(s.counts.failed), String(s.counts.killed), String(s.counts.running), String(s.counts.queued), formatTime(s.createdAt)]);
      return `${renderTable(columns, rows)}\n`;
    }
    const sweep = await sweepOrFail(store, sweepName, 'ls');
    const runs = await store.listRuns({ sweepId: sweep.id });
    const head = `sweep ${sweep.name} (id ${sweep.id}, ${sweep.status})${sweep.description ? `: ${sweep.description}` : ''}`;
    return `${head}\n${runs.length ? runsTable(runs) : 'no runs'}\n`;
  });
}

/** Which trained model a run used: its own, another run's (by id and sweep), or none yet. */
async function modelLine(store: RunStore, run: { id: number; modelId: number | null; trainingHash: string | null }): Promise<string> {
  if (run.modelId === null) return run.trainingHash === null ? 'none (nothing to train)' : 'none stored yet';
  const model = await store.getModel(run.modelId);
  if (!model) return '';
  const what = `model ${model.id}, ${model.step} steps, artifact ${model.checkpoint}`;
  if (model.sourceRunId === run.id) return `trained by this run (${what})`;
  const source = await store.getRun(model.sourceRunId);
  return `sampled the model trained by run ${model.sourceRunId}${source ? ` of sweep ${source.sweepName}` : ''} (${what}; its training curves are on that run)`;
}

export async function showCommand(dbPath: StoreLocation, runId: number): Promise<string> {
  return withReadonlyStore(dbPath, 'show', async (store) => {
    const run = await store.getRun(runId);
    if (!run) throw new UsageError(`no run ${runId} in this store (list them with: npx scorelab ls --sweep NAME)`, 'show');
    const artifacts = await store.listArtifacts(runId);
    const field = (name: string, value: string) => `${`${name}:`.padEnd(13)}${value}`;
    const out: string[] = [];
    out.push(`run ${run.id} of sweep ${run.sweepName} (#${run.idx} of its expansion)`);
    out.push(field('status', `${run.status}${run.attempt > 1 ? ` (attempt ${run.attempt})` : ''}`));
    out.push(field('params', formatParams(run.params)));
    out.push(field('seed', String(run.seed)));
    out.push(field('config hash', run.configHash));
    if (run.trainingHash !== null) out.push(field('training', `hash ${run.trainingHash}`));
    out.push(field('model', await modelLine(store, run)));
    out.push(field('backend', run.backend ?? ''));
    out.push(field('engine', run.engine ?? (run.trainingHash === null ? 'none (nothing to train)' : '')));
    out.push(field('versions', run.versions ? Object.entries(run.versions).map(([k, v]) => `${k} ${v}`).join(', ') : ''));
    out.push(field('git commit', run.gitCommit ?? ''));
    out.push(field('host', run.host ? `${run.host}${run.pid !== null ? ` (pid ${run.pid})` : ''}` : ''));
    out.push(field('created', formatTime(run.createdAt)));
    out.push(field('started', formatTime(run.startedAt)));
    out.push(field('ended', formatTime(run.endedAt)));
    out.push(field('duration', formatDuration(run.durationMs)));
    if (run.status === 'running') out.push(field('progress', `step ${run.currentStep ?? 0}/${run.totalSteps ?? '?'}, heartbeat ${formatTime(run.heartbeatAt)}`));
    if (run.error !== null) {
      out.push(field('error', run.errorStep !== null ? `at step ${run.errorStep}` : ''));
      out.push(...run.error.split('\n').map((l) => `  ${l}`));
    }
    const keys = Object.keys(run.latest).sort(compareMetricKeys);
    out.push('');
    out.push('final metrics:');
    out.push(keys.length ? renderTable([{ header: 'metric' }, { header: 'value', align: 'right' }], keys.map((k) => [k, formatNumber(run.latest[k])])).replace(/^/gm, '  ') : '  (none)');
    out.push('');
    out.push('artifacts:');
    out.push(
      artifacts.length
        ? renderTable(
            [{ header: 'name' }, { header: 'kind' }, { header: 'format' }, { header: 'shape' }, { header: 'bytes', align: 'right' }],
            artifacts.map((a) => [a.name, a.kind, a.format, a.shape ? `[${a.shape.join(', ')}]` : '', String(a.bytes)]),
          ).replace(/^/gm, '  ')
        : '  (none)',
    );
    out.push('');
    out.push('resolved config:');
    out.push(toYaml(run.config).trimEnd().replace(/^/gm, '  '));
    if (run.events.length > 0) {
      out.push('');
      out.push('history:');
      for (const e of run.events) out.push(`  ${formatTime(e.at)}  ${e.from ?? '-'} -> ${e.to}${e.message ? `  ${e.message}` : ''}`);
    }
    return `${out.join('\n')}\n`;
  });
}

/** Metric keys in a readable order: by prefix, then numerically where they differ in a number (fisher@20 after fisher@7.17). */
export function compareMetricKeys(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

// ---------------------------------------------------------------------------------------------
// export

/** Nested params flattened to dotted paths (a swept object like `sampler.init` gives `sampler.init.kind`, ...). */
export function flattenParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (prefix: string, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [k, x] of Object.entries(v)) walk(`${prefix}.${k}`, x);
    } else out[prefix] = v;
  };
  for (const [k, v] of Object.entries(params)) walk(k, v);
  return out;
}

/** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * One row per run: id, sweep, sweep_id, idx, status, seed, config_hash, params.<path>..., the
 * final value of every metric (one column per key), error, started_at, ended_at, duration_s,
 * config (the resolved config as JSON). Non-finite values are written NaN, Infinity, -Infinity.
 */
export function exportCsv(records: readonly ExportRecord[]): string {
  const flat = records.map((r) => flattenParams(r.params));
  const paramCols: string[] = [];
  for (const f of flat) for (const k of Object.keys(f)) if (!paramCols.includes(k)) paramCols.push(k);
  const metricCols = [...new Set(records.flatMap((r) => Object.keys(r.metrics)))].sort(compareMetricKeys);
  const header = ['id', 'sweep', 'sweep_id', 'idx', 'status', 'seed', 'config_hash', ...paramCols.map((p) => `params.${p}`), ...metricCols, 'error', 'started_at', 'ended_at', 'duration_s', 'config'];
  const lines = [header.map(csvField).join(',')];
  records.forEach((r, i) => {
    const row: unknown[] = [
      r.id,
      r.sweep,
      r.sweepId,
      r.idx,
      r.status,
      r.seed,
      r.configHash,
      ...paramCols.map((p) => flat[i][p]),
      ...metricCols.map((k) => r.metrics[k]),
      r.error,
      isoOrNull(r.startedAt),
      isoOrNull(r.endedAt),
      r.durationMs === null ? null : r.durationMs / 1000,
      JSON.stringify(r.config),
    ];
    lines.push(row.map(csvField).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}

/** A JSON array of records; non-finite metric values as the strings 'NaN', 'Infinity', '-Infinity'. */
export function exportJson(records: readonly ExportRecord[]): string {
  const out = records.map((r) => ({
    id: r.id,
    sweep: r.sweep,
    sweepId: r.sweepId,
    idx: r.idx,
    status: r.status,
    seed: r.seed,
    configHash: r.configHash,
    params: r.params,
    config: r.config,
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)])),
    error: r.error,
    startedAt: isoOrNull(r.startedAt),
    endedAt: isoOrNull(r.endedAt),
    durationMs: r.durationMs,
  }));
  return `${JSON.stringify(out, null, 2)}\n`;
}

export async function exportCommand(dbPath: StoreLocation, sweepName: string | undefined, format: 'json' | 'csv', outPath: string | undefined): Promise<{ text: string; count: number; written?: string }> {
  const records = await withReadonlyStore(dbPath, 'export', async (store) => {
    if (sweepName !== undefined) await sweepOrFail(store, sweepName, 'export');
    return store.exportRuns(sweepName === undefined ? {} : { sweep: sweepName });
  });
  const text = format === 'csv' ? exportCsv(records) : exportJson(records);
  if (outPath !== undefined) {
    writeFileSync(outPath, text);
    return { text, count: records.length, written: resolve(outPath) };
  }
  return { text, count: records.length };
}

