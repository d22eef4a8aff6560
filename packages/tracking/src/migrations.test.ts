import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaVersionError } from './errors';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion, type Migration } from './migrations';
import { openSqliteStore as openStore } from './sqlite-store';
import { CLAIM, tempDir } from './test/helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let counter = 0;
function rawDb(): { path: string; db: Database.Database } {
  const dir = join(tmp.dir, `m${++counter}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'runs.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  return { path, db };
}

const versions = (db: Database.Database) =>
  (db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[]).map((r) => r.version);
const columns = (db: Database.Database, table: string) =>
  (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((r) => r.name);

/** A version-1 store with one sweep, a started run and a queued run, written with v1's columns. */
function versionOneDb() {
  const { path, db } = rawDb();
  expect(migrate(db, { target: 1 })).toEqual([1]);
  db.prepare(`INSERT INTO sweeps (id, name, config, created_at) VALUES (1, 'old', '{"name":"old"}', 1000)`).run();
  const insertRun = db.prepare(
    `INSERT INTO runs (id, sweep_id, idx, status, params, config, config_hash, seed, created_at, started_at, heartbeat_at)
     VALUES (?, 1, ?, ?, '{"a":1}', '{"b":2}', 'h', 0, 1000, ?, ?)`,
  );
  insertRun.run(1, 0, 'running', 2000, 2500);
  insertRun.run(2, 1, 'queued', null, null);
  db.prepare(`INSERT INTO metrics (run_id, key, step, value, nonfinite, wall_time) VALUES (1, 'train/loss', 3, 0.5, NULL, 2100)`).run();
  db.prepare(`INSERT INTO latest_metrics (run_id, key, step, value, nonfinite, wall_time) VALUES (1, 'train/loss', 3, 0.5, NULL, 2100)`).run();
  db.close();
  return path;
}

describe('migrations', () => {
  it('numbers migrations 1..N and creates a fresh store at the latest version', async () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    const { path, db } = rawDb();
    db.close();
    const store = await openStore(path);
    expect(store.settings().schemaVersion).toBe(SCHEMA_VERSION);
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(versions(check)).toEqual(MIGRATIONS.map((m) => m.version));
    for (const t of ['sweeps', 'runs', 'metrics', 'latest_metrics', 'artifacts', 'run_events']) expect(columns(check, t).length).toBeGreaterThan(0);
    check.close();
  });

  it('migrates an older (version 1) store, keeping its data, and is idempotent', async () => {
    const path = versionOneDb();
    const before = new Database(path, { readonly: true });
    expect(columns(before, 'runs')).not.toContain('attempt');
    before.close();

    const store = await openStore(path);
    expect(store.settings().schemaVersion).toBe(5);
    const [started, queued] = await store.listRuns();
    // Version 2 counts an already started run as its first attempt.
    expect([started.status, started.attempt, started.startedAt, started.latest]).toEqual(['running', 1, 2000, { 'train/loss': 0.5 }]);
    expect([queued.status, queued.attempt]).toEqual(['queued', 0]);
    expect((await store.metricSeries(1, 'train/loss')).points).toEqual([{ step: 3, value: 0.5, wallTime: 2100 }]);
    // The new parts work on the migrated data.
    await store.startRun(queued.id, CLAIM);
    expect((await store.getRun(queued.id))!.events.map((e) => e.to)).toEqual(['running']);
    await store.close();

    // Opening again, and migrating again, changes nothing.
    const again = await openStore(path);
    await again.close();
    const db = new Database(path);
    expect(versions(db)).toEqual([1, 2, 3, 4, 5]);
    expect(migrate(db)).toEqual([]);
    expect(versions(db)).toEqual([1, 2, 3, 4, 5]);
    // Version 3: the sweep's process columns, empty for sweeps run before it.
    expect(columns(db, 'sweeps')).toEqual(expect.arrayContaining(['host', 'pid', 'started_at', 'heartbeat_at']));
    // Version 4: runs know their training hash and model (NULL for runs stored before it), and models exist.
    expect(columns(db, 'runs')).toEqual(expect.arrayContaining(['training_hash', 'model_id']));
    expect(columns(db, 'models')).toEqual(['id', 'training_hash', 'source_run_id', 'checkpoint', 'step', 'created_at']);
    db.close();
  });

  it('a read-only open of a store that needs migrating fails clearly and leaves it untouched', async () => {
    const path = versionOneDb();
    await expect(openStore(path, { readonly: true })).rejects.toThrow(SchemaVersionError);
    await expect(openStore(path, { readonly: true })).rejects.toThrow(
      /has schema version 1 and needs migrating to 5, which a read-only open cannot do/,
    );
    const db = new Database(path, { readonly: true });
    expect(versions(db)).toEqual([1]);
    db.close();
  });

  it('refuses a store written by a newer version, read-write and read-only', async () => {
    const { path, db } = rawDb();
    migrate(db);
    db.prepare(`INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'future', 0)`).run();
    db.close();
    for (const readonly of [false, true]) {
      await expect(openStore(path, { readonly })).rejects.toThrow(
        /has schema version 99, newer than this scorelab build knows \(5\); upgrade scorelab/,
      );
    }
  });

  it('refuses a SQLite file that is not a scorelab store', async () => {
    const { path, db } = rawDb();
    db.exec('CREATE TABLE something_else (x)');
    db.close();
    await expect(openStore(path)).rejects.toThrow(/is not a scorelab store/);
  });

  it('applies a migration list in order, each atomically: a failing migration leaves the previous version', () => {
    const log: number[] = [];
    const list: Migration[] = [
      { version: 1, description: 'a', up: (db) => (db.exec('CREATE TABLE a (x)'), log.push(1)) },
      { version: 2, description: 'b', up: (db) => (db.exec('CREATE TABLE b (x)'), log.push(2)) },
      {
        version: 3,
        description: 'broken',
        up: (db) => {
          db.exec('CREATE TABLE c (x)');
          throw new Error('migration 3 failed');
        },
      },
    ];
    const { db } = rawDb();
    expect(migrate(db, { migrations: list, target: 2 })).toEqual([1, 2]);
    expect(() => migrate(db, { migrations: list })).toThrow('migration 3 failed');
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'c'`).get()).toBeUndefined();
    expect(log).toEqual([1, 2]);
    expect(() => migrate(db, { migrations: [list[1]] })).toThrow(/out of order/);
    db.close();
  });
});
