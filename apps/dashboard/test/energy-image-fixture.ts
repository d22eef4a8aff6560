// Two sweeps added to a store the way the runner writes them (issues 15 and 16), through the tracking
// API only, with configs validated and expanded by @scorelab/config:
// - "fixture-ebm": an energy MLP on mog2d-weighted trained by ml (CD-k), ml (PCD) and dsm, seeds
//   0 and 1. Artifacts learned-density / learned-density-true (65x65), samples, data-samples and,
//   for ml, negatives/<step> snapshots; metrics eval/nll, eval/kl, eval/log_z_error,
//   eval/box_outer_mass and, for ml, train/energy_pos, _neg and _gap.
// - "fixture-digits": an MLP on digits (64-D) trained by dsm and ssm-vr, sampled by ald, seeds 0 and
//   1. Artifacts samples / data-samples [N, 64], trajectory [T][M][64], nearest-train [M, 64];
//   metrics sample/nn_dist, ref/nn_dist, sample/mmd, ref/mmd.
// The learned densities are closed-form mixtures (0.2, 0.8 reweighted and widened per objective),
// so each is a normalised log-density; eval/kl is their KL on the grid, eval/nll = H + KL.
import { expandSweep, validateExperiment, type DensityArtifact, type Grid } from '@scorelab/config';
import { openStore, type MetricPoint, type RunStore } from '@scorelab/tracking';

const MEANS: [number, number][] = [
  [-5, -5],
  [5, 5],
];
export const DENSITY_GRID: Grid = { xmin: -9.6, xmax: 9.6, ymin: -9.6, ymax: 9.6, nx: 65, ny: 65 };
export const NEGATIVE_STEPS = [0, 100, 200];
const STEPS = 200;
/** Digits: pixels per image and images in the trajectory / nearest-neighbour artifacts. */
const D = 64;
const M = 20;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const normal = (u: () => number) => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());

/** log of w0 N(mu0, v I) + (1 - w0) N(mu1, v I) at (x, y). */
function mixtureLogDensity(x: number, y: number, w0: number, v: number): number {
  const p = MEANS.reduce((s, [mx, my], k) => s + ((k === 0 ? w0 : 1 - w0) / (2 * Math.PI * v)) * Math.exp(-((x - mx) ** 2 + (y - my) ** 2) / (2 * v)), 0);
  return Math.log(p);
}

function densityGrid(w0: number, v: number): DensityArtifact {
  const g = DENSITY_GRID;
  const at = (k: number, lo: number, hi: number, n: number) => lo + (k * (hi - lo)) / (n - 1);
  return {
    grid: g,
    sigma: 0,
    logDensity: Array.from({ length: g.ny }, (_, j) => Array.from({ length: g.nx }, (__, i) => mixtureLogDensity(at(i, g.xmin, g.xmax, g.nx), at(j, g.ymin, g.ymax, g.ny), w0, v))),
  };
}

/** Trapezoidal ∫ f over the grid of f(logP, logQ) at each node. */
function gridIntegral(p: DensityArtifact, q: DensityArtifact, f: (lp: number, lq: number) => number): number {
  const g = p.grid;
  const cell = ((g.xmax - g.xmin) / (g.nx - 1)) * ((g.ymax - g.ymin) / (g.ny - 1));
  const w = (k: number, n: number) => (k === 0 || k === n - 1 ? 0.5 : 1);
  let s = 0;
  for (let j = 0; j < g.ny; j++) for (let i = 0; i < g.nx; i++) s += w(i, g.nx) * w(j, g.ny) * cell * f(p.logDensity[j][i]!, q.logDensity[j][i]!);
  return s;
}

function mixtureSamples(n: number, w0: number, spread: number, u: () => number): Float32Array {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [mx, my] = MEANS[u() < w0 ? 0 : 1];
    out[2 * i] = mx + spread * normal(u);
    out[2 * i + 1] = my + spread * normal(u);
  }
  return out;
}

async function addRuns(store: RunStore, experiment: unknown, filePath: string) {
  const e = validateExperiment(experiment);
  const sweep = await store.createSweep({ name: e.name, description: e.description, config: JSON.parse(JSON.stringify(e)), filePath });
  const expanded = expandSweep(e);
  const runs = await store.addRuns(
    sweep.id,
    expanded.map((r) => ({ idx: r.index, params: r.params, config: JSON.parse(JSON.stringify(r.config)), configHash: r.hash, seed: r.seed })),
  );
  return { sweep, runs, expanded };
}

const SAMPLER = { kind: 'langevin', stepSize: 0.002, steps: 100, samples: 200, init: { kind: 'uniform', low: -8, high: 8 }, convention: 'full' };

