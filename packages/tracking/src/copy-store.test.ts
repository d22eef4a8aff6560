// copyStore between real stores: SQLite -> PostgreSQL -> SQLite gives back every query's answer
// (ids aside), a second copy changes nothing, a merge copies only the missing runs, and a sweep of
// the same name with other runs is refused before anything is written.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CopyProgress, copyStore } from './copy-store';
import { StoreError } from './errors';
import { PostgresRunStore } from './postgres/postgres-store';
import { type SqliteRunStore, openSqliteStore } from './sqlite-store';
import { CLAIM, FakeClock, newRun, tempDir } from './test/helpers';
import { createTestDatabase, startTestPostgres, type TestPostgres } from './testing/postgres-server';
import type { RunStore } from './types';

let server: TestPostgres;
const tmp = tempDir();
let counter = 0;
const clock = new FakeClock();
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

const sqlite = (): Promise<SqliteRunStore> => openSqliteStore(join(tmp.dir, `copy-${++counter}.db`), { now: clock.now });
const postgres = async (): Promise<PostgresRunStore> => PostgresRunStore.open(await createTestDatabase(server.url), { now: clock.now });
const HASH = '0123456789abcdef';

/** A store with a bit of everything: every status, retries with history, non-finite values, every artifact format, a shared model. */
async function fixture(store: RunStore): Promise<void> {
  const a = await store.createSweep({ name: 'ablation', description: 'd', config: { name: 'ablation', z: 1, a: 2 }, filePath: 'experiments/a.yaml' });
  const runs = await store.addRuns(a.id, Array.from({ length: 5 }, (_, i) => newRun(i, { trainingHash: i < 2 ? HASH : null })));
  await store.setSweepStatus(a.id, 'running', { host: 'elsewhere', pid: 77 });
  const [trainer, sampler, failed, killed] = runs;
  clock.advance(1000);
  await store.startRun(trainer.id, CLAIM);
  await store.setRunEngine(trainer.id, 'fused');
  await store.logMetrics(trainer.id, [
    ...Array.from({ length: 300 }, (_, step) => ({ key: 'train/loss', step, value: Math.exp(-step / 50), wallTime: 5000 + step })),
    { key: 'eval/fisher', step: 299, value: NaN },
    { key: 'eval/nll', step: 299, value: -Infinity },
  ]);
  await store.heartbeat(trainer.id, { step: 299, totalSteps: 300 });
  await store.saveArtifact(trainer.id, { name: 'checkpoint/final', kind: 'checkpoint', content: { format: 'bytes', data: Uint8Array.from({ length: 999 }, (_, i) => i % 253) } });
  await store.saveArtifact(trainer.id, { name: 'samples', kind: 'samples', content: { format: 'float32', shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 1 / 3]) } });
  await store.saveArtifact(trainer.id, { name: 'field', kind: 'score-field', content: { format: 'float64', shape: [2], data: Float64Array.from([Math.PI, 1e-310]) } });
  await store.saveArtifact(trainer.id, { name: 'traj', kind: 'trajectory', content: { format: 'json', value: { steps: [0, 1], b: 2, a: 1 } } });
  const model = await store.saveModel({ trainingHash: HASH, sourceRunId: trainer.id, checkpoint: 'checkpoint/final', step: 300 });
  clock.advance(500);
  await store.finishRun(trainer.id);
  await store.startRun(sampler.id, { ...CLAIM, host: hostname() });
  await store.setRunModel(sampler.id, model.id);
  await store.logMetrics(sampler.id, [{ key: 'sample/mmd', step: 0, value: 0.002 }]);
  await store.finishRun(sampler.id);
  // Failed, retried with a resume, failed again: three attempts' history.
  await store.startRun(failed.id, CLAIM);
  await store.logMetrics(failed.id, [10, 20, 30].map((step) => ({ key: 'train/loss', step, value: step })));
  await store.failRun(failed.id, new Error('loss is NaN'), 30);
  await store.resetRunForRetry(failed.id, { keepThroughStep: 20 });
  clock.advance(100);
  await store.startRun(failed.id, CLAIM);
  await store.failRun(failed.id, 'again');
  await store.killRun(killed.id, 'interrupted (SIGINT)');
  const b = await store.createSweep({ name: 'other', config: {} });
  await store.addRuns(b.id, [newRun(0), newRun(1)]);
  await store.setSweepStatus(b.id, 'failed');
}

