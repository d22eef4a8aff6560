// Score-SDE runs: a tiny trained SDE sweep end to end through the real CLI (every metric key, the
// artifacts, the resolved config), and analytic-model runs in process, whose eval/nll is checked
// against the closed-form log-density of Gaussian data pushed through the SDE.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '@scorelab/config';
import { selectBackend, sdeFromSpec } from '@scorelab/core';
import { createDataset } from '@scorelab/datasets';
import { openStore, type RunStore, type RunSummary } from '@scorelab/tracking';
import type { ArtifactPayload } from '../src/artifacts';
import { executeRun, type MetricRecord, type RunHooks } from '../src/execute-run';
import { fisherTimes, timeLabel } from '../src/execute-sde-run';
import { runRngs } from '../src/run-stages';
import { runCli, tempDir, type CliResult, type TempDir } from './helpers';

/** eval/fisher@t=<t> keys of an SDE with eps 1e-3 (VP, sub-VP): eps, then 0.1, ..., 1. */
const FISHER_TIME_KEYS = ['eval/fisher@t=0.001', ...Array.from({ length: 10 }, (_, k) => `eval/fisher@t=${Number(((k + 1) / 10).toPrecision(4))}`)];

const TINY_SDE = `name: tiny-sde
base:
  dataset: { kind: mog2d-weighted }
  model: { kind: mlp, hidden: [16] }
  sde: { kind: vp }
  loss: { kind: dsm }
  train: { steps: 40, batchSize: 64, logEvery: 10 }
  sampler: { kind: pc, steps: 20, samples: 100 }
  eval: { every: 20, metrics: [fisher, nll, mmd, swd, modeWeights], samples: 100 }
parameters:
  sampler:
    - { kind: pc, steps: 20, samples: 100 }
    - { kind: ode, samples: 100, denoise: true }
`;

describe('scorelab sweep of a tiny trained SDE experiment', () => {
  let dir: TempDir;
  let db: string;
  let result: CliResult;
  let store: RunStore;
  let runs: RunSummary[];

  beforeAll(async () => {
    dir = tempDir();
    db = dir.file('sde.db');
    result = await runCli(['sweep', '--config', dir.write('tiny-sde.yaml', TINY_SDE), '--db', db, '--workers', '2']);
    store = await openStore(db, { readonly: true });
    runs = await store.listRuns({ sweepId: (await store.getSweep('tiny-sde'))!.id });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    dir.remove();
  });

  it('finishes every run and stores every SDE metric key at the logged steps', async () => {
    expect(result.code, result.stderr).toBe(0);
    expect(runs.map((r) => r.status)).toEqual(['finished', 'finished']);
    for (const r of runs) {
      const keys = await store.metricKeys({ runId: r.id });
      expect(keys.sort()).toEqual(
        [
          'train/loss',
          'train/grad_norm',
          'perf/steps_per_sec',
          'perf/sample_seconds',
          'perf/nfe',
          'perf/nll_nfe',
          'eval/fisher',
          ...FISHER_TIME_KEYS,
          'eval/nll',
          'sample/mmd',
          'sample/swd',
          'sample/mode_weight_tv',
          'sample/mode_weight/0',
          'sample/mode_weight/1',
        ].sort(),
      );
      for (const key of ['eval/fisher', 'eval/nll', 'perf/nll_nfe']) expect((await store.metricSeries(r.id, key)).points.map((p) => p.step), key).toEqual([20, 40]);
      expect((await store.metricSeries(r.id, 'train/loss')).points.map((p) => p.step)).toEqual([10, 20, 30, 40]);
      for (const [key, value] of Object.entries(r.latest)) expect(Number.isFinite(value), key).toBe(true);
      // An untrained-ish network: NLL above the data's entropy (3.34 nats), but a number, not a blow-up.
      expect(r.latest['eval/nll']).toBeGreaterThan(3);
      expect(r.latest['eval/nll']).toBeLessThan(50);
      // rk45 with the likelihood's extra state: 2 evaluations to start, 6 per attempted step.
      expect((r.latest['perf/nll_nfe'] - 2) % 6).toBe(0);
    }
  });

  it('counts score evaluations: pc = steps x (correctorSteps + 1); rk45 = 2 + 6 per attempt, + 1 for denoising', () => {
    const [pc, ode] = runs;
    expect(pc.latest['perf/nfe']).toBe(20 * 2);
    expect((ode.latest['perf/nfe'] - 3) % 6).toBe(0);
    expect(ode.latest['perf/nfe']).toBeGreaterThan(8);
  });

  it('stores the resolved config with the time network and sampler defaults', () => {
    expect(runs[0].config).toMatchObject({
      model: { kind: 'mlp', hidden: [16], conditioning: 'embed', fourierFeatures: 8, fourierScale: 1, timeInput: 'time' },
      sde: { kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 0.001 },
      sampler: { kind: 'pc', steps: 20, snr: 0.16, correctorSteps: 1, predictor: 'reverse-diffusion', samples: 100, denoise: false },
    });
    expect(runs[1].config).toMatchObject({ sampler: { kind: 'ode', method: 'rk45', rtol: 1e-5, atol: 1e-5, samples: 100, denoise: true } });
  });

  it('stores the 2-D artifacts: the score field at t = eps, a trajectory labelled by time', async () => {
    for (const r of runs) {
      expect((await store.listArtifacts(r.id)).map((a) => a.name).sort()).toEqual(['data-samples', 'density', 'samples', 'score-field', 'trajectory']);
      const field = (await store.getArtifact(r.id, 'score-field'))!.content as { format: 'json'; value: any };
      expect(field.value.sigma).toBeNull();
      expect(field.value.time).toBe(0.001);
      expect(field.value.model).toHaveLength(field.value.points.length);
      const trajectory = ((await store.getArtifact(r.id, 'trajectory'))!.content as { format: 'json'; value: { labels: string[]; snapshots: unknown[] } }).value;
      expect(trajectory.labels[0]).toBe('t=1.00');
      expect(trajectory.labels.at(-1)).toBe('t=0.001');
      expect(trajectory.snapshots).toHaveLength(trajectory.labels.length);
    }
    // pc's fixed grid t_i = 1 - i (1 - eps)/20 passes every tenth of [eps, 1] on every other step.
    const pc = ((await store.getArtifact(runs[0].id, 'trajectory'))!.content as { format: 'json'; value: { labels: string[] } }).value;
    expect(pc.labels).toEqual(['t=1.00', 't=0.90', 't=0.80', 't=0.70', 't=0.60', 't=0.50', 't=0.40', 't=0.30', 't=0.20', 't=0.10', 't=0.001']);
  });

  it('ls shows eval/nll among the key metrics', async () => {
    const ls = await runCli(['ls', '--sweep', 'tiny-sde', '--db', db]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/\bnll\b/);
  });
});

