// Dashboard API benchmark: a store with 1,000 runs and 1,000,000 metric points (written through the
// tracking API in batches, as the runner's MetricBuffer writes them), then every API call the pages
// make, timed over HTTP (JSON encoding included). Each should answer in well under a second.
//
//   npx tsx tools/bench-dashboard.ts [--runs 1000] [--points-per-run 1000] [--reps 5] [--db FILE]
//   npx nx run dashboard:bench
//
// Prints one line per call (median, min, max ms and response size) and, last, a JSON summary.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandSweep, validateExperiment } from '@scorelab/config';
import { openStore } from '@scorelab/tracking';
import type { MetricPoint } from '@scorelab/tracking';
import { numberFlag, stringFlag } from './cli-args';

const RUNS = numberFlag('runs', 1000);
const PER_RUN = numberFlag('points-per-run', 1000);
const REPS = numberFlag('reps', 5);
const TARGET_MS = 1000;
const dbArg = stringFlag('db');
const dir = dbArg === undefined ? mkdtempSync(join(tmpdir(), 'scorelab-bench-dashboard-')) : undefined;
const dbPath = dbArg ?? join(dir!, 'bench.db');

// A 4 x 5 x 5 grid with 10 seeds = 1,000 runs of one sweep: the heaviest sweep page there can be.
const losses = ['sm', 'ssm', 'ssm-vr', 'dsm'];
const stepSizes = [0.005, 0.01, 0.02, 0.05, 0.1];
const lrs = [0.0003, 0.001, 0.002, 0.005, 0.01];
const seeds = Array.from({ length: Math.max(1, Math.round(RUNS / (losses.length * stepSizes.length * lrs.length))) }, (_, i) => i);
const experiment = validateExperiment({
  name: 'bench-dashboard',
  description: 'Dashboard benchmark: 4 losses x 5 step sizes x 5 learning rates x 10 seeds.',
  base: {
    dataset: { kind: 'mog2d-weighted' },
    model: { kind: 'mlp', hidden: [128, 128], activation: 'softplus', conditioning: 'embed' },
    noise: { schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 10 },
    loss: { kind: 'dsm' },
    train: { steps: 3800, batchSize: 128, optimizer: 'adam', lr: 0.001, logEvery: 10 },
    sampler: { kind: 'ald', stepSize: 0.1, stepsPerLevel: 100, samples: 1000, init: { kind: 'uniform', low: -8, high: 8 } },
    eval: { every: 380, metrics: ['fisher', 'mmd', 'swd', 'modeWeights'] },
  },
  method: 'grid',
  parameters: { 'loss.kind': losses, 'sampler.stepSize': stepSizes, 'train.lr': lrs },
  seeds,
});
const expanded = expandSweep(experiment).slice(0, RUNS);

// Per run: 10 evaluations x 17 keys (eval/fisher, 10 levels, mmd, swd, tv, 2 mode weights,
// sample_seconds) = 170 points; the rest split over train/loss, train/grad_norm (logged every 10
// steps) and perf/steps_per_sec (every 50).
const SIGMAS = Array.from({ length: 10 }, (_, i) => 20 * Math.exp((Math.log(1 / 20) * i) / 9));
const EVALS = 10;
const evalKeys = ['eval/fisher', ...SIGMAS.map((s) => `eval/fisher@${Number(s.toPrecision(3))}`), 'sample/mmd', 'sample/swd', 'sample/mode_weight_tv', 'sample/mode_weight/0', 'sample/mode_weight/1', 'perf/sample_seconds'];
function pointsOf(runIndex: number): MetricPoint[] {
  const out: MetricPoint[] = [];
  const q = 1 + (runIndex % 37) / 20;
  const trainBudget = PER_RUN - EVALS * evalKeys.length;
  const perfN = Math.floor(trainBudget / 12);
  const trainN = Math.floor((trainBudget - perfN) / 2);
  for (let i = 0; i < trainN; i++) {
    const step = i * 10;
    out.push({ key: 'train/loss', step, value: q * (1 + Math.exp(-step / 800)) + 0.05 * Math.sin(step * 0.37 + runIndex) });
    out.push({ key: 'train/grad_norm', step, value: 5 * Math.exp(-step / 1000) + 0.3 });
  }
  for (let i = 1; out.length < 2 * trainN + perfN; i++) out.push({ key: 'perf/steps_per_sec', step: i * 50, value: 100 + (runIndex % 4) * 80 + Math.sin(i) });
  for (let e = 1; e <= EVALS; e++) {
    const step = e * 380;
    for (const [k, key] of evalKeys.entries()) out.push({ key, step, value: (q / e) * (1 + k / 10) });
  }
  // Top up to exactly PER_RUN with extra evaluation-free loss points.
  for (let i = 0; out.length < PER_RUN; i++) out.push({ key: 'train/loss', step: trainN * 10 + i * 10, value: q });
  return out;
}

