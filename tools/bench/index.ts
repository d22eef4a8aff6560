/**
 * `npm run bench`: Scorelab's speed side by side with PyTorch, in one invocation, on this CPU.
 *
 *  1. ms per training step of dsm, ssm-vr and sm on the reference MLP (2-128-128-2, batch 128) and
 *     a larger one (2-256-256-2, batch 1024), on the fused engine and on tfjs (wasm, and the native
 *     backends when installed), next to the same network, loss, batch and optimiser in PyTorch
 *     (tools/bench/torch_train_step.py, Debian's python3-torch; skipped with a message when absent),
 *     as ratios Scorelab / PyTorch;
 *  2. cost against dimension on the fused engine: ms per step of sm, ssm, ssm-vr, dsm for D = 2 ... 128
 *     (table, and docs/img/bench-dimension.svg with --write-docs);
 *  3. annealed Langevin with an MLP (1,280 samples) on both engines against the same loop in PyTorch
 *     (tools/bench/torch_sample.py); 4. store ingest; 5. dashboard API latency; 6. wall time of the
 *     quickstart sweep on each engine.
 *
 * The CPU model and SIMD flags, PyTorch's build and the load average are printed first and kept in
 * the summary: ratios between engines of different SIMD width do not carry over to other CPUs.
 * Every measurement runs in its own process, engines and PyTorch alternating, `--reps` times (median).
 * Flags: --quick (fewer steps and reps), --write-docs (write docs/benchmarks.md and the SVG),
 * --skip train,dimension,sampling,store,dashboard,quickstart. The last line is a JSON summary; every
 * ratio in it has "ratio" in its key.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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

/** The SIMD-related flags of the CPU (Linux /proc/cpuinfo), or null elsewhere. */
function simdFlags(): string[] | null {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    if (!line) return null;
    return line
      .split(':')[1]
      .trim()
      .split(/\s+/)
      .filter((f) => /^(sse4_[12]|avx|avx2|fma|f16c|avx512(f|dq|bw|vl|cd|_vnni|_bf16|_fp16|ifma|vbmi|_vbmi2)|avx_vnni|amx_\w+)$/.test(f));
  } catch {
    return null;
  }
}

