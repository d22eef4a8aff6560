// Score-SDE runs: a tiny trained SDE sweep end to end through the real CLI (every metric key, the
// artifacts, the resolved config). In-process runs of the pipeline: packages/pipeline/src/sde-runs.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type RunStore, type RunSummary } from '@scorelab/tracking';
import { runCli, tempDir, type CliResult, type TempDir } from './helpers';

/** eval/fisher@t=<t> keys of an SDE with trainEps 1e-5 (the default): trainEps, then 0.1, ..., 1. */
const FISHER_TIME_KEYS = ['eval/fisher@t=0.00001', ...Array.from({ length: 10 }, (_, k) => `eval/fisher@t=${Number(((k + 1) / 10).toPrecision(4))}`)];

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
    // The two runs differ in their sampler only, so they would share one trained model: here each trains its own,
    // so that both log the training and evaluation series checked below (reuse.test.ts tests the sharing).
    result = await runCli(['sweep', '--config', dir.write('tiny-sde.yaml', TINY_SDE), '--db', db, '--workers', '2'], { env: { SCORELAB_REUSE_MODELS: '0' } });
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
          'sample/mmd_p',
          'sample/swd',
          'sample/mode_weight_tv',
          'sample/mode_weight/0',
          'sample/mode_weight/1',
          'ref/mmd',
          'ref/swd',
          'ref/mode_weight_tv',
          'ref/mode_weight/0',
          'ref/mode_weight/1',
        ].sort(),
      );
      for (const key of ['eval/fisher', 'eval/nll', 'perf/nll_nfe']) expect((await store.metricSeries(r.id, key)).points.map((p) => p.step), key).toEqual([20, 40]);
      expect((await store.metricSeries(r.id, 'train/loss')).points.map((p) => p.step)).toEqual([10, 20, 30, 40]);
      for (const [key, value] of Object.entries(r.latest)) expect(Number.isFinite(value), key).toBe(true);
      // An untrained-ish network: NLL above the data's entropy (3.34 nats), but a number, not a blow-up.
      expect(r.latest['eval/nll']).toBeGreaterThan(3);
      expect(r.latest['eval/nll']).toBeLessThan(50);
      // rk45 with the likelihood's extra state: 2 evaluations to start, 6 per attempted step, each D = 2
      // score forward passes (the exact divergence).
      expect((r.latest['perf/nll_nfe'] / 2 - 2) % 6).toBe(0);
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
      sde: { kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 0.001, trainEps: 0.00001 },
      sampler: { kind: 'pc', steps: 20, snr: 0.16, correctorSteps: 1, predictor: 'reverse-diffusion', samples: 100, denoise: false },
    });
    expect(runs[1].config).toMatchObject({ sampler: { kind: 'ode', method: 'rk45', rtol: 1e-5, atol: 1e-5, samples: 100, denoise: true } });
  });

  it('stores the 2-D artifacts: the score field at t = eps, a trajectory labelled by time', async () => {
    for (const r of runs) {
      expect((await store.listArtifacts(r.id)).map((a) => a.name).sort()).toEqual(['checkpoint/final', 'data-samples', 'density', 'samples', 'score-field', 'trajectory']);
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
