// Issue 10 item 7: `--resume` after editing an unswept value (train.lr) adds runs whose stored params
// equal the old runs' params. The runner keeps them in one sweep and warns; the dashboard must not
// average lr 0.001 and lr 0.002 as one configuration: train.lr becomes a parameter (swept: false)
// wherever runs are grouped. The store is made by the real CLI: a tiny sweep, the edit, --resume.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '@scorelab/tracking';
import { startServer, type DashboardServer } from '../src/server';
import { getJson } from './helpers';

const root = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
let server: DashboardServer;
/** Stored runs by id, and the lr of each from its resolved config. */
const lrOf = new Map<number, number>();
let resumeStderr = '';

function sweep(config: string, db: string, resume: boolean) {
  const args = [join(root, 'apps/runner/bin/scorelab.js'), 'sweep', '--config', config, '--db', db, '--workers', '2', '--quiet', ...(resume ? ['--resume'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scorelab-resume-edited-'));
  const db = join(dir, 'scorelab.db');
  const file = join(dir, 'tiny.yaml');
  const tiny = readFileSync(join(root, 'experiments/tiny.yaml'), 'utf8');
  const trainLine = '  train: { steps: 50, batchSize: 64, logEvery: 10 }';
  expect(tiny).toContain(trainLine);
  writeFileSync(file, tiny.replace(trainLine, '  train: { steps: 50, batchSize: 64, logEvery: 10, lr: 0.001 }'));
  sweep(file, db, false);
  writeFileSync(file, tiny.replace(trainLine, '  train: { steps: 50, batchSize: 64, logEvery: 10, lr: 0.002 }'));
  resumeStderr = sweep(file, db, true).stderr;
  server = await startServer({ dbPath: db, port: 0, host: '127.0.0.1' });
  for (const r of await server.store.listRuns()) lrOf.set(r.id, (r.config.train as { lr: number }).lr);
}, 240_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The lr values of a group of runs: one value when the group is one configuration. */
const lrs = (ids: readonly number[]) => [...new Set(ids.map((id) => lrOf.get(id)))].sort();

describe('a sweep resumed after editing train.lr', () => {
  it('has, as the runner stores it, runs with equal params and different lr (and the CLI warned)', async () => {
    expect(resumeStderr).toContain("no longer matches sweep 'tiny': 4 new runs added, 4 stored runs not in the file any more");
    const runs: RunSummary[] = await server.store.listRuns({ sweepId: (await server.store.getSweep('tiny'))!.id });
    expect(runs).toHaveLength(8);
    expect(runs.every((r) => Object.keys(r.params).join() === 'loss.kind')).toBe(true);
    expect(lrs(runs.map((r) => r.id))).toEqual([0.001, 0.002]);
  });

  it('shows train.lr as an unswept parameter in the summary, the runs table and the CSV', async () => {
    const summary = await getJson(server.url, '/api/sweeps/tiny');
    expect(summary.parameters.map((p: { path: string; swept: boolean }) => [p.path, p.swept])).toEqual([
      ['loss.kind', true],
      ['train.lr', false],
    ]);
    expect(summary.parameters[1].values.map((v: { value: number }) => v.value)).toEqual([0.001, 0.002]);
    const { sweeps } = await getJson(server.url, '/api/sweeps');
    expect(sweeps[0].parameters).toEqual(['loss.kind', 'train.lr']);
    const { runs } = await getJson(server.url, '/api/sweeps/tiny/runs');
    for (const r of runs) expect(r.params['train.lr']).toBe(lrOf.get(r.id));
    const csv = await (await fetch(`${server.url}/api/sweeps/tiny/runs.csv`)).text();
    expect(csv.split('\r\n')[0]).toMatch(/^run_id,idx,status,loss\.kind,train\.lr,seed,/);
    const page = await getJson(server.url, `/api/runs/${runs[7].id}`);
    expect(page.run.params).toEqual({ 'loss.kind': runs[7].params['loss.kind'], 'train.lr': 0.002 });
  });

  it('never pools the two lr values in the best configuration, the heatmap cells or the @config curves', async () => {
    const summary = await getJson(server.url, '/api/sweeps/tiny?metric=eval/fisher');
    const best = summary.bestConfiguration;
    expect(best.runIds).toHaveLength(2); // the two seeds of one configuration, not four runs
    expect(lrs(best.runIds)).toEqual([best.params['train.lr']]);
    const marginal = summary.marginals.find((m: { path: string }) => m.path === 'train.lr');
    expect(marginal.values.map((v: { n: number }) => v.n)).toEqual([4, 4]);

    const hm = await getJson(server.url, '/api/sweeps/tiny/heatmap?metric=eval/fisher');
    expect([hm.y.path, hm.x.path]).toEqual(['loss.kind', 'train.lr']);
    expect(hm.pooled).toEqual([]);
    for (const row of hm.cells) {
      row.forEach((cell: { runIds: number[]; n: number }, col: number) => {
        expect(cell.n).toBe(2);
        expect(lrs(cell.runIds)).toEqual([hm.x.values[col].value]);
      });
    }

    const curves = await getJson(server.url, '/api/sweeps/tiny/curves?key=train/loss&groupBy=@config');
    expect(curves.groups).toHaveLength(4);
    for (const g of curves.groups) expect(lrs(g.runIds)).toEqual([g.params['train.lr']]);
  });

  it('groups the ablation by train.lr, and says that the loss.kind groups pool over it', async () => {
    const byLr = await getJson(server.url, '/api/sweeps/tiny/ablation?param=train.lr');
    expect(byLr.groups.map((g: { value: number }) => g.value)).toEqual([0.001, 0.002]);
    for (const g of byLr.groups) expect(lrs(g.runIds)).toEqual([g.value]);
    const byLoss = await getJson(server.url, '/api/sweeps/tiny/ablation');
    expect(byLoss.param).toBe('loss.kind');
    expect(byLoss.pooled).toEqual(['train.lr']);
  });
});