/** PyTorch's version and the build facts that decide its speed (CPU capability, BLAS). */
function torchBuild(): string | null {
  const r = spawnSync(
    PYTHON,
    ['-c', "import torch,re; c=torch.__config__.show(); cap=re.search(r'CPU capability usage: (\\S+)', c); blas=re.search(r'BLAS_INFO=(\\w+)', c); print(torch.__version__, 'CPU capability', cap.group(1) if cap else '?', 'BLAS', blas.group(1) if blas else '?')"],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? r.stdout.trim() : null;
}

/** tfjs backends to compare on the tfjs engine: wasm, and the native ones when installed (the pure-JS cpu backend is ~20x slower). */
function tfjsBackends(): string[] {
  const found = ['wasm'];
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
  engine: string;
  backend: string;
  ms: number;
  torchMs: number | null;
  /** Scorelab ms / PyTorch ms. */
  ratioToTorch: number | null;
  kernels: number;
}

const torchMissing = torchAvailable();
const summary: Record<string, unknown> = {
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model,
  simdFlags: simdFlags(),
  node: process.versions.node,
  torchBuild: torchMissing ? null : torchBuild(),
  loadAverageAtStart: loadavg()[0],
  reps: REPS,
};
console.log(`CPU: ${summary.cpu}; SIMD flags: ${(summary.simdFlags as string[] | null)?.join(' ') ?? '(unknown)'}`);
console.log(`Node ${summary.node}; PyTorch ${summary.torchBuild ?? '(absent)'}; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
if (torchMissing) console.log(`PyTorch reference skipped: ${torchMissing}`);
const ENGINES = ['fused', 'tfjs'] as const;

// 1. training step, side by side
if (!skip.has('train')) {
  const sizes = [
    { size: '2-128-128-2, batch 128', hidden: 128, batch: 128, steps: quick ? 60 : 200, torchSteps: quick ? 60 : 200 },
    { size: '2-256-256-2, batch 1024', hidden: 256, batch: 1024, steps: quick ? 10 : 30, torchSteps: quick ? 5 : 15 },
  ];
  const rows: StepRow[] = [];
  for (const s of sizes) {
    const common = ['--hidden', String(s.hidden), '--batch', String(s.batch), '--dim', '2', '--losses', 'dsm,ssm-vr,sm'];
    // (engine, backend) pairs: the fused engine needs a tfjs backend only for the data batch.
    const setups = [{ engine: 'fused', backend: 'wasm' }, ...tfjsBackends().map((backend) => ({ engine: 'tfjs', backend }))];
    const ms: Record<string, Record<string, number[]>> = {};
    const kernels: Record<string, Record<string, number>> = {};
    const torch: Record<string, number[]> = {};
    for (let rep = 0; rep < REPS; rep++) {
      for (const { engine, backend } of setups) {
        const key = `${engine}/${backend}`;
        const out = tsx('tools/bench/train-step.ts', [...common, '--steps', String(s.steps), '--engine', engine, '--backend', backend, '--json']);
        for (const r of out.results) {
          ((ms[key] ??= {})[r.loss] ??= []).push(r.msPerStep);
          (kernels[key] ??= {})[r.loss] = r.kernelsPerStep;
        }
      }
      if (!torchMissing) {
        const out = run(PYTHON, [join(root, 'tools/bench/torch_train_step.py'), ...common, '--steps', String(s.torchSteps)]);
        for (const r of out.results) (torch[r.loss] ??= []).push(r.msPerStep);
        summary.torch = out.torch;
      }
    }
    for (const { engine, backend } of setups) {
      const key = `${engine}/${backend}`;
      for (const loss of ['dsm', 'ssm-vr', 'sm']) {
        const m = median(ms[key][loss]);
        const torchMs = torch[loss] ? median(torch[loss]) : null;
        rows.push({ size: s.size, loss, engine, backend, ms: m, torchMs, ratioToTorch: torchMs ? m / torchMs : null, kernels: kernels[key][loss] });
      }
    }
  }
  const table = markdownTable(
    ['network', 'loss', 'engine', 'backend', 'Scorelab ms/step', 'PyTorch ms/step', 'ratio', 'tfjs kernels/step'],
    rows.map((r) => [r.size, r.loss, r.engine, r.engine === 'fused' ? '-' : r.backend, r.ms.toFixed(2), r.torchMs?.toFixed(2) ?? '-', r.ratioToTorch?.toFixed(2) ?? '-', String(r.kernels)]),
    ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'right'],
  );
  console.log('\nTraining step (median of', REPS, 'runs; PyTorch on 1 thread; ratio = Scorelab / PyTorch)\n' + table);
  summary.trainStep = rows;
  const fusedRatios = rows.filter((r) => r.engine === 'fused' && r.ratioToTorch !== null).map((r) => r.ratioToTorch!);
  if (fusedRatios.length) summary.trainStepMaxFusedRatioToTorch = Math.max(...fusedRatios);
  summary.trainStepTable = table;
}

// 2. cost against dimension (fused engine)
if (!skip.has('dimension')) {
  const dims = [2, 8, 32, 128];
  const losses = ['sm', 'ssm', 'ssm-vr', 'dsm'];
  const ms: Record<string, number[]> = {};
  for (const d of dims) {
    const out = tsx('tools/bench/train-step.ts', ['--engine', 'fused', '--backend', 'wasm', '--hidden', '128', '--batch', '128', '--dim', String(d), '--losses', losses.join(','), '--steps', quick ? '10' : d >= 128 ? '20' : '50', '--json']);
    for (const r of out.results) (ms[r.loss] ??= []).push(r.msPerStep);
  }
  const table = markdownTable(
    ['loss', ...dims.map((d) => `D = ${d}`)],
    losses.map((l) => [l, ...ms[l].map((v) => v.toFixed(2))]),
    ['left', ...dims.map(() => 'right' as const)],
  );
  console.log('\nms per training step against dimension (fused engine, MLP D-128-128-D, batch 128)\n' + table);
  summary.dimension = { engine: 'fused', dims, msPerStep: ms };
  summary.dimensionTable = table;
  if (writeDocs) {
    mkdirSync(join(root, 'docs/img'), { recursive: true });
    const svg = lineChart({
      title: 'Training step time against dimension (fused engine, MLP D-128-128-D, batch 128)',
      x: { label: 'dimension D', log: true },
      y: { label: 'ms per step', log: true },
      series: losses.map((l) => ({ label: l, points: dims.map((d, i) => ({ x: d, y: ms[l][i] })) })),
    });
    writeFileSync(join(root, 'docs/img/bench-dimension.svg'), svg);
  }
}

// 3. sampling: annealed Langevin with an MLP, both engines and PyTorch
if (!skip.has('sampling')) {
  const stepsPerLevel = quick ? 20 : 100;
  const args = ['--samples', '1280', '--levels', '10', '--steps-per-level', String(stepsPerLevel), '--hidden', '128'];
  const perScore: Record<string, number[]> = {};
  const torchMs: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const out = tsx('tools/bench/sample-throughput.ts', ['--backend', 'wasm', ...args]);
    for (const r of out.results) (perScore[r.score] ??= []).push(r.msPerStep);
    if (!torchMissing) torchMs.push(run(PYTHON, [join(root, 'tools/bench/torch_sample.py'), ...args]).msPerStep);
  }
  const torch = torchMs.length ? median(torchMs) : null;
  const rows = Object.entries(perScore).map(([score, v]) => {
    const ms = median(v);
    const mlp = score.startsWith('mlp');
    return { score, msPerStep: ms, sampleEvalsPerSec: (1280 * 1000) / ms, torchMsPerStep: mlp ? torch : null, ratioToTorch: mlp && torch ? ms / torch : null };
  });
  for (const r of rows) {
    const vs = r.ratioToTorch !== null ? `, PyTorch ${r.torchMsPerStep!.toFixed(2)} ms, ratio ${r.ratioToTorch.toFixed(2)}` : '';
    console.log(`\nannealed Langevin, ${r.score}: ${r.msPerStep.toFixed(2)} ms per step of 1280 samples (${(r.sampleEvalsPerSec / 1e6).toFixed(3)} M sample-score-evaluations/s)${vs}`);
  }
  summary.sampling = rows;
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

// 6. wall time of the quickstart sweep (6 runs, 2 workers) on each engine
if (!skip.has('quickstart')) {
  const seconds: Record<string, number> = {};
  for (const engine of ENGINES) {
    const dir = mkdtempSync(join(tmpdir(), 'scorelab-bench-quickstart-'));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(root, 'apps/runner/bin/scorelab.js'), 'sweep', '--config', join(root, 'experiments/quickstart.yaml'), '--db', join(dir, 'store.db'), '--quiet', '--backend', 'wasm'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, SCORELAB_ENGINE: engine },
    });
    seconds[engine] = (performance.now() - t0) / 1000;
    rmSync(dir, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`quickstart sweep on ${engine} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  }
  console.log(`\nquickstart sweep (6 runs, 2 workers): ${seconds.tfjs.toFixed(1)} s on tfjs, ${seconds.fused.toFixed(1)} s on fused`);
  summary.quickstart = { tfjsSeconds: seconds.tfjs, fusedSeconds: seconds.fused, ratioFusedToTfjs: seconds.fused / seconds.tfjs };
}