const t0 = performance.now();
const store = await openStore(dbPath);
const sweep = await store.createSweep({ name: `${experiment.name}-${Date.now()}`, description: experiment.description, config: { ...experiment }, status: 'running' });
const runs = await store.addRuns(
  sweep.id,
  expanded.map((r) => ({ idx: r.index, params: r.params, config: r.config, configHash: r.hash, seed: r.seed })),
);
let points = 0;
const samples = new Float32Array(2000).map((_, i) => Math.sin(i) * 6);
for (const [i, r] of runs.entries()) {
  await store.startRun(r.id, { backend: 'wasm', versions: { node: process.version }, host: 'bench', pid: process.pid });
  const pts = pointsOf(i);
  // One batch per run of 1000 points: the MetricBuffer's default batch size.
  for (let k = 0; k < pts.length; k += 1000) await store.logMetrics(r.id, pts.slice(k, k + 1000));
  points += pts.length;
  if (i < 10) {
    await store.saveArtifact(r.id, { name: 'samples', kind: 'samples', content: { format: 'float32', shape: [1000, 2], data: samples } });
    const grid = { xmin: -10, xmax: 10, ymin: -10, ymax: 10, nx: 20, ny: 20 };
    const pts2: [number, number][] = [];
    for (let j = 0; j < 20; j++) for (let k = 0; k < 20; k++) pts2.push([-10 + (k * 20) / 19, -10 + (j * 20) / 19]);
    await store.saveArtifact(r.id, { name: 'score-field', kind: 'score-field', content: { format: 'json', value: { grid, sigma: 1, points: pts2, model: pts2.map(([x, y]) => [-x, -y]), exact: pts2.map(([x, y]) => [-x, -y]) } } });
  }
  if (i % 50 === 49) await store.failRun(r.id, new Error('bench: a failed run'));
  else await store.finishRun(r.id);
}
await store.setSweepStatus(sweep.id, 'failed');
await store.close();
const buildSeconds = (performance.now() - t0) / 1000;
console.log(`built ${runs.length} runs, ${points.toLocaleString('en')} metric points in ${buildSeconds.toFixed(1)} s (${Math.round(points / buildSeconds).toLocaleString('en')} points/s)`);

// The dashboard as a user starts it (its own process, port 0 = any free port); its first line is the URL.
const main = fileURLToPath(new URL('../apps/dashboard/src/main.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', main, '--db', dbPath, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolveUrl, reject) => {
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const m = /(http:\/\/[\d.]+:\d+)\//.exec(out);
    if (m) resolveUrl(m[1]);
  });
  child.once('exit', (code) => reject(new Error(`dashboard exited with ${code} before printing its URL`)));
});
const server = { url };
const ids = runs.map((r) => r.id);
const calls: [string, string][] = [
  ['sweeps list', '/api/sweeps'],
  ['sweep summary', `/api/sweeps/${sweep.id}`],
  ['sweep runs table', `/api/sweeps/${sweep.id}/runs`],
  ['runs CSV', `/api/sweeps/${sweep.id}/runs.csv`],
  ['heatmap', `/api/sweeps/${sweep.id}/heatmap?metric=sample/mmd`],
  ['ablation', `/api/sweeps/${sweep.id}/ablation`],
  ['curves, 10 selected runs', `/api/sweeps/${sweep.id}/curves?key=train/loss&runs=${ids.slice(0, 10).join(',')}&maxPoints=500`],
  ['curves, 200 runs', `/api/sweeps/${sweep.id}/curves?key=train/loss&runs=${ids.slice(0, 200).join(',')}&maxPoints=500`],
  ['curves grouped by loss.kind (all runs)', `/api/sweeps/${sweep.id}/curves?key=train/loss&groupBy=loss.kind&maxPoints=500`],
  ['curves by configuration (all runs)', `/api/sweeps/${sweep.id}/curves?key=train/grad_norm&groupBy=@config&maxPoints=400`],
  ['run page', `/api/runs/${ids[0]}`],
  ['run series', `/api/runs/${ids[0]}/series?key=train/loss&maxPoints=600`],
  ['artifact samples', `/api/runs/${ids[0]}/artifacts/samples`],
  ['artifact score-field', `/api/runs/${ids[0]}/artifacts/score-field`],
  ['config diff', `/api/runs/${ids[0]}/diff?other=${ids[ids.length - 1]}`],
];
// The first call of each kind is reported on its own: it is the cold one (SQLite pages not cached
// yet, and the dashboard's cache of finished runs' series empty).
const results: Record<string, { firstMs: number; medianMs: number; minMs: number; maxMs: number; bytes: number }> = {};
for (const [name, path] of calls) {
  const times: number[] = [];
  let bytes = 0;
  for (let rep = 0; rep < REPS; rep++) {
    const t = performance.now();
    const res = await fetch(server.url + path);
    const body = await res.arrayBuffer();
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${Buffer.from(body).toString()}`);
    bytes = body.byteLength;
  }
  const firstMs = +times[0].toFixed(1);
  times.sort((a, b) => a - b);
  const r = { firstMs, medianMs: +times[Math.floor(times.length / 2)].toFixed(1), minMs: +times[0].toFixed(1), maxMs: +times[times.length - 1].toFixed(1), bytes };
  results[name] = r;
  console.log(
    `${name.padEnd(40)} first ${String(r.firstMs).padStart(6)} ms, median ${String(r.medianMs).padStart(6)} ms (min ${r.minMs}, max ${r.maxMs}), ${(bytes / 1024).toFixed(0)} KiB  GET ${path.length > 80 ? path.slice(0, 77) + '...' : path}`,
  );
}
child.kill('SIGTERM');
if (dir) rmSync(dir, { recursive: true, force: true });
const worst = Math.max(...Object.values(results).map((r) => r.maxMs));
console.log(JSON.stringify({ bench: 'dashboard-api', runs: runs.length, points, buildSeconds: +buildSeconds.toFixed(1), reps: REPS, targetMs: TARGET_MS, worstMs: worst, ok: worst < TARGET_MS, calls: results }));
