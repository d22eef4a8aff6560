// The RunStore contract, part 1 (sweeps, runs, status transitions, retries, read-only): every test
// runs against every backend (test/store-suppliers.ts), so a backend is proven by the same tests.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IllegalTransitionError, NotFoundError, ReadOnlyStoreError } from './errors';
import { RUN_TRANSITIONS } from './transitions';
import type { RunStatus, RunStore } from './types';
import { RUN_STATUSES } from './types';
import { CLAIM, FakeClock, newRun } from './test/helpers';
import { storeSuppliers } from './test/store-suppliers';

describe.each(storeSuppliers())('$mode store', (supplier) => {
  let clock: FakeClock;
  let store: RunStore;
  let location: string;
  beforeAll(() => supplier.setup());
  afterAll(() => supplier.teardown());
  beforeEach(async () => {
    clock = new FakeClock();
    location = await supplier.fresh();
    store = await supplier.open(location, { now: clock.now });
  });
  afterEach(async () => {
    await store.close();
  });

  async function sweepWithRuns(n: number, name = 'ablation') {
    const sweep = await store.createSweep({ name, description: 'd', config: { name, parameters: { 'loss.kind': ['sm', 'dsm'] } }, filePath: 'experiments/a.yaml' });
    const runs = await store.addRuns(sweep.id, Array.from({ length: n }, (_, i) => newRun(i)));
    return { sweep, runs };
  }

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

  describe('read-only store', () => {
    it('answers queries and rejects every write with ReadOnlyStoreError', async () => {
      const { sweep, runs } = await sweepWithRuns(2);
      await store.startRun(runs[0].id, CLAIM);
      await store.logMetrics(runs[0].id, [{ key: 'train/loss', step: 0, value: 1 }]);
      const ro = await supplier.open(location, { readonly: true });
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
});