/** Read before comparing with other PyTorch numbers. */
const TORCH_NOTE =
  "The PyTorch column is the same network, loss, batch, data and Adam in tools/bench/torch_train_step.py, run by Debian's python3-torch on one thread in the same invocation. Debian builds it with generic BLAS (no MKL) and AVX2 kernels: a pip wheel is faster on this kind of CPU, so compare ratios only within one table. The fused engine (`model.engine: fused`, @scorelab/kernels) runs no tfjs kernel: a step is a few wasm SIMD calls per layer; the tfjs rows are the reference implementation.";

function otherLines(s: Record<string, any>): string[] {
  const out: string[] = [];
  for (const r of s.sampling ?? []) {
    const vs = r.ratioToTorch !== null ? `; PyTorch ${r.torchMsPerStep.toFixed(2)} ms, ratio ${r.ratioToTorch.toFixed(2)}` : '';
    out.push(`- Annealed Langevin, ${r.score}: ${r.msPerStep.toFixed(2)} ms per step of 1280 samples (${(r.sampleEvalsPerSec / 1e6).toFixed(3)} M sample-score-evaluations/s${vs}).`);
  }
  if (s.quickstart) out.push(`- Quickstart sweep (experiments/quickstart.yaml, 6 runs, 2 workers): ${s.quickstart.tfjsSeconds.toFixed(1)} s on the tfjs engine, ${s.quickstart.fusedSeconds.toFixed(1)} s on the fused engine.`);
  if (s.store) out.push(`- Store ingest: ${Math.round(s.store.logMetricsPointsPerSec)} metric points/s through logMetrics, ${Math.round(s.store.metricBufferPointsPerSec)} through MetricBuffer (target 100,000).`);
  if (s.dashboard) out.push(`- Dashboard API on ${s.dashboard.runs} runs and ${s.dashboard.points} metric points: slowest call ${s.dashboard.worstMs} ms (first, uncached request; target 1000 ms).`);
  return out;
}

