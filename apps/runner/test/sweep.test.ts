// End to end through the real CLI: a tiny sweep stored, listed, shown and exported; `run --set`.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandSweep, loadExperimentFile } from '@scorelab/config';
import { openStore, type RunStore } from '@scorelab/tracking';
import { TINY_YAML, parseCsv, runCli, tempDir, type CliResult, type TempDir } from './helpers';

describe('scorelab sweep (experiments/tiny.yaml, 2 workers)', () => {
  let dir: TempDir;
  let db: string;
  let result: CliResult;
  let store: RunStore;

  beforeAll(async () => {
    dir = tempDir();
    db = dir.file('runs/store.db'); // the runs/ directory does not exist yet: the sweep creates it
    result = await runCli(['sweep', '--config', TINY_YAML, '--db', db, '--workers', '2']);
    store = await openStore(db, { readonly: true });
  });
  afterAll(async () => {
    await store?.close();
    dir.remove();
  });

  it('exits 0 with every run of the expansion finished exactly once', async () => {
    expect(result.stderr).not.toMatch(/database is locked/);
    expect(result.code, result.stderr).toBe(0);
    const sweep = await store.getSweep('tiny');
    expect(sweep?.status).toBe('finished');
    const runs = await store.listRuns({ sweepId: sweep!.id });
    const expected = expandSweep(loadExperimentFile(TINY_YAML));
    expect(runs.map((r) => r.configHash).sort()).toEqual(expected.map((r) => r.hash).sort());
    for (const r of runs) {
      expect(r.status).toBe('finished');
      expect(r.attempt).toBe(1);
      expect(r.backend).toBe('wasm');
      // Recorded like the backend: the fused kernels by default, unless SCORELAB_ENGINE says otherwise.
      expect(r.engine).toBe(process.env.SCORELAB_ENGINE === 'tfjs' ? 'tfjs' : 'fused');
      expect(r.versions).toMatchObject({ node: process.versions.node, tfjs: '4.22.0' });
    }
  });

  it('stores every metric key of DESIGN.md section 5 that tiny.yaml asks for, at the logged steps', async () => {
    // tiny.yaml: 50 steps, logEvery 10, eval every 25 with [fisher, mmd, swd, modeWeights]; sigmas are
    // geometric from 20 to 1 over 3 levels: 20 * 20^(-i/2) = 20, 4.472, 1 (4 significant digits).
    const runs = await store.listRuns({ sweepId: (await store.getSweep('tiny'))!.id });
    for (const r of runs) {
      const keys = await store.metricKeys({ runId: r.id });
      expect(keys.sort()).toEqual(
        [
          'train/loss',
          'train/grad_norm',
          'perf/steps_per_sec',
          'perf/sample_seconds',
          'perf/nfe',
          'eval/fisher',
          'eval/fisher@20',
          'eval/fisher@4.472',
          'eval/fisher@1',
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
      const loss = await store.metricSeries(r.id, 'train/loss');
      expect(loss.points.map((p) => p.step)).toEqual([10, 20, 30, 40, 50]);
      const fisher = await store.metricSeries(r.id, 'eval/fisher');
      expect(fisher.points.map((p) => p.step)).toEqual([25, 50]);
      // ald: 3 levels x 10 steps per level, no denoising step.
      expect(r.latest['perf/nfe']).toBe(30);
      // The mode fractions sum to 1 and their TV distance to the true weights (0.2, 0.8) is the stored one.
      const f0 = r.latest['sample/mode_weight/0'];
      const f1 = r.latest['sample/mode_weight/1'];
      expect(f0 + f1).toBeCloseTo(1, 12);
      expect(r.latest['sample/mode_weight_tv']).toBeCloseTo(0.5 * (Math.abs(f0 - 0.2) + Math.abs(f1 - 0.8)), 12);
    }
  });

  it('stores the 2-D artifacts (samples, data samples, score field, density, trajectory)', async () => {
    const runs = await store.listRuns({ sweepId: (await store.getSweep('tiny'))!.id });
    for (const r of runs) {
      const artifacts = await store.listArtifacts(r.id);
      // checkpoint/final: the trained model (no run of tiny shares its training hash with another).
      expect(artifacts.map((a) => a.name).sort()).toEqual(['checkpoint/final', 'data-samples', 'density', 'samples', 'score-field', 'trajectory']);
      expect(artifacts.find((a) => a.name === 'samples')?.shape).toEqual([200, 2]);
    }
  });

  it('prints a summary with the store path and how to open the dashboard and export', () => {
    expect(result.stdout).toContain('sweep tiny finished: 4 runs (4 finished)');
    expect(result.stdout).toContain(db);
    expect(result.stdout).toContain(`npx nx run dashboard:serve --db ${db}`);
    expect(result.stdout).toContain('npx scorelab export --sweep tiny --format csv');
    // one progress line per ended run in non-TTY mode
    expect(result.stderr.match(/^\[\d\/4\] run \d+ finished/gm)).toHaveLength(4);
  });

  it('ls and show read the store', async () => {
    const ls = await runCli(['ls', '--db', db]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^\s*1\s+tiny\s+finished\s+4\s+4\s+0\s+0\s+0\s+0\s/m);
    const runs = await runCli(['ls', '--sweep', 'tiny', '--db', db]);
    expect(runs.stdout.match(/finished\s+loss\.kind=(dsm|ssm-vr)/g)).toHaveLength(4);
    // Each sample metric with its noise floor, and the permutation p-value.
    expect(runs.stdout).toMatch(/^.*mmd\s+mmd_p\s+swd\s+mode_weight_tv/m);
    expect(runs.stdout.match(/-?\d[\d.e+-]* \(ref -?\d[\d.e+-]*\)/g)).toHaveLength(12);
    const show = await runCli(['show', '1', '--db', db]);
    expect(show.code).toBe(0);
    for (const text of ['status:      finished', 'backend:     wasm', `engine:      ${process.env.SCORELAB_ENGINE === 'tfjs' ? 'tfjs' : 'fused'}`, 'eval/fisher@4.472', 'score-field', 'resolved config:', 'stepsPerLevel: 10']) expect(show.stdout).toContain(text);
  });

  it('bad flags against an existing store exit 2 and write nothing', async () => {
    const again = await runCli(['sweep', '--config', TINY_YAML, '--db', db, '--workers', '0']);
    expect(again.code).toBe(2);
    expect((await store.listSweeps()).map((s) => s.name)).toEqual(['tiny']);
  });

  it('export --format json: one record per run with params, resolved config and final metrics', async () => {
    const out = dir.file('export.json');
    const r = await runCli(['export', '--db', db, '--format', 'json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const records = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>[];
    const runs = await store.listRuns();
    expect(records).toHaveLength(runs.length);
    for (const run of runs) {
      const rec = records.find((x) => x.id === run.id)!;
      expect(rec).toMatchObject({ sweep: 'tiny', status: 'finished', seed: run.seed, params: run.params, config: run.config, configHash: run.configHash });
      expect(rec.metrics).toEqual(run.latest);
    }
  });

  it('export --format csv: a header and one properly quoted row per run, params and metrics as columns', async () => {
    const r = await runCli(['export', '--db', db, '--sweep', 'tiny', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const rows = parseCsv(r.stdout);
    const runs = await store.listRuns();
    expect(rows).toHaveLength(runs.length + 1);
    const header = rows[0];
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    const col = (name: string) => header.indexOf(name);
    for (const name of ['id', 'sweep', 'status', 'seed', 'params.loss.kind', 'config', 'eval/fisher', 'sample/mmd', 'sample/mmd_p', 'ref/mmd', 'ref/swd', 'ref/mode_weight_tv', 'ref/mode_weight/0', 'train/loss']) expect(col(name), name).toBeGreaterThanOrEqual(0);
    for (const run of runs) {
      const row = rows.find((x) => Number(x[col('id')]) === run.id)!;
      expect(row[col('params.loss.kind')]).toBe(run.params['loss.kind']);
      // The config column is JSON with commas and quotes inside: it survives the quoting intact.
      expect(JSON.parse(row[col('config')])).toEqual(run.config);
      expect(Number(row[col('eval/fisher')])).toBe(run.latest['eval/fisher']);
    }
  });
});

describe('scorelab run', () => {
  it('stores one run of the base config with the --set override, as sweep <name>-run', async () => {
    const dir = tempDir();
    try {
      const db = dir.file('run.db');
      const r = await runCli(['run', '--config', TINY_YAML, '--set', 'sampler.stepSize=0.05', '--seed', '7', '--db', db, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      const store = await openStore(db, { readonly: true });
      try {
        const sweeps = await store.listSweeps();
        expect(sweeps.map((s) => s.name)).toEqual(['tiny-run']);
        const [run] = await store.listRuns({ sweepId: sweeps[0].id });
        expect(run.status).toBe('finished');
        expect(run.seed).toBe(7);
        expect((run.config as any).sampler.stepSize).toBe(0.05);
        // The base's loss (tiny.yaml sweeps loss.kind; `run` ignores the parameters).
        expect((run.config as any).loss.kind).toBe('dsm');
        expect(run.params).toEqual({ 'sampler.stepSize': 0.05 });
      } finally {
        await store.close();
      }
      expect(existsSync(db)).toBe(true);
    } finally {
      dir.remove();
    }
  });
});