/** Hooks that keep everything a run reports. */
function collector(): RunHooks & { points: MetricRecord[]; artifacts: Map<string, ArtifactPayload>; latest(key: string): number } {
  const points: MetricRecord[] = [];
  const artifacts = new Map<string, ArtifactPayload>();
  return {
    points,
    artifacts,
    log: (p) => points.push(...p),
    progress: () => undefined,
    artifact: (name, _kind, content) => artifacts.set(name, content),
    shouldStop: () => false,
    latest(key) {
      const found = points.filter((p) => p.key === key);
      if (found.length === 0) throw new Error(`no metric ${key}`);
      return found[found.length - 1].value;
    },
  };
}

/**
 * -mean log p_eps(x) in float64 for Gaussian data N(mu, std^2 I) under a linear SDE:
 * p_eps = N(m mu, (m^2 std^2 + s^2) I) with (m, s) = marginal(eps).
 */
function gaussianNll(x: number[][], mu: number[], std: number, m: number, s: number): number {
  const v = m * m * std * std + s * s;
  let total = 0;
  for (const row of x) {
    let q = 0;
    row.forEach((xi, i) => (q += (xi - m * mu[i]) ** 2));
    total += 0.5 * row.length * Math.log(2 * Math.PI * v) + q / (2 * v);
  }
  return total / x.length;
}

