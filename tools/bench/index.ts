/**
 * `npm run bench`: Scorelab's speed side by side with PyTorch, in one invocation.
 *
 *  1. ms per training step of dsm, ssm-vr and sm on the reference MLP (2-128-128-2, batch 128) and
 *     a larger one (2-256-256-2, batch 1024), for each available tfjs backend, next to the same
 *     network, loss, batch and optimiser in PyTorch (tools/bench/torch_train_step.py, Debian's
 *     python3-torch; skipped with a message when absent), as ratios Scorelab / PyTorch;
 *  2. cost against dimension: ms per step of sm, ssm, ssm-vr, dsm for D = 2, 8, 32, 128
 *     (table, and docs/img/bench-dimension.svg with --write-docs);
 *  3. annealed Langevin sampling throughput; 4. store ingest; 5. dashboard API latency.
 *
 * Every measurement runs in its own process, tfjs and PyTorch alternating, `--reps` times (median).
 * Flags: --quick (fewer steps and reps), --write-docs (write docs/benchmarks.md and the SVG),
 * --skip store,dashboard,... The last line is a JSON summary.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineChart } from '../results/svg';
import { markdownTable } from '../results/table';
import { numberFlag, stringFlag } from '../cli-args';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const quick = process.argv.includes('--quick');
const writeDocs = process.argv.includes('--write-docs');
const skip = new Set(stringFlag('skip')?.split(',') ?? []);
const REPS = numberFlag('reps', quick ? 1 : 3);
const PYTHON = '/usr/bin/python3';

function lastJson(stdout: string): any {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i].startsWith('{')) return JSON.parse(lines[i]);
  }
  throw new Error(`no JSON line in output:\n${stdout.slice(-2000)}`);
}

function run(cmd: string, args: string[]): any {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return lastJson(r.stdout);
}

const tsx = (script: string, args: string[]) => run(process.execPath, ['--import', 'tsx', join(root, script), ...args]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function torchAvailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'python3-torch is not installed (apt-get install -y python3-torch)';
}

function tfjsBackends(): string[] {
  const found = ['wasm', 'cpu'];
  for (const [name, pkg] of [
    ['tensorflow', '@tensorflow/tfjs-node'],
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ]) {
    if (existsSync(join(root, 'node_modules', pkg))) found.unshift(name);
  }
  return found;
}

interface StepRow {
  size: string;
  loss: string;
  backend: string;
  ms: number;
  torchMs: number | null;
  ratio: number | null;
  kernels: number;
}

const summary: Record<string, unknown> = { date: new Date().toISOString(), cpu: cpus()[0]?.model, loadAverageAtStart: loadavg()[0], reps: REPS };
const torchMissing = torchAvailable();
if (torchMissing) console.log(`PyTorch reference skipped: ${torchMissing}`);

// 1. training step, side by side
if (!skip.has('train')) {
  const sizes = [
    { size: '2-128-128-2, batch 128', hidden: 128, batch: 128, steps: quick ? 60 : 200, backends: tfjsBackends() },
    { size: '2-256-256-2, batch 1024', hidden: 256, batch: 1024, steps: quick ? 10 : 30, backends: tfjsBackends().filter((b) => b !== 'cpu') },
  ];
  const rows: StepRow[] = [];
  for (const s of sizes) {
    const common = ['--hidden', String(s.hidden), '--batch', String(s.batch), '--dim', '2', '--losses', 'dsm,ssm-vr,sm', '--steps', String(s.steps)];
    const tf: Record<string, Record<string, number[]>> = {};
    const kernels: Record<string, Record<string, number>> = {};
    const torch: Record<string, number[]> = {};
    for (let rep = 0; rep < REPS; rep++) {
      for (const backend of s.backends) {
        // The pure-JS cpu backend is ~20x slower: fewer steps keep the bench short.
        const args = backend === 'cpu' ? [...common.slice(0, -1), String(Math.min(s.steps, 40))] : common;
        const out = tsx('tools/bench/train-step.ts', [...args, '--backend', backend, '--json']);
        for (const r of out.results) {
          ((tf[backend] ??= {})[r.loss] ??= []).push(r.msPerStep);
          (kernels[backend] ??= {})[r.loss] = r.kernelsPerStep;
        }
      }
      if (!torchMissing) {
        const out = run(PYTHON, [join(root, 'tools/bench/torch_train_step.py'), ...common]);
        for (const r of out.results) (torch[r.loss] ??= []).push(r.msPerStep);
        summary.torch = out.torch;
      }
    }
    for (const backend of s.backends) {
      for (const loss of ['dsm', 'ssm-vr', 'sm']) {
        const ms = median(tf[backend][loss]);
        const torchMs = torch[loss] ? median(torch[loss]) : null;
        rows.push({ size: s.size, loss, backend, ms, torchMs, ratio: torchMs ? ms / torchMs : null, kernels: kernels[backend][loss] });
      }
    }
  }
  const table = markdownTable(
    ['network', 'loss', 'backend', 'Scorelab ms/step', 'PyTorch ms/step', 'ratio', 'kernels/step'],
    rows.map((r) => [r.size, r.loss, r.backend, r.ms.toFixed(2), r.torchMs?.toFixed(2) ?? '-', r.ratio?.toFixed(2) ?? '-', String(r.kernels)]),
    ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
  );
  console.log('\nTraining step (median of', REPS, 'runs; PyTorch on 1 thread)\n' + table);
  summary.trainStep = rows;
  summary.trainStepTable = table;
}

// 2. cost against dimension
if (!skip.has('dimension')) {
  const dims = [2, 8, 32, 128];
  const losses = ['sm', 'ssm', 'ssm-vr', 'dsm'];
  const ms: Record<string, number[]> = {};
  for (const d of dims) {
    const out = tsx('tools/bench/train-step.ts', ['--backend', 'wasm', '--hidden', '128', '--batch', '128', '--dim', String(d), '--losses', losses.join(','), '--steps', quick ? '20' : '50', '--json']);
    for (const r of out.results) (ms[r.loss] ??= []).push(r.msPerStep);
  }
  const table = markdownTable(
    ['loss', ...dims.map((d) => `D = ${d}`)],
    losses.map((l) => [l, ...ms[l].map((v) => v.toFixed(2))]),
    ['left', ...dims.map(() => 'right' as const)],
  );
  console.log('\nms per training step against dimension (wasm, MLP D-128-128-D, batch 128)\n' + table);
  summary.dimension = { dims, msPerStep: ms };
  summary.dimensionTable = table;
  if (writeDocs) {
    mkdirSync(join(root, 'docs/img'), { recursive: true });
    const svg = lineChart({
      title: 'Training step time against dimension (wasm, MLP D-128-128-D, batch 128)',
      x: { label: 'dimension D', log: true },
      y: { label: 'ms per step', log: true },
      series: losses.map((l) => ({ label: l, points: dims.map((d, i) => ({ x: d, y: ms[l][i] })) })),
    });
    writeFileSync(join(root, 'docs/img/bench-dimension.svg'), svg);
  }
}

// 3. sampling throughput
if (!skip.has('sampling')) {
  const out = tsx('tools/bench/sample-throughput.ts', ['--backend', 'wasm', '--samples', '1280', '--levels', '10', '--steps-per-level', quick ? '20' : '100']);
  for (const r of out.results) console.log(`\nannealed Langevin, ${r.score}: ${r.msPerStep.toFixed(2)} ms per step of 1280 samples, ${(r.sampleEvalsPerSec / 1e6).toFixed(3)} M sample-score-evaluations/s`);
  summary.sampling = out.results;
}

// 4. store ingest
if (!skip.has('store')) {
  const out = tsx('tools/bench-store.ts', ['--points', quick ? '200000' : '1000000']);
  console.log(`\nstore ingest: ${Math.round(out.logMetricsPointsPerSec)} points/s (logMetrics), ${Math.round(out.metricBufferPointsPerSec)} points/s (MetricBuffer)`);
  summary.store = { logMetricsPointsPerSec: out.logMetricsPointsPerSec, metricBufferPointsPerSec: out.metricBufferPointsPerSec, meetsTarget: out.meetsTarget };
}

// 5. dashboard API latency on a large store
if (!skip.has('dashboard')) {
  const out = tsx('tools/bench-dashboard.ts', []);
  console.log(`\ndashboard API on ${out.runs} runs / ${out.points} points: worst call ${out.worstMs} ms (target ${out.targetMs} ms)`);
  summary.dashboard = { runs: out.runs, points: out.points, worstMs: out.worstMs, ok: out.ok };
}

/** Read before comparing with other PyTorch numbers. */
const TORCH_NOTE =
  'The PyTorch column is the same network, loss, batch, data and Adam in tools/bench/torch_train_step.py, run by Debian\'s python3-torch (1.13, OpenBLAS) on one thread in the same invocation. A pip wheel of PyTorch (MKL) is faster on this kind of CPU: DESIGN.md section 7 quotes 2.8 / 5.6 / 8.3 ms for dsm / ssm-vr / sm on the reference network, against which the wasm times here are about 2x, 1.4x and 1.2x.';