/** Everything the queries answer, with ids replaced by (sweep, idx) names. */
async function snapshot(store: RunStore): Promise<unknown> {
  const sweeps = await store.listSweeps();
  const nameOfRun = new Map<number, string>();
  for (const r of await store.listRuns()) nameOfRun.set(r.id, `${r.sweepName}/${r.idx}`);
  const out: Record<string, unknown> = { sweeps: sweeps.map(({ id: _id, ...s }) => s) };
  for (const sweep of sweeps) {
    for (const run of await store.listRuns({ sweepId: sweep.id })) {
      const detail = (await store.getRun(run.id))!;
      const { id: _id, sweepId: _sweepId, modelId, ...rest } = detail;
      const model = modelId === null ? null : await store.getModel(modelId);
      const series: Record<string, unknown> = {};
      for (const key of await store.metricKeys({ runId: run.id })) {
        series[key] = { all: (await store.metricSeries(run.id, key)).points, few: (await store.metricSeries(run.id, key, { maxPoints: 20 })).points };
      }
      const artifacts = [];
      for (const info of await store.listArtifacts(run.id)) {
        const { runId: _r, ...a } = (await store.getArtifact(run.id, info.name))!;
        artifacts.push(a);
      }
      out[nameOfRun.get(run.id)!] = {
        ...rest,
        model: model && { ...model, id: undefined, sourceRunId: nameOfRun.get(model.sourceRunId) },
        found: model && (await store.findModel(model.trainingHash))?.step,
        series,
        artifacts,
      };
    }
    out[`keys of ${sweep.name}`] = await store.metricKeys({ sweepId: sweep.id });
    out[`export of ${sweep.name}`] = (await store.exportRuns({ sweep: sweep.name })).map(({ id: _id, sweepId: _s, ...r }) => r);
  }
  return out;
}

describe('copyStore', () => {
  it('SQLite -> PostgreSQL -> SQLite answers every query as the original, and a second copy changes nothing', async () => {
    const original = await sqlite();
    await fixture(original);
    const pg = await postgres();
    const progress: CopyProgress[] = [];
    const first = await copyStore({ from: original, to: pg, onProgress: (p) => progress.push(p) });
    // 302 points of the trainer, 1 of the sampler, 2 kept by the resumed retry.
    expect(first).toEqual({ sweeps: 2, mergedSweeps: 0, runs: 7, skippedRuns: 0, points: 305, artifacts: 4, models: 1 });
    expect(progress.map((p) => [p.sweep, p.runsDone, p.runsTotal])).toEqual([
      ['ablation', 0, 5], ['ablation', 1, 5], ['ablation', 2, 5], ['ablation', 3, 5], ['ablation', 4, 5], ['ablation', 5, 5],
      ['other', 0, 2], ['other', 1, 2], ['other', 2, 2],
    ]);
    const want = await snapshot(original);
    expect(await snapshot(pg)).toEqual(want);

    const back = await sqlite();
    await copyStore({ from: pg, to: back });
    expect(await snapshot(back)).toEqual(want);

    // Copying again: everything is there, nothing is written.
    const again = await copyStore({ from: original, to: pg });
    expect(again).toEqual({ sweeps: 0, mergedSweeps: 2, runs: 0, skippedRuns: 7, points: 0, artifacts: 0, models: 0 });
    expect(await snapshot(pg)).toEqual(want);
    await Promise.all([original.close(), pg.close(), back.close()]);
  });

  it('merges a sweep present by name: copies its missing runs only, and keeps the runs that are there', async () => {
    const source = await postgres();
    const sweep = await source.createSweep({ name: 's', config: {} });
    const runs = await source.addRuns(sweep.id, [newRun(0), newRun(1), newRun(2)]);
    await source.startRun(runs[0].id, CLAIM);
    await source.finishRun(runs[0].id);
    const target = await sqlite();
    await copyStore({ from: source, to: target, sweeps: ['s'] });
    // The target's run 0 moves on; the source gets a run 3.
    const t0 = (await target.listRuns())[0];
    await target.resetRunForRetry((await target.killRun((await target.addRuns(t0.sweepId, [newRun(7)]))[0].id)).id);
    await source.addRuns(sweep.id, [newRun(3)]);
    const counts = await copyStore({ from: source, to: target });
    expect([counts.runs, counts.skippedRuns, counts.mergedSweeps]).toEqual([1, 3, 1]);
    expect((await target.listRuns()).map((r) => [r.idx, r.status])).toEqual([[0, 'finished'], [1, 'queued'], [2, 'queued'], [3, 'queued'], [7, 'queued']]);
    await Promise.all([source.close(), target.close()]);
  });

  it('refuses a same-named sweep with other runs, and an unknown --sweep, before writing anything', async () => {
    const source = await sqlite();
    const target = await postgres();
    for (const store of [source, target]) await store.createSweep({ name: 'clash', config: {} });
    const s = (await source.findSweepByName('clash'))!;
    await source.addRuns(s.id, [newRun(0)]);
    await target.addRuns((await target.findSweepByName('clash'))!.id, [newRun(0, { configHash: 'other-hash' })]);
    const fresh = await source.createSweep({ name: 'fresh', config: {} });
    await source.addRuns(fresh.id, [newRun(0)]);
    const before = await snapshot(target);
    const e = await copyStore({ from: source, to: target }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(StoreError);
    expect((e as Error).message).toBe(
      "copyStore: sweep 'clash' exists in the target with other runs (run 0: config hash other-hash there, hash-0 here); nothing was copied. Rename one of the sweeps or copy the others with --sweep",
    );
    await expect(copyStore({ from: source, to: target, sweeps: ['nope'] })).rejects.toThrow("copyStore: no sweep 'nope' in the source store");
    expect(await snapshot(target)).toEqual(before);
    // The other sweep alone copies fine.
    expect((await copyStore({ from: source, to: target, sweeps: ['fresh'] })).runs).toBe(1);
    await Promise.all([source.close(), target.close()]);
  });
});