export async function addEnergySweep(store: RunStore): Promise<{ sweepId: number; runIds: number[] }> {
  const { sweep, runs, expanded } = await addRuns(
    store,
    {
      name: 'fixture-ebm',
      description: 'An energy MLP by ml (CD-k, PCD) and dsm (dashboard test fixture).',
      base: {
        dataset: { kind: 'mog2d-weighted' },
        model: { kind: 'energy', hidden: [32, 32], activation: 'swish', conditioning: 'none' },
        noise: { schedule: 'custom', sigmas: [0.1] },
        loss: { kind: 'dsm' },
        train: { steps: STEPS, logEvery: 50 },
        sampler: SAMPLER,
        eval: { every: 100, metrics: ['mmd'], samples: 200 },
      },
      parameters: {
        loss: [
          { kind: 'ml', negatives: { init: 'data', steps: 20, stepSize: 0.002 }, alpha: 0.01 },
          { kind: 'ml', negatives: { init: 'persistent', steps: 20, stepSize: 0.002, bufferSize: 1000, reinit: 0.05 }, alpha: 0.01 },
          { kind: 'dsm' },
        ],
      },
      seeds: [0, 1],
    },
    'experiments/fixture-ebm.yaml',
  );
  const truth = densityGrid(0.2, 1);
  const entropy = -gridIntegral(truth, truth, (lp) => Math.exp(lp) * lp);
  for (const [i, run] of runs.entries()) {
    const spec = expanded[i].config.loss;
    if (!spec) throw new Error('the energy fixture trains every run');
    const loss = spec.kind;
    const objective = spec.kind !== 'ml' ? 2 : spec.negatives?.init === 'persistent' ? 1 : 0;
    // ml by CD-k puts too much mass on the small mode (mode imbalance), PCD less, dsm about right.
    const [w0, v] = [
      [0.45, 1.3],
      [0.3, 1.15],
      [0.22, 1.05],
    ][objective];
    const learned = densityGrid(w0 + 0.01 * run.seed, v);
    const kl = gridIntegral(truth, learned, (lp, lq) => Math.exp(lp) * (lp - lq));
    await store.startRun(run.id, { backend: 'wasm', versions: { node: '20.19.0', tfjs: '4.22.0', scorelab: '0.1.0' }, host: 'fixture', pid: 4444 });
    const points: MetricPoint[] = [];
    for (let step = 50; step <= STEPS; step += 50) {
      points.push({ key: 'train/loss', step, value: 1 / step + objective });
      if (loss === 'ml') {
        const pos = -1 - step / 100;
        const neg = pos + 2 / Math.sqrt(step);
        points.push({ key: 'train/energy_pos', step, value: pos }, { key: 'train/energy_neg', step, value: neg }, { key: 'train/energy_gap', step, value: pos - neg });
      }
      if (step % 100 === 0) {
        points.push({ key: 'eval/nll', step, value: entropy + kl }, { key: 'eval/kl', step, value: kl });
        points.push({ key: 'eval/log_z_error', step, value: 2e-5 }, { key: 'eval/box_outer_mass', step, value: 1e-7 });
      }
    }
    points.push({ key: 'sample/mmd', step: STEPS, value: 0.01 * (1 + objective) }, { key: 'ref/mmd', step: STEPS, value: 0.0004 * (run.seed ? -1 : 1) });
    await store.logMetrics(run.id, points);
    const u = mulberry32(100 + run.id);
    await store.saveArtifact(run.id, { name: 'samples', kind: 'samples', content: { format: 'float32', shape: [200, 2], data: mixtureSamples(200, w0, Math.sqrt(v), u) } });
    await store.saveArtifact(run.id, { name: 'data-samples', kind: 'samples', content: { format: 'float32', shape: [200, 2], data: mixtureSamples(200, 0.2, 1, u) } });
    await store.saveArtifact(run.id, { name: 'learned-density', kind: 'density', content: { format: 'json', value: learned } });
    await store.saveArtifact(run.id, { name: 'learned-density-true', kind: 'density', content: { format: 'json', value: truth } });
    if (loss === 'ml') {
      for (const step of NEGATIVE_STEPS) {
        // The negatives start spread out and contract onto the modes as training goes on.
        const spread = 4 - (3 * step) / STEPS;
        await store.saveArtifact(run.id, { name: `negatives/${step}`, kind: 'samples', content: { format: 'float32', shape: [100, 2], data: mixtureSamples(100, w0, spread, u) } });
      }
    }
    await store.heartbeat(run.id, { step: STEPS, totalSteps: STEPS });
    await store.finishRun(run.id);
  }
  await store.setSweepStatus(sweep.id, 'finished');
  return { sweepId: sweep.id, runIds: runs.map((r) => r.id) };
}

