// Which processes are still there (runs and sweeps), and writes the disk refuses.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreWriteError } from './errors';
import { SWEEP_STALE_AFTER_MS, processLiveness, sweepStatusNow } from './liveness';
import { openStore } from './sqlite-store';
import { CLAIM, newRun, tempDir } from './test/helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let counter = 0;
const freshPath = () => join(tmp.dir, `db-${++counter}`, 'runs.db');

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('processLiveness', () => {
  const here = hostname();
  it('is alive for a running process on this host, dead for an exited one, unknown elsewhere', () => {
    expect(processLiveness(here, process.pid, Date.now())).toBe('alive');
    expect(processLiveness(here, deadPid(), Date.now())).toBe('dead');
    expect(processLiveness('another-host', process.pid, Date.now())).toBe('unknown');
    expect(processLiveness(here, null, null)).toBe('unknown');
    expect(processLiveness(null, process.pid, null)).toBe('unknown');
  });

  it('takes a live pid that started after the row was written for another process (a reused pid)', () => {
    if (process.platform !== 'linux') return; // the start time comes from /proc
    const startedAt = Date.now() - process.uptime() * 1000;
    expect(processLiveness(here, process.pid, startedAt + 5000)).toBe('alive');
    expect(processLiveness(here, process.pid, startedAt - 60_000)).toBe('dead');
  });
});

describe('a sweep marked running', () => {
  it('reads as running while its process lives and as killed once it is gone (this host)', async () => {
    const store = await openStore(freshPath());
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
    const store = await openStore(freshPath(), { now: () => now });
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

  it('without a recorded process (stores from before schema version 3) reads as stored', () => {
    expect(sweepStatusNow('running', { host: null, pid: null, startedAt: null, heartbeatAt: null }, Date.now())).toBe('running');
  });
});

describe('markStaleRunsCrashed', () => {
  it('never takes over a run whose process lives on this host, and fails one whose process is gone at once', async () => {
    let now = Date.now();
    const store = await openStore(freshPath(), { now: () => now });
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

describe('a write the disk refuses', () => {
  it('is a StoreWriteError naming the store, the cause and the operation', async () => {
    const path = freshPath();
    const setup = await openStore(path);
    const sweep = await setup.createSweep({ name: 's', config: {} });
    const [run] = await setup.addRuns(sweep.id, [newRun(0)]);
    await setup.startRun(run.id, CLAIM);
    await setup.close();
    // A 40-page cap: the next big batch does not fit, as on a full disk.
    const store = await openStore(path, { maxPageCount: 40 });
    const points = Array.from({ length: 20_000 }, (_, i) => ({ key: 'train/loss', step: i, value: i }));
    const error = await store.logMetrics(run.id, points).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreWriteError);
    expect((error as StoreWriteError).code).toBe('SQLITE_FULL');
    expect((error as Error).message).toBe(`cannot write to the store ${path}: database or disk is full (SQLITE_FULL in logMetrics)`);
    // The failed batch left nothing behind, and small writes still fit.
    expect((await store.metricSeries(run.id, 'train/loss')).total).toBe(0);
    await store.failRun(run.id, (error as Error).message);
    expect((await store.getRun(run.id))!.status).toBe('failed');
    await store.close();
  });
});
