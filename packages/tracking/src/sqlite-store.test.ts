import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IllegalTransitionError, NotFoundError, ReadOnlyStoreError, StoreError } from './errors';
import { openStore, type SqliteRunStore } from './sqlite-store';
import { CLAIM, FakeClock, newRun, tempDir } from './test/helpers';
import { RUN_TRANSITIONS } from './transitions';
import type { RunStatus, RunStore } from './types';
import { RUN_STATUSES } from './types';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let counter = 0;
const freshPath = () => join(tmp.dir, `db-${++counter}`, 'nested', 'runs.db');

let clock: FakeClock;
let store: SqliteRunStore;
let path: string;
beforeEach(async () => {
  clock = new FakeClock();
  path = freshPath();
  store = await openStore(path, { now: clock.now });
});
afterEach(async () => {
  await store.close();
});

async function sweepWithRuns(n: number, name = 'ablation') {
  const sweep = await store.createSweep({ name, description: 'd', config: { name, parameters: { 'loss.kind': ['sm', 'dsm'] } }, filePath: 'experiments/a.yaml' });
  const runs = await store.addRuns(sweep.id, Array.from({ length: n }, (_, i) => newRun(i)));
  return { sweep, runs };
}

describe('openStore', () => {
  it('creates parent directories and sets WAL, NORMAL sync, busy timeout and foreign keys', () => {
    expect(existsSync(path)).toBe(true);
    expect(store.settings()).toEqual({
      journalMode: 'wal',
      synchronous: 'normal',
      busyTimeoutMs: 10_000,
      foreignKeys: true,
      schemaVersion: 5,
    });
  });

  it('read-only open of a missing file fails clearly instead of creating it', async () => {
    const missing = join(tmp.dir, 'missing', 'x.db');
    await expect(openStore(missing, { readonly: true })).rejects.toThrow(/no scorelab store at .*x\.db/);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('sweeps', () => {
  it('round-trips a sweep and finds it by id, name and numeric string', async () => {
    const { sweep } = await sweepWithRuns(3);
    expect(sweep).toEqual({
      id: sweep.id,
      name: 'ablation',
      description: 'd',
      config: { name: 'ablation', parameters: { 'loss.kind': ['sm', 'dsm'] } },
      filePath: 'experiments/a.yaml',
      status: 'queued',
      createdAt: clock.t,
      host: null,
      pid: null,
      startedAt: null,
      heartbeatAt: null,
    });
    expect(await store.findSweepByName('ablation')).toEqual(sweep);
    expect(await store.findSweepByName('nope')).toBeUndefined();
    const counts = { queued: 3, running: 0, finished: 0, failed: 0, killed: 0, total: 3 };
    expect(await store.getSweep(sweep.id)).toEqual({ ...sweep, counts });
    expect(await store.getSweep('ablation')).toEqual({ ...sweep, counts });
    expect(await store.getSweep(String(sweep.id))).toEqual({ ...sweep, counts });
    expect(await store.getSweep('999')).toBeUndefined();
    await store.setSweepStatus(sweep.id, 'running');
    expect((await store.getSweep(sweep.id))!.status).toBe('running');
    await expect(store.setSweepStatus(999, 'running')).rejects.toThrow(NotFoundError);
  });

  it('rejects a duplicate name with a message naming the existing sweep', async () => {
    const { sweep } = await sweepWithRuns(0);
    await expect(store.createSweep({ name: 'ablation', config: {} })).rejects.toThrow(
      `sweep 'ablation' already exists (id ${sweep.id})`,
    );
  });

  it('lists sweeps with counts by status', async () => {
    const a = await sweepWithRuns(4, 'a');
    const b = await sweepWithRuns(2, 'b');
    await store.startRun(a.runs[0].id, CLAIM);
    await store.startRun(a.runs[1].id, CLAIM);
    await store.finishRun(a.runs[1].id);
    await store.killRun(a.runs[2].id);
    await store.failRun(b.runs[0].id, 'bad config');
    const list = await store.listSweeps();
    expect(list.map((s) => [s.name, s.counts])).toEqual([
      ['a', { queued: 1, running: 1, finished: 1, failed: 0, killed: 1, total: 4 }],
      ['b', { queued: 1, running: 0, finished: 0, failed: 1, killed: 0, total: 2 }],
    ]);
  });
});

describe('runs', () => {
  it('addRuns stores queued runs with params, config, hash and seed', async () => {
    const { sweep, runs } = await sweepWithRuns(3);
    expect(runs.map((r) => r.idx)).toEqual([0, 1, 2]);
    const expected = newRun(1);
    expect(runs[1]).toMatchObject({
      sweepId: sweep.id,
      idx: 1,
      status: 'queued',
      params: expected.params,
      config: expected.config,
      configHash: 'hash-1',
      seed: 1,
      attempt: 0,
      createdAt: clock.t,
      startedAt: null,
      backend: null,
    });
  });

  it('addRuns rejects a duplicate idx unless skipExisting, which inserts only the new ones', async () => {
    const { sweep } = await sweepWithRuns(2);
    await expect(store.addRuns(sweep.id, [newRun(1)])).rejects.toThrow(/UNIQUE/);
    // The failed batch wrote nothing.
    expect((await store.listRuns({ sweepId: sweep.id })).length).toBe(2);
    const added = await store.addRuns(sweep.id, [newRun(0), newRun(1), newRun(2), newRun(3)], { skipExisting: true });
    expect(added.map((r) => r.idx)).toEqual([2, 3]);
    await expect(store.addRuns(999, [newRun(0)])).rejects.toThrow(NotFoundError);
  });

  it('startRun records the worker; heartbeat records progress and reports the status', async () => {
    const { runs } = await sweepWithRuns(1);
    clock.advance(1000);
    const started = await store.startRun(runs[0].id, CLAIM);
    expect(started).toMatchObject({
      status: 'running',
      backend: 'wasm',
      versions: CLAIM.versions,
      gitCommit: 'abc123',
      host: 'test-host',
      pid: 4242,
      attempt: 1,
      startedAt: clock.t,
      heartbeatAt: clock.t,
      currentStep: 0,
      totalSteps: null,
    });
    clock.advance(500);
    expect(await store.heartbeat(runs[0].id, { step: 120, totalSteps: 3000 })).toBe('running');
    let run = (await store.getRun(runs[0].id))!;
    expect([run.heartbeatAt, run.currentStep, run.totalSteps, run.durationMs]).toEqual([clock.t, 120, 3000, 500]);
    // totalSteps is kept when a heartbeat omits it.
    await store.heartbeat(runs[0].id, { step: 130 });
    run = (await store.getRun(runs[0].id))!;
    expect([run.currentStep, run.totalSteps]).toEqual([130, 3000]);
    // A killed run's worker learns it from its next heartbeat, which changes nothing.
    await store.killRun(runs[0].id, 'killed by user');
    clock.advance(500);
    expect(await store.heartbeat(runs[0].id, { step: 140 })).toBe('killed');
    run = (await store.getRun(runs[0].id))!;
    expect([run.currentStep, run.error, run.errorStep]).toEqual([130, 'killed by user', 130]);
    await expect(store.heartbeat(999, { step: 1 })).rejects.toThrow(NotFoundError);
  });

  it('claimRun hands out queued runs in idx order, each once, then undefined', async () => {
    const { sweep, runs } = await sweepWithRuns(3);
    await store.killRun(runs[0].id);
    const first = await store.claimRun(sweep.id, CLAIM);
    const second = await store.claimRun(sweep.id, CLAIM);
    expect([first!.idx, second!.idx]).toEqual([1, 2]);
    expect(first!.status).toBe('running');
    expect(await store.claimRun(sweep.id, CLAIM)).toBeUndefined();
  });

  it('finishRun, failRun and killRun set end time, error and error step', async () => {
    const { runs } = await sweepWithRuns(3);
    for (const r of runs) await store.startRun(r.id, CLAIM);
    await store.heartbeat(runs[1].id, { step: 77 });
    await store.heartbeat(runs[2].id, { step: 55 });
    clock.advance(2000);
    const finished = await store.finishRun(runs[0].id);
    expect([finished.status, finished.endedAt, finished.error]).toEqual(['finished', clock.t, null]);
    // Default error step: the last reported step; an Error keeps its stack.
    const failed = await store.failRun(runs[1].id, new RangeError('loss is NaN'));
    expect([failed.status, failed.errorStep]).toEqual(['failed', 77]);
    expect(failed.error).toMatch(/^RangeError: loss is NaN\n\s+at /);
    const failedAt = await store.failRun((await store.addRuns(runs[0].sweepId, [newRun(9)]))[0].id, 'bad', 3);
    expect([failedAt.error, failedAt.errorStep]).toEqual(['bad', 3]);
    const killed = await store.killRun(runs[2].id, 'interrupted (SIGINT)');
    expect([killed.status, killed.error, killed.errorStep, killed.endedAt]).toEqual(['killed', 'interrupted (SIGINT)', 55, clock.t]);
    const detail = (await store.getRun(runs[0].id))!;
    expect(detail.durationMs).toBe(2000);
    expect(detail.events.map((e) => [e.from, e.to])).toEqual([
      [null, 'queued'],
      ['queued', 'running'],
      ['running', 'finished'],
    ]);
  });

  it('listRuns filters by sweep and status and attaches latest metrics and durations', async () => {
    const a = await sweepWithRuns(3, 'a');
    const b = await sweepWithRuns(1, 'b');
    await store.startRun(a.runs[0].id, CLAIM);
    await store.startRun(a.runs[1].id, CLAIM);
    await store.logMetrics(a.runs[0].id, [
      { key: 'train/loss', step: 0, value: 3 },
      { key: 'train/loss', step: 10, value: 1 },
      { key: 'eval/fisher', step: 10, value: 0.25 },
    ]);
    clock.advance(4000);
    await store.finishRun(a.runs[0].id);
    clock.advance(1000);
    const all = await store.listRuns();
    expect(all.map((r) => [r.sweepName, r.idx])).toEqual([['a', 0], ['a', 1], ['a', 2], ['b', 0]]);
    const running = await store.listRuns({ status: 'running' });
    expect(running.map((r) => r.id)).toEqual([a.runs[1].id]);
    expect(running[0].durationMs).toBe(5000); // still running: now - startedAt
    const doneOrQueued = await store.listRuns({ sweepId: a.sweep.id, status: ['finished', 'queued'] });
    expect(doneOrQueued.map((r) => r.id)).toEqual([a.runs[0].id, a.runs[2].id]);
    expect(doneOrQueued[0].latest).toEqual({ 'train/loss': 1, 'eval/fisher': 0.25 });
    expect(doneOrQueued[0].durationMs).toBe(4000);
    expect(doneOrQueued[1].latest).toEqual({});
    expect(doneOrQueued[1].durationMs).toBeNull();
    expect(await store.listRuns({ status: [] })).toEqual([]);
    expect((await store.listRuns({ sweepId: b.sweep.id })).length).toBe(1);
    expect(await store.getRun(999)).toBeUndefined();
  });
});

describe('status transitions', () => {
  // Brings a fresh run to `status` through legal moves only.
  async function runIn(status: RunStatus): Promise<number> {
    const sweep = (await store.findSweepByName('t')) ?? (await store.createSweep({ name: 't', config: {} }));
    const idx = (await store.listRuns({ sweepId: sweep.id })).length;
    const [run] = await store.addRuns(sweep.id, [newRun(idx)]);
    if (status === 'queued') return run.id;
    if (status === 'killed') {
      await store.killRun(run.id);
      return run.id;
    }
    await store.startRun(run.id, CLAIM);
    if (status === 'finished') await store.finishRun(run.id);
    if (status === 'failed') await store.failRun(run.id, 'x');
    return run.id;
  }
  const move: Record<RunStatus, (s: RunStore, id: number) => Promise<unknown>> = {
    queued: (s, id) => s.resetRunForRetry(id),
    running: (s, id) => s.startRun(id, CLAIM),
    finished: (s, id) => s.finishRun(id),
    failed: (s, id) => s.failRun(id, 'boom'),
    killed: (s, id) => s.killRun(id),
  };

  it('pins the transition table', () => {
    expect(RUN_TRANSITIONS).toEqual({
      queued: ['running', 'failed', 'killed'],
      running: ['finished', 'failed', 'killed'],
      failed: ['queued'],
      killed: ['queued'],
      finished: [],
    });
  });

  for (const from of RUN_STATUSES) {
    for (const to of RUN_STATUSES) {
      const legal = RUN_TRANSITIONS[from].includes(to);
      it(`${from} -> ${to} is ${legal ? 'allowed' : 'rejected, leaving the run unchanged'}`, async () => {
        const id = await runIn(from);
        const before = await store.getRun(id);
        if (legal) {
          await move[to](store, id);
          expect((await store.getRun(id))!.status).toBe(to);
        } else {
          const err = await move[to](store, id).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(IllegalTransitionError);
          expect((err as Error).message).toBe(`run ${id}: cannot go from '${from}' to '${to}'`);
          expect(await store.getRun(id)).toEqual(before);
        }
      });
    }
  }

  it('rejects transitions of a missing run with NotFoundError', async () => {
    await expect(store.finishRun(12345)).rejects.toThrow(NotFoundError);
  });
});

describe('metrics', () => {
  it('round-trips points; series are sorted by step; latest is the largest step even if logged out of order', async () => {
    const { runs } = await sweepWithRuns(2);
    const id = runs[0].id;
    await store.logMetrics(id, [
      { key: 'train/loss', step: 20, value: 0.5, wallTime: 1020 },
      { key: 'train/loss', step: 0, value: 2, wallTime: 1000 },
      { key: 'train/loss', step: 10, value: 1, wallTime: 1010 },
      { key: 'eval/fisher', step: 10, value: 0.125 },
    ]);
    await store.logMetrics(id, [{ key: 'train/loss', step: 5, value: 1.5, wallTime: 1005 }]);
    const s = await store.metricSeries(id, 'train/loss');
    expect(s).toEqual({
      runId: id,
      key: 'train/loss',
      points: [
        { step: 0, value: 2, wallTime: 1000 },
        { step: 5, value: 1.5, wallTime: 1005 },
        { step: 10, value: 1, wallTime: 1010 },
        { step: 20, value: 0.5, wallTime: 1020 },
      ],
      total: 4,
      downsampled: false,
    });
    // wallTime defaults to the write time.
    expect((await store.metricSeries(id, 'eval/fisher')).points).toEqual([{ step: 10, value: 0.125, wallTime: clock.t }]);
    expect((await store.getRun(id))!.latest).toEqual({ 'train/loss': 0.5, 'eval/fisher': 0.125 });
    // Relogging a step replaces the value (and latest, if it is the largest step).
    await store.logMetrics(id, [{ key: 'train/loss', step: 20, value: 0.25 }]);
    expect((await store.metricSeries(id, 'train/loss')).points.map((p) => p.value)).toEqual([2, 1.5, 1, 0.25]);
    expect((await store.getRun(id))!.latest['train/loss']).toBe(0.25);
    expect(await store.metricKeys({ runId: id })).toEqual(['eval/fisher', 'train/loss']);
    await store.logMetrics(runs[1].id, [{ key: 'sample/mmd', step: 0, value: 0.01 }]);
    expect(await store.metricKeys({ sweepId: runs[0].sweepId })).toEqual(['eval/fisher', 'sample/mmd', 'train/loss']);
    expect((await store.metricSeries(id, 'nope')).points).toEqual([]);
  });

  it('writes a batch in one transaction: a bad point rejects the batch and writes nothing', async () => {
    const { runs } = await sweepWithRuns(1);
    const id = runs[0].id;
    await expect(
      store.logMetrics(id, [
        { key: 'train/loss', step: 1, value: 1 },
        { key: 'train/loss', step: 1.5, value: 1 },
      ]),
    ).rejects.toThrow('logMetrics: train/loss: step must be an integer >= 0, got 1.5');
    await expect(store.logMetrics(id, [{ key: '', step: 1, value: 1 }])).rejects.toThrow(StoreError);
    await expect(store.logMetrics(999, [{ key: 'a', step: 1, value: 1 }])).rejects.toThrow(NotFoundError);
    expect((await store.metricSeries(id, 'train/loss')).total).toBe(0);
    // A batch longer than the internal multi-row chunk (64) with a tail is stored completely.
    const points = Array.from({ length: 64 * 3 + 17 }, (_, i) => ({ key: `k${i % 3}`, step: i, value: i / 7 }));
    await store.logMetrics(id, points);
    for (let k = 0; k < 3; k++) {
      const s = await store.metricSeries(id, `k${k}`);
      expect(s.points.map((p) => p.step)).toEqual(points.filter((p) => p.key === `k${k}`).map((p) => p.step));
      expect(s.points.map((p) => p.value)).toEqual(points.filter((p) => p.key === `k${k}`).map((p) => p.value));
    }
  });

  it('stores NaN and +-Infinity faithfully (value NULL + nonfinite flag) next to extreme finite values', async () => {
    const { runs } = await sweepWithRuns(1);
    const id = runs[0].id;
    const values = [1.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, -2.5e-300, 0.1 + 0.2];
    await store.logMetrics(id, values.map((value, step) => ({ key: 'train/loss', step, value })));
    const back = (await store.metricSeries(id, 'train/loss')).points.map((p) => p.value);
    expect(back.length).toBe(values.length);
    back.forEach((v, i) => expect(Object.is(v, values[i])).toBe(true));
    // Latest and export carry a non-finite final value.
    await store.logMetrics(id, [{ key: 'eval/fisher', step: 3, value: NaN }]);
    expect(Number.isNaN((await store.getRun(id))!.latest['eval/fisher'])).toBe(true);
    await store.logMetrics(id, [{ key: 'eval/fisher', step: 4, value: -Infinity }]);
    expect((await store.exportRuns())[0].metrics['eval/fisher']).toBe(-Infinity);
    // In SQL the non-finite rows are NULL, so aggregates skip them.
    const raw = new Database(path, { readonly: true });
    const rows = raw.prepare(`SELECT value, nonfinite FROM metrics WHERE run_id = ? AND key = 'train/loss' ORDER BY step`).all(id);
    expect(rows.slice(0, 4)).toEqual([
      { value: 1.5, nonfinite: null },
      { value: null, nonfinite: 'nan' },
      { value: null, nonfinite: 'inf' },
      { value: null, nonfinite: '-inf' },
    ]);
    expect(raw.prepare(`SELECT count(value) AS n FROM metrics WHERE key = 'train/loss'`).get()).toEqual({ n: 5 });
    raw.close();
  });

  it('downsamples a long series server-side: at most maxPoints, first and last kept, peak kept; exact when maxPoints >= count', async () => {
    const { runs } = await sweepWithRuns(1);
    const id = runs[0].id;
    const n = 5000;
    const points = Array.from({ length: n }, (_, step) => ({ key: 'train/loss', step, value: Math.exp(-step / 1000) }));
    points[2345].value = 50; // a loss spike
    await store.logMetrics(id, points);
    const s = await store.metricSeries(id, 'train/loss', { maxPoints: 200 });
    expect([s.total, s.points.length, s.downsampled]).toEqual([n, 200, true]);
    expect(s.points[0].step).toBe(0);
    expect(s.points[199].step).toBe(n - 1);
    expect(s.points.some((p) => p.step === 2345 && p.value === 50)).toBe(true);
    for (let i = 1; i < s.points.length; i++) expect(s.points[i].step).toBeGreaterThan(s.points[i - 1].step);
    const exact = await store.metricSeries(id, 'train/loss', { maxPoints: n });
    expect([exact.points.length, exact.downsampled]).toEqual([n, false]);
    await expect(store.metricSeries(id, 'train/loss', { maxPoints: 1 })).rejects.toThrow(/maxPoints/);
  });
});

describe('retry and stale runs', () => {
  it('resetRunForRetry clears the attempt, its metrics and artifacts, keeps history and other runs', async () => {
    const { runs } = await sweepWithRuns(2);
    const [a, b] = runs.map((r) => r.id);
    for (const id of [a, b]) {
      await store.startRun(id, CLAIM);
      await store.logMetrics(id, [{ key: 'train/loss', step: 1, value: 1 }]);
      await store.saveArtifact(id, { name: 'samples', kind: 'samples', content: { format: 'json', value: [[0, 0]] } });
    }
    await store.heartbeat(a, { step: 40, totalSteps: 100 });
    await store.failRun(a, 'loss is NaN\nstack...');
    const reset = await store.resetRunForRetry(a);
    expect(reset).toMatchObject({
      status: 'queued',
      attempt: 1,
      startedAt: null,
      endedAt: null,
      heartbeatAt: null,
      error: null,
      errorStep: null,
      currentStep: null,
      totalSteps: null,
      backend: null,
      host: null,
    });
    expect((await store.metricSeries(a, 'train/loss')).total).toBe(0);
    expect(await store.metricKeys({ runId: a })).toEqual([]);
    expect(await store.listArtifacts(a)).toEqual([]);
    // Run b is untouched.
    expect((await store.metricSeries(b, 'train/loss')).total).toBe(1);
    expect((await store.listArtifacts(b)).length).toBe(1);
    const detail = (await store.getRun(a))!;
    expect(detail.events.map((e) => e.to)).toEqual(['queued', 'running', 'failed', 'queued']);
    expect(detail.events[2].message).toBe('loss is NaN');
    expect(detail.events[3].message).toBe('retry after attempt 1 (failed: loss is NaN)');
    expect((await store.startRun(a, CLAIM)).attempt).toBe(2);
  });

  it('markStaleRunsCrashed fails running runs whose heartbeat is older than the limit, and only those', async () => {
    const { runs } = await sweepWithRuns(4);
    const [stale, fresh, queued, finished] = runs.map((r) => r.id);
    const t0 = clock.t;
    await store.startRun(stale, CLAIM);
    await store.startRun(fresh, CLAIM);
    await store.startRun(finished, CLAIM);
    await store.finishRun(finished);
    clock.advance(10_000);
    await store.heartbeat(stale, { step: 33 });
    const staleBeat = clock.t;
    clock.advance(50_000);
    await store.heartbeat(fresh, { step: 90 });
    clock.advance(20_000); // stale: 70 s without heartbeat, fresh: 20 s
    expect(await store.markStaleRunsCrashed(60_000)).toEqual([stale]);
    const crashed = (await store.getRun(stale))!;
    expect(crashed).toMatchObject({
      status: 'failed',
      error: `crashed: no heartbeat since ${new Date(staleBeat).toISOString()}`,
      errorStep: 33,
      endedAt: clock.t,
    });
    expect(crashed.durationMs).toBe(clock.t - t0);
    expect((await store.getRun(fresh))!.status).toBe('running');
    expect((await store.getRun(queued))!.status).toBe('queued');
    expect((await store.getRun(finished))!.status).toBe('finished');
    // Idempotent: nothing left to mark.
    expect(await store.markStaleRunsCrashed(60_000)).toEqual([]);
  });
});

describe('artifacts', () => {
  it('round-trips float32 [N, 2] samples, float64, json and bytes; replaces by name; lists without content', async () => {
    const { runs } = await sweepWithRuns(1);
    const id = runs[0].id;
    const samples = Float32Array.from({ length: 1280 * 2 }, (_, i) => Math.sin(i) * 8);
    const info = await store.saveArtifact(id, { name: 'samples', kind: 'samples', content: { format: 'float32', shape: [1280, 2], data: samples } });
    expect(info).toEqual({ runId: id, name: 'samples', kind: 'samples', format: 'float32', shape: [1280, 2], bytes: 1280 * 2 * 4, createdAt: clock.t });
    const got = (await store.getArtifact(id, 'samples'))!;
    expect(got.content.format).toBe('float32');
    if (got.content.format !== 'float32') throw new Error('unreachable');
    expect(got.content.shape).toEqual([1280, 2]);
    expect(Array.from(got.content.data)).toEqual(Array.from(samples));

    // Float64 from a view at an odd offset of a larger buffer.
    const big = new Float64Array([9, 1 / 3, -0.5, Math.PI, 1e-310, 9]);
    const view = big.subarray(1, 5);
    await store.saveArtifact(id, { name: 'field', kind: 'score-field', content: { format: 'float64', shape: [2, 2], data: view } });
    const f = (await store.getArtifact(id, 'field'))!.content;
    expect(f.format === 'float64' && Array.from(f.data)).toEqual([1 / 3, -0.5, Math.PI, 1e-310]);

    const traj = { steps: [0, 10], points: [[[0, 0]], [[1, 1]]] };
    await store.saveArtifact(id, { name: 'traj', kind: 'trajectory', content: { format: 'json', value: traj } });
    expect((await store.getArtifact(id, 'traj'))!.content).toEqual({ format: 'json', value: traj });
    await store.saveArtifact(id, { name: 'raw', kind: 'png', content: { format: 'bytes', data: new Uint8Array([0, 255, 7]) } });
    const raw = (await store.getArtifact(id, 'raw'))!.content;
    expect(raw.format === 'bytes' && Array.from(raw.data)).toEqual([0, 255, 7]);

    // Saving under an existing name replaces it.
    clock.advance(10);
    await store.saveArtifact(id, { name: 'traj', kind: 'trajectory', content: { format: 'json', value: [1] } });
    expect((await store.getArtifact(id, 'traj'))!.content).toEqual({ format: 'json', value: [1] });
    const list = await store.listArtifacts(id);
    expect(list.map((a) => [a.name, a.kind, a.format, a.bytes])).toEqual([
      ['field', 'score-field', 'float64', 32],
      ['raw', 'png', 'bytes', 3],
      ['samples', 'samples', 'float32', 1280 * 2 * 4],
      ['traj', 'trajectory', 'json', 3],
    ]);
    expect(list.every((a) => !('content' in a))).toBe(true);
    expect(await store.getArtifact(id, 'nope')).toBeUndefined();
  });

  it('rejects a shape that does not match the data and a missing run', async () => {
    const { runs } = await sweepWithRuns(1);
    await expect(
      store.saveArtifact(runs[0].id, { name: 's', kind: 'samples', content: { format: 'float32', shape: [3, 2], data: new Float32Array(5) } }),
    ).rejects.toThrow('saveArtifact: s: shape [3,2] does not match 5 values');
    await expect(
      store.saveArtifact(999, { name: 's', kind: 'samples', content: { format: 'json', value: 1 } }),
    ).rejects.toThrow(NotFoundError);
  });
});

describe('exportRuns', () => {
  it('gives one record per run with config, params, seed and the final value of every metric', async () => {
    const a = await sweepWithRuns(2, 'a');
    const b = await sweepWithRuns(1, 'b');
    await store.startRun(a.runs[0].id, CLAIM);
    await store.logMetrics(a.runs[0].id, [
      { key: 'train/loss', step: 0, value: 2 },
      { key: 'train/loss', step: 100, value: 0.5 },
      { key: 'sample/mmd', step: 100, value: 0.003 },
    ]);
    clock.advance(100);
    await store.finishRun(a.runs[0].id);
    const records = await store.exportRuns({ sweep: 'a' });
    expect(records).toEqual([
      {
        id: a.runs[0].id,
        sweep: 'a',
        sweepId: a.sweep.id,
        idx: 0,
        status: 'finished',
        seed: 0,
        configHash: 'hash-0',
        config: newRun(0).config,
        params: newRun(0).params,
        metrics: { 'train/loss': 0.5, 'sample/mmd': 0.003 },
        error: null,
        startedAt: clock.t - 100,
        endedAt: clock.t,
        durationMs: 100,
      },
      expect.objectContaining({ id: a.runs[1].id, status: 'queued', metrics: {}, durationMs: null }),
    ]);
    expect((await store.exportRuns({ sweep: b.sweep.id })).map((r) => r.id)).toEqual([b.runs[0].id]);
    expect((await store.exportRuns()).length).toBe(3);
    await expect(store.exportRuns({ sweep: 'nope' })).rejects.toThrow("no sweep 'nope'");
  });
});

describe('read-only store', () => {
  it('answers queries and rejects every write with ReadOnlyStoreError', async () => {
    const { sweep, runs } = await sweepWithRuns(2);
    await store.startRun(runs[0].id, CLAIM);
    await store.logMetrics(runs[0].id, [{ key: 'train/loss', step: 0, value: 1 }]);
    const ro = await openStore(path, { readonly: true });
    try {
      expect(ro.readonly).toBe(true);
      expect((await ro.listRuns()).length).toBe(2);
      expect((await ro.metricSeries(runs[0].id, 'train/loss')).total).toBe(1);
      expect((await ro.getSweep('ablation'))!.counts.total).toBe(2);
      const id = runs[1].id;
      const writes: [string, () => Promise<unknown>][] = [
        ['createSweep', () => ro.createSweep({ name: 'x', config: {} })],
        ['setSweepStatus', () => ro.setSweepStatus(sweep.id, 'running')],
        ['addRuns', () => ro.addRuns(sweep.id, [newRun(5)])],
        ['startRun', () => ro.startRun(id, CLAIM)],
        ['claimRun', () => ro.claimRun(sweep.id, CLAIM)],
        ['heartbeat', () => ro.heartbeat(runs[0].id, { step: 1 })],
        ['logMetrics', () => ro.logMetrics(runs[0].id, [{ key: 'a', step: 1, value: 1 }])],
        ['finishRun', () => ro.finishRun(runs[0].id)],
        ['failRun', () => ro.failRun(runs[0].id, 'x')],
        ['killRun', () => ro.killRun(runs[0].id)],
        ['markStaleRunsCrashed', () => ro.markStaleRunsCrashed(0)],
        ['resetRunForRetry', () => ro.resetRunForRetry(id)],
        ['saveArtifact', () => ro.saveArtifact(id, { name: 'a', kind: 'samples', content: { format: 'json', value: 1 } })],
      ];
      for (const [op, write] of writes) {
        const err = await write().catch((e: unknown) => e);
        expect(err, op).toBeInstanceOf(ReadOnlyStoreError);
        expect((err as Error).message).toBe(`${op}: the store was opened read-only`);
      }
      // Nothing changed.
      expect((await store.getRun(runs[0].id))!.status).toBe('running');
      expect((await store.listSweeps()).length).toBe(1);
    } finally {
      await ro.close();
    }
  });
});

describe('models and resumable retries', () => {
  const bytes = (n: number) => ({ format: 'bytes' as const, data: Uint8Array.from({ length: n }, (_, i) => i % 251) });

  it('stores the training hash per run and one models row per trained model', async () => {
    const sweep = await store.createSweep({ name: 'm', config: {} });
    const [a, b, legacy] = await store.addRuns(sweep.id, [newRun(0, { trainingHash: '0123456789abcdef' }), newRun(1, { trainingHash: '0123456789abcdef' }), newRun(2)]);
    expect([a.trainingHash, b.trainingHash, legacy.trainingHash]).toEqual(['0123456789abcdef', '0123456789abcdef', null]);
    expect(a.modelId).toBeNull();
    expect(await store.findModel('0123456789abcdef')).toBeUndefined();
    await expect(store.saveModel({ trainingHash: '0123456789abcdef', sourceRunId: a.id, checkpoint: 'checkpoint/final', step: 50 })).rejects.toThrow(NotFoundError);
    await store.saveArtifact(a.id, { name: 'checkpoint/final', kind: 'checkpoint', content: bytes(100) });
    await expect(store.saveModel({ trainingHash: 'nothex', sourceRunId: a.id, checkpoint: 'checkpoint/final', step: 50 })).rejects.toThrow(StoreError);
    const model = await store.saveModel({ trainingHash: '0123456789abcdef', sourceRunId: a.id, checkpoint: 'checkpoint/final', step: 50 });
    expect(model).toEqual({ id: model.id, trainingHash: '0123456789abcdef', sourceRunId: a.id, checkpoint: 'checkpoint/final', step: 50, createdAt: clock.t });
    expect(await store.findModel('0123456789abcdef')).toEqual(model);
    expect(await store.getModel(model.id)).toEqual(model);
    expect((await store.getRun(a.id))!.modelId).toBe(model.id);
    await store.setRunModel(b.id, model.id);
    expect((await store.listRuns({ sweepId: sweep.id })).map((r) => r.modelId)).toEqual([model.id, model.id, null]);
    await expect(store.setRunModel(b.id, 999)).rejects.toThrow(NotFoundError);
    // Saving again for the same source run replaces its row instead of adding one.
    const again = await store.saveModel({ trainingHash: '0123456789abcdef', sourceRunId: a.id, checkpoint: 'checkpoint/final', step: 50 });
    expect(again.id).toBe(model.id);
  });

  it('a resumable retry keeps the points up to the checkpoint step and the checkpoints; a plain one keeps nothing', async () => {
    const { runs } = await sweepWithRuns(2);
    for (const run of runs) {
      await store.startRun(run.id, CLAIM);
      await store.logMetrics(run.id, [10, 20, 30].flatMap((step) => [{ key: 'train/loss', step, value: step / 10 }, { key: 'eval/fisher', step, value: -step }]));
      await store.saveArtifact(run.id, { name: 'checkpoint/20', kind: 'checkpoint', content: bytes(40) });
      await store.saveArtifact(run.id, { name: 'samples', kind: 'samples', content: { format: 'float32', shape: [1, 2], data: new Float32Array([1, 2]) } });
      await store.killRun(run.id, 'interrupted');
    }
    await store.resetRunForRetry(runs[0].id, { keepThroughStep: 20 });
    expect((await store.metricSeries(runs[0].id, 'train/loss')).points.map((p) => p.step)).toEqual([10, 20]);
    expect((await store.getRun(runs[0].id))!.latest).toEqual({ 'train/loss': 2, 'eval/fisher': -20 });
    expect((await store.listArtifacts(runs[0].id)).map((a) => a.name)).toEqual(['checkpoint/20']);
    await store.resetRunForRetry(runs[1].id);
    expect((await store.metricSeries(runs[1].id, 'train/loss')).total).toBe(0);
    expect(await store.listArtifacts(runs[1].id)).toEqual([]);
    await expect(store.resetRunForRetry(runs[1].id, { keepThroughStep: -1 })).rejects.toThrow(StoreError);
    await store.deleteArtifact(runs[0].id, 'checkpoint/20');
    await store.deleteArtifact(runs[0].id, 'checkpoint/20');
    expect(await store.listArtifacts(runs[0].id)).toEqual([]);
  });
});
