// What only the SQLite store has: its connection settings, its files, its column encoding. The
// backend-neutral behaviour is in store-contract*.test.ts, run against every backend.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore as openStore, type SqliteRunStore } from './sqlite-store';
import { FakeClock, newRun, tempDir } from './test/helpers';

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

describe('metrics in SQLite columns', () => {
  it('keeps non-finite values as value NULL + a nonfinite flag, so SQL aggregates skip them', async () => {
    const { runs } = await sweepWithRuns(1);
    const id = runs[0].id;
    const values = [1.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, -2.5e-300, 0.1 + 0.2];
    await store.logMetrics(id, values.map((value, step) => ({ key: 'train/loss', step, value })));
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

});