if (writeDocs) {
  const md = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench -- --write-docs\` on ${summary.date}; median of ${REPS} runs, load average ${Number(summary.loadAverageAtStart).toFixed(2)} at start. These numbers hold for this CPU only:`,
    '',
    `- CPU: ${summary.cpu}, 2 cores; SIMD flags ${(summary.simdFlags as string[] | null)?.join(' ') ?? '(unknown)'}.`,
    `- Node ${summary.node} (wasm SIMD 128-bit; relaxed SIMD is not used: on Node 20 it needs a flag and its f32x4.relaxed_madd measured slower than mul + add here).`,
    `- PyTorch ${summary.torchBuild ?? '(absent)'}, one thread.`,
    '',
    'Engines of different SIMD width rank differently on different CPUs (wasm is 128-bit; PyTorch uses AVX2 here): rerun `npm run bench` on the machine you care about. A load average above the number of cores means other processes shared the CPU: absolute times are then inflated, for every engine alike (the measurements alternate between engines and PyTorch).',
    '',
    '## Training step, Scorelab vs PyTorch',
    '',
    TORCH_NOTE,
    '',
    String(summary.trainStepTable ?? '(skipped)'),
    '',
    '## Cost against dimension (fused engine)',
    '',
    'Exact sm pushes D basis tangents, so its cost grows linearly in D (times the network cost); ssm, ssm-vr and dsm are nearly flat.',
    '',
    String(summary.dimensionTable ?? '(skipped)'),
    '',
    '![ms per step against D](img/bench-dimension.svg)',
    '',
    '## Sampling, quickstart, store, dashboard',
    '',
    ...otherLines(summary),
    '',
  ].join('\n');
  writeFileSync(join(root, 'docs/benchmarks.md'), md + keptSections(join(root, 'docs/benchmarks.md')));
}
delete summary.trainStepTable;
delete summary.dimensionTable;
console.log(JSON.stringify(summary));

/** Sections of the existing docs/benchmarks.md that this script does not write (measured by other tools, e.g. the playground's), kept at the end. */
function keptSections(path: string): string {
  if (!existsSync(path)) return '';
  const written = new Set(['## Training step, Scorelab vs PyTorch', '## Cost against dimension (fused engine)', '## Sampling, quickstart, store, dashboard']);
  const sections = readFileSync(path, 'utf8').split(/^(?=## )/m).slice(1);
  const kept = sections.filter((s) => !written.has(s.split('\n')[0].trim()));
  return kept.length ? '\n' + kept.join('').trimEnd() + '\n' : '';
}
