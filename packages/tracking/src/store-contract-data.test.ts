// The RunStore contract, part 2 (metrics, artifacts, export, models): every test runs against every
// backend (test/store-suppliers.ts).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { NotFoundError, StoreError } from './errors';
import { SWEEP_STALE_AFTER_MS } from './liveness';
import { lttbIndicesXY } from './lttb';
import { EXACT_SERIES_LIMIT } from './summaries';
import type { RunStore } from './types';
import { CLAIM, FakeClock, deadPid, newRun } from './test/helpers';
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

    it('stores NaN and +-Infinity faithfully next to extreme finite values', async () => {
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
    it(`downsamples a series of more than EXACT_SERIES_LIMIT points in SQL: first/last, spike, trough and divergence kept`, async () => {
      const { runs } = await sweepWithRuns(1);
      const id = runs[0].id;
      const n = EXACT_SERIES_LIMIT + 10_000;
      const points = Array.from({ length: n }, (_, i) => ({ key: 'train/loss', step: 3 * i, value: Math.exp(-i / 9000) + 0.01 * Math.sin(i) }));
      points[37_777].value = 40; // a spike
      points[3000].value = -5; // a trough
      points[55_000].value = NaN; // a divergence
      await store.logMetrics(id, points);
      const s = await store.metricSeries(id, 'train/loss', { maxPoints: 100 });
      expect([s.total, s.downsampled]).toEqual([n, true]);
      // LTTB over the candidates (<= 5 per bucket of 2 * maxPoints) returns maxPoints of them.
      expect(s.points.length).toBe(100);
      expect(s.points[0].step).toBe(0);
      expect(s.points.at(-1)!.step).toBe(3 * (n - 1));
      const at = (step: number) => s.points.find((p) => p.step === step);
      expect(at(3 * 37_777)?.value).toBe(40);
      expect(at(3 * 3000)?.value).toBe(-5);
      expect(Number.isNaN(at(3 * 55_000)?.value)).toBe(true);
      for (let i = 1; i < s.points.length; i++) expect(s.points[i].step).toBeGreaterThan(s.points[i - 1].step);
      // Every returned point is a stored one, with its value and wall time.
      const byStep = new Map(points.map((p) => [p.step, p.value]));
      for (const p of s.points) {
        expect(Object.is(p.value, byStep.get(p.step))).toBe(true);
        expect(p.wallTime).toBe(clock.t);
      }
      // Up to the limit, LTTB runs over every point.
      const short = points.slice(0, 900).map((p) => ({ ...p, key: 'short' }));
      await store.logMetrics(id, short);
      const exact = await store.metricSeries(id, 'short', { maxPoints: 50 });
      const want = lttbIndicesXY(Float64Array.from(short, (p) => p.step), Float64Array.from(short, (p) => p.value), 50).map((i) => short[i].step);
      expect(exact.points.map((p) => p.step)).toEqual(want);
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

  describe('a sweep marked running', () => {
    it('reads as running while its process lives and as killed once it is gone (this host)', async () => {
      const store = await supplier.open(await supplier.fresh());
      const sweep = await store.createSweep({ name: 's', config: {} });
      await store.setSweepStatus(sweep.id, 'running', { host: hostname(), pid: process.pid });
      const live = (await store.getSweep(sweep.id))!;
      expect([live.status, live.host, live.pid]).toEqual(['running', hostname(), process.pid]);
      expect(live.startedAt).toBe(live.heartbeatAt);
      const gone = deadPid();
      await store.setSweepStatus(sweep.id, 'running', { host: hostname(), pid: gone });
      expect((await store.getSweep(sweep.id))!.status).toBe('killed');
      expect((await store.listSweeps()).map((s) => s.status)).toEqual(['killed']);
      // Other statuses are read as stored.
      await store.setSweepStatus(sweep.id, 'failed');
      expect((await store.getSweep('s'))!.status).toBe('failed');
      await store.close();
    });

    it('by a process on another host reads as killed after 30 s without a sweep heartbeat', async () => {
      let now = Date.UTC(2025, 0, 1);
      const store = await supplier.open(await supplier.fresh(), { now: () => now });
      const sweep = await store.createSweep({ name: 's', config: {} });
      await store.setSweepStatus(sweep.id, 'running', { host: 'elsewhere', pid: 77 });
      now += SWEEP_STALE_AFTER_MS - 1000;
      expect((await store.getSweep(sweep.id))!.status).toBe('running');
      await store.heartbeatSweep(sweep.id);
      now += SWEEP_STALE_AFTER_MS - 1000;
      expect((await store.getSweep(sweep.id))!.status).toBe('running');
      now += 2000;
      expect((await store.getSweep(sweep.id))!.status).toBe('killed');
      await expect(store.heartbeatSweep(999)).rejects.toThrow(/sweep 999 does not exist/);
      await store.close();
    });
  });

  describe('markStaleRunsCrashed', () => {
    it('never takes over a run whose process lives on this host, and fails one whose process is gone at once', async () => {
      let now = Date.now();
      const store = await supplier.open(await supplier.fresh(), { now: () => now });
      const sweep = await store.createSweep({ name: 's', config: {} });
      const [alive, gone, remote] = await store.addRuns(sweep.id, [newRun(0), newRun(1), newRun(2)]);
      const pid = deadPid();
      await store.startRun(alive.id, { ...CLAIM, host: hostname(), pid: process.pid });
      await store.startRun(gone.id, { ...CLAIM, host: hostname(), pid });
      await store.startRun(remote.id, { ...CLAIM, host: 'elsewhere', pid: 5 });
      await store.heartbeat(alive.id, { step: 7 });
      // Only a heartbeat: the step stays.
      expect(await store.heartbeat(alive.id)).toBe('running');
      expect((await store.getRun(alive.id))!.currentStep).toBe(7);
      expect(await store.markStaleRunsCrashed(30_000)).toEqual([gone.id]);
      expect((await store.getRun(gone.id))!.error).toMatch(new RegExp(`^crashed: its process \\(pid ${pid} on ${hostname()}\\) is gone; last heartbeat 20`));
      now += 3_600_000;
      expect(await store.markStaleRunsCrashed(30_000)).toEqual([remote.id]);
      expect((await store.getRun(alive.id))!.status).toBe('running');
      await store.close();
    });
  });
});
