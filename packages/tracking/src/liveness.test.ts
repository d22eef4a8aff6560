// Which processes are still there, and SQLite writes the disk refuses. How stores read liveness
// (sweeps marked running, markStaleRunsCrashed) is in the contract tests, store-contract-data.test.ts.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreWriteError } from './errors';
import { processLiveness, sweepStatusNow } from './liveness';
import { openSqliteStore as openStore } from './sqlite-store';
import { CLAIM, deadPid, newRun, tempDir } from './test/helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let counter = 0;
const freshPath = () => join(tmp.dir, `db-${++counter}`, 'runs.db');

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

describe('sweepStatusNow', () => {
  it('without a recorded process (stores from before schema version 3) reads as stored', () => {
    expect(sweepStatusNow('running', { host: null, pid: null, startedAt: null, heartbeatAt: null }, Date.now())).toBe('running');
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