function otherLines(s: Record<string, any>): string[] {
  const out: string[] = [];
  for (const r of s.sampling ?? []) out.push(`- Annealed Langevin, ${r.score}: ${r.msPerStep.toFixed(2)} ms per step of 1280 samples (${(r.sampleEvalsPerSec / 1e6).toFixed(3)} M sample-score-evaluations/s).`);
  if (s.store) out.push(`- Store ingest: ${Math.round(s.store.logMetricsPointsPerSec)} metric points/s through logMetrics, ${Math.round(s.store.metricBufferPointsPerSec)} through MetricBuffer (target 100,000).`);
  if (s.dashboard) out.push(`- Dashboard API on ${s.dashboard.runs} runs and ${s.dashboard.points} metric points: slowest call ${s.dashboard.worstMs} ms (first, uncached request; target 1000 ms).`);
  return out;
}

if (writeDocs) {
  const md = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench -- --write-docs\` on ${summary.date} (${summary.cpu}, load average ${Number(summary.loadAverageAtStart).toFixed(2)} at start; median of ${REPS} runs). PyTorch ${summary.torch ?? '(absent)'}, one thread.`,
    '',
    '## Training step, Scorelab vs PyTorch',
    '',
    TORCH_NOTE,
    '',
    String(summary.trainStepTable ?? '(skipped)'),
    '',
    '## Cost against dimension',
    '',
    String(summary.dimensionTable ?? '(skipped)'),
    '',
    '![ms per step against D](img/bench-dimension.svg)',
    '',
    '## Sampling, store, dashboard',
    '',
    ...otherLines(summary),
    '',
  ].join('\n');
  writeFileSync(join(root, 'docs/benchmarks.md'), md);
}
delete summary.trainStepTable;
delete summary.dimensionTable;
console.log(JSON.stringify(summary));
