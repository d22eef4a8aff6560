// The API against a store filled by a real sweep: experiments/tiny.yaml run through the scorelab
// CLI (a child process, so the dashboard still never loads tfjs), then every view's endpoint.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportRecord } from '@scorelab/tracking';
import { startServer, type DashboardServer } from '../src/server';
import { getJson } from './helpers';

const root = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
let server: DashboardServer;
let records: ExportRecord[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scorelab-real-sweep-'));
  const db = join(dir, 'scorelab.db');
  const r = spawnSync(process.execPath, [join(root, 'apps/runner/bin/scorelab.js'), 'sweep', '--config', join(root, 'experiments/tiny.yaml'), '--db', db, '--workers', '2', '--quiet'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  server = await startServer({ dbPath: db, port: 0, host: '127.0.0.1' });
  records = await server.store.exportRuns({ sweep: 'tiny' });
}, 240_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard API on a real tiny sweep', () => {
  it('lists the sweep with every run finished and the best run by sample/mmd', async () => {
    const { sweeps } = await getJson(server.url, '/api/sweeps');
    const tiny = sweeps.find((s: { name: string }) => s.name === 'tiny');
    expect(tiny.counts.finished).toBe(4);
    expect(tiny.parameters).toEqual(['loss.kind']);
    const mmds = records.map((r) => r.metrics['sample/mmd']);
    expect(tiny.best.metric).toBe('sample/mmd');
    expect(tiny.best.value).toBe(Math.min(...mmds));
  });

  it('carries each sample metric\'s floor and the verdict on the best (issue 13)', async () => {
    const summary = await getJson(server.url, '/api/sweeps/tiny');
    expect(summary.metricKeys).toEqual(expect.arrayContaining(['ref/mmd', 'ref/swd', 'ref/mode_weight_tv', 'sample/mmd_p']));
    for (const k of ['ref/mmd', 'ref/swd', 'sample/mmd_p', 'ref/mode_weight/0']) expect(summary.directions[k]).toBe('none');
    const refs = records.map((r) => r.metrics['ref/mmd']);
    expect(summary.floor).toMatchObject({ key: 'ref/mmd', n: 4, min: Math.min(...refs), max: Math.max(...refs) });
    expect(summary.floor.scatter).toBe(Math.max(...refs.map(Math.abs)));
    expect(typeof summary.verdict.distinguishable).toBe('boolean');
    expect(summary.verdict.basis).toBe('seeds');
    expect(summary.verdict.ranking.map((c: { n: number }) => c.n)).toEqual([2, 2]);
    expect(summary.verdict.ranking[0].mean).toBe(summary.bestConfiguration.mean);
    const hm = await getJson(server.url, '/api/sweeps/tiny/heatmap?metric=sample/swd');
    expect(hm.floor.key).toBe('ref/swd');
    expect(hm.verdict.ranking).toHaveLength(2);
    const ab = await getJson(server.url, '/api/sweeps/tiny/ablation');
    expect(ab.floors['sample/mode_weight_tv'].key).toBe('ref/mode_weight_tv');
    expect(ab.floors['eval/fisher']).toBeNull();
    expect(Object.keys(ab.verdicts)).toEqual(ab.metrics);
  });

  it('groups the ablation by loss.kind with both objectives and their ms/step', async () => {
    const ab = await getJson(server.url, '/api/sweeps/tiny/ablation');
    expect(ab.available).toBe(true);
    expect(ab.groups.map((g: { label: string }) => g.label).sort()).toEqual(['dsm', 'ssm-vr']);
    for (const g of ab.groups) {
      expect(g.metrics['sample/mmd'].n).toBe(2);
      expect(g.msPerStep.mean).toBeGreaterThan(0);
    }
  });

  it('serves every run: per-level Fisher keys, downsampled series, and the five 2-D artifacts', async () => {
    for (const rec of records) {
      const detail = await getJson(server.url, `/api/runs/${rec.id}`);
      expect(detail.metricKeys).toEqual(expect.arrayContaining(['train/loss', 'eval/fisher', 'eval/fisher@20', 'eval/fisher@1', 'sample/mmd', 'sample/swd', 'sample/mode_weight_tv']));
      // The runner may store more (checkpoints); the run page draws these five.
      expect(detail.artifacts.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['data-samples', 'density', 'samples', 'score-field', 'trajectory']));
      const series = await getJson(server.url, `/api/runs/${rec.id}/series?key=train/loss&maxPoints=3`);
      expect(series.total).toBe(5); // 50 steps, logEvery 10
      expect(series.points).toHaveLength(3);
      const samples = await getJson(server.url, `/api/runs/${rec.id}/artifacts/samples`);
      expect(samples.shape).toEqual([200, 2]);
      const traj = await getJson(server.url, `/api/runs/${rec.id}/artifacts/trajectory`);
      expect(traj.value.labels).toHaveLength(4); // init + 3 levels
    }
  });
});