describe('analytic SDE runs (in process)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([
    ['vp, exact divergence (D = 2)', { kind: 'vp', betaMax: 40 }, 2],
    ['subvp, exact divergence (D = 3)', { kind: 'subvp', betaMax: 40 }, 3],
    ['vp, Hutchinson (D = 9)', { kind: 'vp', betaMax: 40 }, 9],
  ] as const)('eval/nll equals the closed form: %s', async (_name, sdeSpec, dim) => {
    const mean = Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? 1 : -1));
    const config = resolveRunConfig({ dataset: { kind: 'gaussian', dim, mean, std: 0.5 }, model: { kind: 'analytic' }, sde: sdeSpec, eval: { metrics: ['nll', 'fisher'], samples: 200 } });
    const hooks = collector();
    const before = tf.memory().numTensors;
    await executeRun(config, 7, hooks);
    expect(tf.memory().numTensors).toBe(before);
    // The held-out set: 200 points from the run's likelihood stream, drawn first.
    const dataset = createDataset(config.dataset as Parameters<typeof createDataset>[0]);
    const heldOut = dataset.sample(200, runRngs(7).likelihood);
    const x = heldOut.arraySync();
    heldOut.dispose();
    const sde = sdeFromSpec(config.sde!);
    const { mean: m, std: s } = sde.marginal(sde.eps);
    // The likelihood replaces log p_1(x_1) by the prior's log N(x_1; 0, I). With p_1 = N(m(1) mu, ~I), each
    // point is off by about m(1) mu . z, z ~ N(0, I): for betaMax 20, m(1) = 0.0066 and that is 1e-3 nats
    // (std of the mean over 200 points) in D = 9, so betaMax 40 (m(1) = 4.5e-5) leaves < 1e-5. What remains
    // is rk45's error at rtol = atol = 1e-5, observed ~1e-5 nats. For isotropic Gaussian data the drift's
    // Jacobian is c I, so Hutchinson's v^T J v = c D (Rademacher v) is exact as well.
    expect(Math.abs(hooks.latest('eval/nll') - gaussianNll(x, mean, 0.5, m, s))).toBeLessThan(3e-4);
    // The exact model has no Fisher divergence to the exact score.
    expect(hooks.latest('eval/fisher')).toBe(0);
    expect(hooks.points.filter((p) => p.key.startsWith('eval/fisher@t=')).map((p) => p.key)).toEqual(fisherTimes(sde).map((t) => `eval/fisher@t=${Number(t.toPrecision(4))}`));
    expect(hooks.points.every((p) => p.step === 0)).toBe(true);
  });

  it.each([
    ['euler-maruyama', { kind: 'euler-maruyama', steps: 12, samples: 50 }, 12],
    ['reverse-diffusion with denoising', { kind: 'reverse-diffusion', steps: 12, samples: 50, denoise: true }, 13],
    ['pc with 2 corrector steps and denoising', { kind: 'pc', steps: 10, correctorSteps: 2, samples: 50, denoise: true }, 31],
    ['ode with rk4', { kind: 'ode', method: 'rk4', steps: 5, samples: 50 }, 20],
  ] as const)('perf/nfe of %s', async (_name, sampler, nfe) => {
    const config = resolveRunConfig({ dataset: { kind: 'gaussian', dim: 3 }, model: { kind: 'analytic' }, sde: { kind: 'subvp' }, sampler, eval: { metrics: ['mmd'], samples: 50 } });
    const hooks = collector();
    await executeRun(config, 0, hooks);
    expect(hooks.latest('perf/nfe')).toBe(nfe);
    expect(hooks.latest('sample/mmd')).toBeLessThan(0.2);
    expect(hooks.artifacts.size).toBe(0); // artifacts are for 2-D data only
  });

  it('trains the time network with continuous-time ssm-vr and log-std time input, with flat tensor counts', async () => {
    const config = resolveRunConfig({
      dataset: { kind: 'moons' },
      model: { kind: 'mlp', hidden: [8], timeInput: 'log-std', fourierFeatures: 2 },
      sde: { kind: 've', sigmaMax: 5 },
      loss: { kind: 'ssm-vr', weighting: 'likelihood' },
      train: { steps: 6, batchSize: 16, logEvery: 3 },
      sampler: { kind: 'euler-maruyama', steps: 10, samples: 20 },
      eval: { metrics: ['fisher', 'swd'], samples: 20 },
    });
    const hooks = collector();
    const before = tf.memory().numTensors;
    const outcome = await executeRun(config, 1, hooks);
    expect(tf.memory().numTensors).toBe(before);
    // 2 + 1 + 2*2 inputs -> 8 -> 2: (7 * 8 + 8) + (8 * 2 + 2).
    expect(outcome).toEqual({ trainSteps: 6, parameterCount: 82 });
    expect(hooks.points.filter((p) => p.key === 'train/loss').map((p) => p.step)).toEqual([3, 6]);
    expect(Number.isFinite(hooks.latest('train/loss'))).toBe(true);
    // VE with eps 1e-5: the fisher times are eps, 0.1, ..., 1; the snapshots go down to t = eps.
    expect(hooks.points.filter((p) => p.key.startsWith('eval/fisher@t=')).map((p) => p.key)[0]).toBe('eval/fisher@t=0.00001');
    const trajectory = hooks.artifacts.get('trajectory') as { format: 'json'; value: { labels: string[] } };
    expect(trajectory.value.labels.at(-1)).toBe('t=0.00001');
    expect(timeLabel(0.5)).toBe('t=0.50');
  });
});