/** An 8x8 "digit" in [0, 1]: a ring (0) or a bar (1), shifted by a pixel or two, with faint noise. */
function digitImage(u: () => number, kind: number): number[] {
  const dx = Math.floor(u() * 2);
  const img: number[] = [];
  for (let r = 0; r < 8; r++)
    for (let c = 0; c < 8; c++) {
      const x = c - 3.5 - dx + 0.5;
      const y = r - 3.5;
      const ink = kind === 0 ? Math.exp(-((Math.hypot(x / 0.8, y) - 2.6) ** 2) / 0.6) : Math.exp(-(x * x) / 0.8);
      img.push(Math.min(1, Math.max(0, ink + 0.05 * u())));
    }
  return img;
}

export async function addDigitsSweep(store: RunStore): Promise<{ sweepId: number; runIds: number[] }> {
  const { sweep, runs } = await addRuns(
    store,
    {
      name: 'fixture-digits',
      description: 'dsm vs ssm-vr on 8x8 digits with annealed Langevin (dashboard test fixture).',
      base: {
        dataset: { kind: 'digits' },
        model: { kind: 'mlp', hidden: [128, 128], activation: 'softplus', conditioning: 'embed' },
        noise: { schedule: 'geometric', sigmaMax: 1, sigmaMin: 0.05, levels: 4 },
        loss: { kind: 'dsm' },
        train: { steps: STEPS, logEvery: 50 },
        sampler: { kind: 'ald', stepSize: 0.00002, stepsPerLevel: 20, samples: 100, init: { kind: 'uniform', low: 0, high: 1 } },
        eval: { every: 100, metrics: ['mmd'], samples: 100 },
      },
      parameters: { 'loss.kind': ['dsm', 'ssm-vr'] },
      seeds: [0, 1],
    },
    'experiments/fixture-digits.yaml',
  );
  for (const run of runs) {
    const u = mulberry32(7 + run.id);
    await store.startRun(run.id, { backend: 'wasm', versions: { node: '20.19.0', tfjs: '4.22.0', scorelab: '0.1.0' }, host: 'fixture', pid: 4545 });
    const images = (n: number, noise: number) => {
      const out = new Float32Array(n * D);
      // A few pixels of the model's samples overshoot [0, 1] by the sampler's noise (drawn clipped).
      for (let i = 0; i < n; i++) out.set(digitImage(u, i % 2).map((v) => v + noise * normal(u)), i * D);
      return out;
    };
    const samples = images(100, 0.03);
    const data = images(100, 0);
    // Nearest training images: the sample plus a small difference, except sample 3, a copy.
    const nearest = new Float32Array(M * D);
    for (let i = 0; i < M; i++) for (let p = 0; p < D; p++) nearest[i * D + p] = i === 3 ? samples[i * D + p] : Math.min(1, Math.max(0, samples[i * D + p] + 0.15 * normal(u)));
    const labels = ['init', 'σ=1', 'σ=0.368', 'σ=0.136', 'σ=0.05'];
    const snapshots = labels.map((_, t) =>
      Array.from({ length: M }, (__, m) => Array.from({ length: D }, (___, p) => (t / (labels.length - 1)) * samples[m * D + p] + (1 - t / (labels.length - 1)) * u())),
    );
    const nn = 0.9 + 0.05 * run.idx;
    await store.logMetrics(run.id, [
      { key: 'train/loss', step: STEPS, value: 10 + run.idx },
      { key: 'sample/mmd', step: STEPS, value: 0.02 + 0.01 * run.idx },
      { key: 'ref/mmd', step: STEPS, value: 0.001 },
      { key: 'sample/nn_dist', step: STEPS, value: nn },
      { key: 'ref/nn_dist', step: STEPS, value: 1.2 },
    ]);
    await store.saveArtifact(run.id, { name: 'samples', kind: 'samples', content: { format: 'float32', shape: [100, D], data: samples } });
    await store.saveArtifact(run.id, { name: 'data-samples', kind: 'samples', content: { format: 'float32', shape: [100, D], data } });
    await store.saveArtifact(run.id, { name: 'nearest-train', kind: 'samples', content: { format: 'float32', shape: [M, D], data: nearest } });
    await store.saveArtifact(run.id, { name: 'trajectory', kind: 'trajectory', content: { format: 'json', value: { labels, snapshots } } });
    await store.heartbeat(run.id, { step: STEPS, totalSteps: STEPS });
    await store.finishRun(run.id);
  }
  await store.setSweepStatus(sweep.id, 'finished');
  return { sweepId: sweep.id, runIds: runs.map((r) => r.id) };
}

/** Both sweeps, added to the store file at `path`. */
export async function addEnergyAndDigitsSweeps(path: string): Promise<{ energy: { sweepId: number; runIds: number[] }; digits: { sweepId: number; runIds: number[] } }> {
  const store = await openStore(path);
  try {
    return { energy: await addEnergySweep(store), digits: await addDigitsSweep(store) };
  } finally {
    await store.close();
  }
}
