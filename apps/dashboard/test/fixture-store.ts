// A run store filled the way the runner fills one (DESIGN.md sections 5 and 6), through the tracking
// API only: the sweep "fixture-ablation" = loss.kind [sm, ssm-vr, dsm] x sampler.stepSize [0.02, 0.1]
// x seeds [0, 1], expanded by @scorelab/config, with train/eval/perf/sample metrics at the runner's
// steps and the 2-D artifacts (samples, data-samples, score-field, density, trajectory).
//
// The numbers are synthetic but consistent where the dashboard could check them: mode weights are
// the fractions of the stored samples in each component's half-plane, the exact score field is the
// closed-form score of the perturbed mixture, the density grid is its exact log density. One run
// (sm, stepSize 0.1, seed 1) fails at step 900 after logging a NaN loss, as a diverging run does.
// The lead may replace this file with a real tiny sweep through the runner; tests that use it compute
// their expectations from the store, not from constants here.
import { expandSweep, validateExperiment } from '@scorelab/config';
import { openStore } from '@scorelab/tracking';
import type { MetricPoint, RunStore } from '@scorelab/tracking';

export interface FixtureStore {
  path: string;
  sweepId: number;
  sweepName: string;
  /** Run ids in expansion order. */
  runIds: number[];
}

const WEIGHTS = [0.2, 0.8];
const MEANS: [number, number][] = [
  [-5, -5],
  [5, 5],
];
const SIGMAS = Array.from({ length: 10 }, (_, i) => 20 * Math.exp((Math.log(1 / 20) * i) / 9));
const STEPS = 1500;
const LOG_EVERY = 25;
const EVAL_EVERY = 500;

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

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** log p_sigma(x) of the mixture sum_k w_k N(mu_k, (1 + sigma^2) I) in 2-D. */
function logDensity(x: number, y: number, sigma = 0): number {
  const v = 1 + sigma * sigma;
  let p = 0;
  for (let k = 0; k < 2; k++) {
    const d2 = (x - MEANS[k][0]) ** 2 + (y - MEANS[k][1]) ** 2;
    p += (WEIGHTS[k] / (2 * Math.PI * v)) * Math.exp(-d2 / (2 * v));
  }
  return Math.log(p);
}

/** grad log p_sigma(x) = sum_k r_k(x) (mu_k - x) / (1 + sigma^2), r_k the responsibilities. */
function exactScore(x: number, y: number, sigma: number): [number, number] {
  const v = 1 + sigma * sigma;
  const logs = MEANS.map(([mx, my], k) => Math.log(WEIGHTS[k]) - ((x - mx) ** 2 + (y - my) ** 2) / (2 * v));
  const m = Math.max(...logs);
  const r = logs.map((l) => Math.exp(l - m));
  const z = r[0] + r[1];
  let u = 0;
  let w = 0;
  for (let k = 0; k < 2; k++) {
    u += ((r[k] / z) * (MEANS[k][0] - x)) / v;
    w += ((r[k] / z) * (MEANS[k][1] - y)) / v;
  }
  return [u, w];
}

function mixtureSamples(n: number, weight0: number, spread: number, u: () => number): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const k = u() < weight0 ? 0 : 1;
    out[2 * i] = MEANS[k][0] + spread * normal(u);
    out[2 * i + 1] = MEANS[k][1] + spread * normal(u);
  }
  return out;
}

/** Fraction of samples nearer component 0 (the x + y < 0 half-plane). */
function modeFraction0(samples: Float32Array): number {
  let c = 0;
  for (let i = 0; i < samples.length; i += 2) if (samples[i] + samples[i + 1] < 0) c++;
  return c / (samples.length / 2);
}

// How well each objective and step size does (smaller = better); seeds add noise around it.
const QUALITY: Record<string, number> = { sm: 1.6, 'ssm-vr': 1.25, dsm: 1 };
const STEP_QUALITY: Record<string, number> = { '0.02': 1.5, '0.1': 1 };
const STEPS_PER_SEC: Record<string, number> = { sm: 95, 'ssm-vr': 160, dsm: 380 };

export async function makeFixtureStore(path: string): Promise<FixtureStore> {
  let clock = Date.UTC(2025, 5, 1, 10, 0, 0);
  const store: RunStore = await openStore(path, { now: () => clock });
  const experiment = validateExperiment({
    name: 'fixture-ablation',
    description: 'SM vs SSM-VR vs DSM on the weighted two-mode mixture, annealed Langevin at two step sizes (dashboard test fixture).',
    base: {
      dataset: { kind: 'mog2d-weighted' },
      model: { kind: 'mlp', hidden: [64, 64], activation: 'softplus', conditioning: 'embed' },
      noise: { schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 10 },
      loss: { kind: 'dsm' },
      train: { steps: STEPS, batchSize: 128, optimizer: 'adam', lr: 0.001, logEvery: LOG_EVERY },
      sampler: { kind: 'ald', stepSize: 0.1, stepsPerLevel: 100, samples: 600, init: { kind: 'uniform', low: -8, high: 8 } },
      eval: { every: EVAL_EVERY, metrics: ['fisher', 'mmd', 'swd', 'modeWeights'], samples: 600 },
    },
    method: 'grid',
    parameters: { 'loss.kind': ['sm', 'ssm-vr', 'dsm'], 'sampler.stepSize': [0.02, 0.1] },
    seeds: [0, 1],
  });
  const sweep = await store.createSweep({
    name: experiment.name,
    description: experiment.description,
    config: experiment as unknown as Record<string, unknown>,
    filePath: 'experiments/fixture-ablation.yaml',
    status: 'running',
  });
  const expanded = expandSweep(experiment);
  const runs = await store.addRuns(
    sweep.id,
    expanded.map((r) => ({ idx: r.index, params: r.params, config: r.config as unknown as Record<string, unknown>, configHash: r.hash, seed: r.seed })),
  );

  for (const [i, run] of runs.entries()) {
    const loss = String(run.params['loss.kind']);
    const stepSize = String(run.params['sampler.stepSize']);
    const u = mulberry32(1000 + i);
    const q = QUALITY[loss] * STEP_QUALITY[stepSize] * (1 + 0.08 * normal(u));
    const failsAt = loss === 'sm' && stepSize === '0.1' && run.seed === 1 ? 900 : null;
    const sps = STEPS_PER_SEC[loss] * (1 + 0.05 * normal(u));
    await store.startRun(run.id, { backend: 'wasm', versions: { node: '20.19.0', tfjs: '4.22.0', scorelab: '0.1.0' }, gitCommit: 'abc1234', host: 'fixture', pid: 4242 });
    const t0 = clock;
    const points: MetricPoint[] = [];
    const at = (step: number) => t0 + Math.round((step / sps) * 1000);
    // The training loss: each objective has its own scale (sm and ssm-vr are unbounded below; dsm with
    // sigma^2 weighting tends to about D/2 = 1 for a good model).
    const lossAt = (step: number) => {
      const decay = Math.exp(-step / 300);
      const noise = 0.03 * normal(u);
      if (loss === 'dsm') return 0.95 + 0.9 * decay + noise;
      return -1.2 + 2.5 * decay + noise * 3;
    };
    for (let step = 0; step <= STEPS; step += LOG_EVERY) {
      if (failsAt !== null && step > failsAt) break;
      const diverged = failsAt !== null && step === failsAt;
      points.push({ key: 'train/loss', step, value: diverged ? NaN : lossAt(step), wallTime: at(step) });
      points.push({ key: 'train/grad_norm', step, value: diverged ? Infinity : 5 * Math.exp(-step / 500) + 0.5 + 0.1 * Math.abs(normal(u)), wallTime: at(step) });
      if (step > 0) points.push({ key: 'perf/steps_per_sec', step, value: sps * (1 + 0.02 * normal(u)), wallTime: at(step) });
      if (step > 0 && step % EVAL_EVERY === 0) {
        const progress = Math.exp(-step / 600);
        let weighted = 0;
        let weights = 0;
        for (const s of SIGMAS) {
          // eval/fisher@<sigma>: larger at small sigma (the score is steeper there).
          const f = q * (0.02 + progress) * (1 + 2 / s) * (1 + 0.05 * normal(u));
          points.push({ key: `eval/fisher@${Number(s.toPrecision(3))}`, step, value: f, wallTime: at(step) });
          weighted += s * s * f;
          weights += s * s;
        }
        points.push({ key: 'eval/fisher', step, value: weighted / weights, wallTime: at(step) });
        const w0 = Math.min(0.5, 0.2 + 0.2 * (q - 1) + 0.15 * progress);
        points.push({ key: 'sample/mmd', step, value: 0.004 * q * q * (1 + 4 * progress), wallTime: at(step) });
        points.push({ key: 'sample/swd', step, value: 0.15 * q * (1 + 3 * progress), wallTime: at(step) });
        const sampleNow = mixtureSamples(400, w0, 1, u);
        const f0 = modeFraction0(sampleNow);
        points.push({ key: 'sample/mode_weight_tv', step, value: Math.abs(f0 - WEIGHTS[0]), wallTime: at(step) });
        points.push({ key: 'sample/mode_weight/0', step, value: f0, wallTime: at(step) });
        points.push({ key: 'sample/mode_weight/1', step, value: 1 - f0, wallTime: at(step) });
        // The floors beside the sample metrics (deterministic: the random stream above is unchanged)
        // and the permutation test: only the best runs (q < 1.1) are indistinguishable from data.
        points.push({ key: 'ref/mmd', step, value: 0.0015 * Math.sin(step / 7 + 3 * q), wallTime: at(step) });
        points.push({ key: 'ref/swd', step, value: 0.1 * (1 + 0.1 * Math.cos(step / 5 + q)), wallTime: at(step) });
        points.push({ key: 'ref/mode_weight_tv', step, value: 0.012 * (1 + 0.2 * Math.sin(step + q)), wallTime: at(step) });
        points.push({ key: 'sample/mmd_p', step, value: q < 1.1 ? 0.3 : 0.005, wallTime: at(step) });
        points.push({ key: 'perf/sample_seconds', step, value: 3.5 * (0.1 / Number(stepSize)) ** 0 * (1 + 0.05 * normal(u)), wallTime: at(step) });
      }
    }
    // Written in batches, as the runner's MetricBuffer does.
    for (let k = 0; k < points.length; k += 100) await store.logMetrics(run.id, points.slice(k, k + 100));
    if (failsAt !== null) {
      clock = at(failsAt);
      await store.heartbeat(run.id, { step: failsAt, totalSteps: STEPS });
      const error = new Error(`train/loss is NaN at step ${failsAt} (loss.kind=sm): the score network diverged; try a smaller train.lr`);
      error.stack = `${error.name}: ${error.message}\n    at trainLoop (apps/runner/src/train.ts:118:13)\n    at runOne (apps/runner/src/worker.ts:64:5)`;
      await store.failRun(run.id, error, failsAt);
      continue;
    }
    clock = at(STEPS);
    await store.heartbeat(run.id, { step: STEPS, totalSteps: STEPS });

    // Final samples: the mode weights drift towards 1/2 as the model gets worse (q > 1).
    const w0 = Math.min(0.5, 0.2 + 0.2 * (q - 1));
    const samples = mixtureSamples(600, w0, 0.9 + 0.15 * q, u);
    await store.saveArtifact(run.id, { name: 'samples', kind: 'samples', content: { format: 'float32', shape: [600, 2], data: samples } });
    const data = mixtureSamples(600, WEIGHTS[0], 1, u);
    await store.saveArtifact(run.id, { name: 'data-samples', kind: 'samples', content: { format: 'float32', shape: [600, 2], data } });

    const grid = { xmin: -10, xmax: 10, ymin: -10, ymax: 10, nx: 17, ny: 17 };
    const sigma = SIGMAS[SIGMAS.length - 1];
    const pts: [number, number][] = [];
    const exact: [number, number][] = [];
    const model: [number, number][] = [];
    // The learned field: the exact one rotated by an angle and scaled, both growing with q.
    const angle = 0.25 * (q - 0.9);
    for (let j = 0; j < grid.ny; j++) {
      for (let k = 0; k < grid.nx; k++) {
        const x = grid.xmin + (k * (grid.xmax - grid.xmin)) / (grid.nx - 1);
        const y = grid.ymin + (j * (grid.ymax - grid.ymin)) / (grid.ny - 1);
        const [su, sv] = exactScore(x, y, sigma);
        pts.push([x, y]);
        exact.push([su, sv]);
        const c = Math.cos(angle) * (1 + 0.1 * normal(u));
        const s = Math.sin(angle);
        model.push([c * su - s * sv, s * su + c * sv]);
      }
    }
    await store.saveArtifact(run.id, { name: 'score-field', kind: 'score-field', content: { format: 'json', value: { grid, sigma, points: pts, model, exact } } });

    const dgrid = { xmin: -10, xmax: 10, ymin: -10, ymax: 10, nx: 81, ny: 81 };
    const logD: number[][] = [];
    for (let j = 0; j < dgrid.ny; j++) {
      const row: number[] = [];
      const y = dgrid.ymin + (j * (dgrid.ymax - dgrid.ymin)) / (dgrid.ny - 1);
      for (let k = 0; k < dgrid.nx; k++) row.push(logDensity(dgrid.xmin + (k * (dgrid.xmax - dgrid.xmin)) / (dgrid.nx - 1), y));
      logD.push(row);
    }
    await store.saveArtifact(run.id, { name: 'density', kind: 'density', content: { format: 'json', value: { grid: dgrid, logDensity: logD } } });

    // Annealed Langevin: M uniform starting points contracting onto the final samples level by level.
    const M = 200;
    const init: [number, number][] = Array.from({ length: M }, () => [-8 + 16 * u(), -8 + 16 * u()]);
    const snapshots: [number, number][][] = [init];
    const labels = ['init'];
    for (const [l, s] of SIGMAS.entries()) {
      const t = (l + 1) / SIGMAS.length;
      snapshots.push(init.map(([x, y], m) => [(1 - t) * x + t * samples[2 * m] + 0.3 * s * normal(u) * (1 - t), (1 - t) * y + t * samples[2 * m + 1] + 0.3 * s * normal(u) * (1 - t)]));
      labels.push(`sigma=${s.toFixed(2)}`);
    }
    await store.saveArtifact(run.id, { name: 'trajectory', kind: 'trajectory', content: { format: 'json', value: { labels, snapshots } } });
    clock += 3500;
    await store.finishRun(run.id);
  }
  await store.setSweepStatus(sweep.id, 'failed');
  await store.close();
  return { path, sweepId: sweep.id, sweepName: sweep.name, runIds: runs.map((r) => r.id) };
}
