// What only the PostgreSQL store has: its columns, opening errors (with the password masked),
// read-only sessions, transaction(), many connections claiming one sweep, and a server that goes
// away. The shared behaviour is in ../store-contract*.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadOnlyStoreError, SchemaVersionError, StoreError, StoreWriteError, UnusableStoreError } from '../errors';
import { openStore } from '../open-store';
import { SqliteRunStore } from '../sqlite-store';
import { CLAIM, newRun, tempDir } from '../test/helpers';
import { createTestDatabase, startTestPostgres, type TestPostgres } from '../testing/postgres-server';
import { PostgresRunStore } from './postgres-store';

let server: TestPostgres;
let password: string;
beforeAll(async () => {
  server = await startTestPostgres();
  password = new URL(server.url).password;
});
afterAll(() => server?.stop());

async function freshStore(options: Parameters<typeof PostgresRunStore.open>[1] = {}): Promise<PostgresRunStore> {
  return PostgresRunStore.open(await createTestDatabase(server.url), options);
}

async function sweepWithRuns(store: PostgresRunStore, n: number, name = 's') {
  const sweep = await store.createSweep({ name, config: {} });
  return { sweep, runs: await store.addRuns(sweep.id, Array.from({ length: n }, (_, i) => newRun(i))) };
}

/** The error `p` rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error(`expected a rejection, got ${String(e)}`);
  return e;
}

describe('columns', () => {
  it('keeps NaN and ±Infinity in double precision columns, and json text as written', async () => {
    const store = await freshStore();
    const { runs } = await sweepWithRuns(store, 1);
    await store.logMetrics(runs[0].id, [NaN, Infinity, -Infinity, 0.1 + 0.2].map((value, step) => ({ key: 'k', step, value })));
    const { rows } = await store.pool.query(`SELECT value::text AS v, pg_typeof(value)::text AS t FROM metrics ORDER BY step`);
    expect(rows).toEqual(['NaN', 'Infinity', '-Infinity', '0.30000000000000004'].map((v) => ({ v, t: 'double precision' })));
    // Key order of configs survives (json, not jsonb).
    const config = { z: 1, a: { y: 2, b: 3 } };
    const sweep = await store.createSweep({ name: 'order', config });
    expect(JSON.stringify((await store.getSweep(sweep.id))!.config)).toBe(JSON.stringify(config));
    await store.close();
  });
});

describe('opening', () => {
  it('routes postgres:// and postgresql:// URLs to PostgresRunStore and anything else to SQLite', async () => {
    const url = await createTestDatabase(server.url);
    const a = await openStore(url);
    const b = await openStore(url.replace(/^postgres:/, 'postgresql:'));
    expect(a).toBeInstanceOf(PostgresRunStore);
    expect(b).toBeInstanceOf(PostgresRunStore);
    await Promise.all([a.close(), b.close()]);
    const tmp = tempDir();
    const c = await openStore(`${tmp.dir}/x.db`);
    expect(c).toBeInstanceOf(SqliteRunStore);
    await c.close();
    tmp.cleanup();
    await expect(openStore(url, { maxPageCount: 10 })).rejects.toThrow('openStore: maxPageCount applies to SQLite stores only');
  });

  it('masks the password in url-derived strings but keeps the URL for other clients', async () => {
    const store = await freshStore();
    expect(store.url).toContain(password);
    for (const shown of [store.redactedUrl, store.path, String(store)]) {
      expect(shown).not.toContain(password);
      expect(shown).toContain('postgres:***@127.0.0.1');
    }
    await store.close();
  });

  it('takes the password from PGPASSWORD or a pgpass file when the URL has none, as every PostgreSQL client does', async () => {
    const url = new URL(await createTestDatabase(server.url));
    url.password = '';
    const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
    const tmp = tempDir();
    try {
      process.env.PGPASSWORD = password;
      const viaEnv = await PostgresRunStore.open(url.toString());
      expect((await viaEnv.listSweeps()).length).toBe(0);
      await viaEnv.close();
      delete process.env.PGPASSWORD;
      const file = join(tmp.dir, 'pgpass');
      writeFileSync(file, `127.0.0.1:${url.port}:*:postgres:${password}\n`, { mode: 0o600 });
      process.env.PGPASSFILE = file;
      const viaFile = await PostgresRunStore.open(url.toString());
      expect(viaFile.url).not.toContain(password);
      await viaFile.close();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      tmp.cleanup();
    }
  });

  it('refuses an unreachable server, a wrong password and a missing database with one clear UnusableStoreError, password masked', async () => {
    const url = new URL(server.url);
    const closed = new URL(server.url);
    closed.port = '1'; // nothing listens on port 1
    const wrong = new URL(server.url);
    wrong.password = 'not-the-password-4711';
    const missing = new URL(server.url);
    missing.pathname = '/no_such_db';
    const cases: [URL, RegExp, string][] = [
      [closed, /cannot be reached \(ECONNREFUSED\); is the PostgreSQL server running\?/, password],
      [wrong, /refused the login \(password authentication failed for user "postgres"\); check the user and password/, 'not-the-password-4711'],
      [missing, /has no such database \(database "no_such_db" does not exist\); create it first/, password],
    ];
    for (const [target, message, secret] of cases) {
      const e = await rejection(PostgresRunStore.open(target.toString(), { connectTimeoutMs: 5000 }));
      expect(e).toBeInstanceOf(UnusableStoreError);
      expect(e.message).toMatch(message);
      expect(e.message.startsWith(`postgres://postgres:***@127.0.0.1:${target.port}/`)).toBe(true);
      expect(e.message).not.toContain(secret);
      expect((e as UnusableStoreError).path).not.toContain(secret);
    }
    expect(url.password).toBe(password);
  });

  it('refuses a database that is not a scorelab store and writes nothing to it', async () => {
    const url = await createTestDatabase(server.url);
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query(`CREATE TABLE invoices (id int)`);
    const e = await rejection(PostgresRunStore.open(url));
    expect(e).toBeInstanceOf(UnusableStoreError);
    expect(e.message).toMatch(/^postgres:\/\/postgres:\*\*\*@.* is not a scorelab store \(tables: invoices\); point --store at a scorelab store/);
    const { rows } = await other.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(rows).toEqual([{ table_name: 'invoices' }]);
    await other.end();
  });

  it('migrates a new database once although several stores open it at the same time', async () => {
    const url = await createTestDatabase(server.url);
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresRunStore.open(url, { maxConnections: 2 })));
    const { rows } = await stores[0].pool.query(`SELECT version FROM schema_version`);
    expect(rows).toEqual([{ version: 1 }]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('a read-only open needs a current schema, and its sessions cannot write even by raw SQL', async () => {
    const url = await createTestDatabase(server.url);
    const e = await rejection(PostgresRunStore.open(url, { readonly: true }));
    expect(e).toBeInstanceOf(SchemaVersionError);
    expect(e.message).toMatch(/has schema version 0 and needs migrating to 1, which a read-only open cannot do/);
    expect(e.message).not.toContain(password);
    const writer = await PostgresRunStore.open(url);
    await sweepWithRuns(writer, 1);
    const reader = await PostgresRunStore.open(url, { readonly: true });
    expect((await reader.listRuns()).length).toBe(1);
    await expect(reader.createSweep({ name: 'x', config: {} })).rejects.toThrow(ReadOnlyStoreError);
    await expect(reader.pool.query(`DELETE FROM runs`)).rejects.toThrow(/read-only transaction/);
    expect((await writer.listRuns()).length).toBe(1);
    await Promise.all([reader.close(), writer.close()]);
  });
});

describe('transaction()', () => {
  it('commits the store writes and the caller\'s own queries together, or neither', async () => {
    const store = await freshStore();
    await store.pool.query(`CREATE TABLE jobs (run_id bigint)`);
    const failed = await rejection(
      store.transaction(async (tx, client) => {
        const sweep = await tx.createSweep({ name: 'rolled-back', config: {} });
        const runs = await tx.addRuns(sweep.id, [newRun(0), newRun(1)]);
        await client.query(`INSERT INTO jobs SELECT unnest($1::bigint[])`, [runs.map((r) => r.id)]);
        // Inside, the transaction sees its own writes.
        expect((await tx.listRuns()).length).toBe(2);
        throw new Error('enqueue failed');
      }),
    );
    expect(failed.message).toBe('enqueue failed');
    expect(await store.listSweeps()).toEqual([]);
    expect((await store.pool.query(`SELECT count(*)::int AS n FROM jobs`)).rows).toEqual([{ n: 0 }]);

    const name = await store.transaction(async (tx, client) => {
      const sweep = await tx.createSweep({ name: 'committed', config: {} });
      const runs = await tx.addRuns(sweep.id, [newRun(0), newRun(1)]);
      await client.query(`INSERT INTO jobs SELECT unnest($1::bigint[])`, [runs.map((r) => r.id)]);
      // A failing write inside is a savepoint: it rolls back alone and the transaction goes on.
      await expect(tx.addRuns(sweep.id, [newRun(0)])).rejects.toThrow(/UNIQUE/);
      return sweep.name;
    });
    expect(name).toBe('committed');
    expect((await store.getSweep('committed'))!.counts.queued).toBe(2);
    expect((await store.pool.query(`SELECT count(*)::int AS n FROM jobs`)).rows).toEqual([{ n: 2 }]);
    await store.close();
  });
});

describe('many workers', () => {
  it('6 stores (own pools) claiming one sweep of 120 runs concurrently: every run claimed exactly once', async () => {
    const url = await createTestDatabase(server.url);
    const setup = await PostgresRunStore.open(url);
    const { sweep } = await sweepWithRuns(setup, 120);
    const workers = await Promise.all(Array.from({ length: 6 }, () => PostgresRunStore.open(url, { maxConnections: 3 })));
    const claimed = await Promise.all(
      workers.map(async (w, k) => {
        const mine: number[] = [];
        // Three claim loops per store, so claims also race within one pool.
        await Promise.all(
          [0, 1, 2].map(async () => {
            for (let run = await w.claimRun(sweep.id, { ...CLAIM, pid: k }); run; run = await w.claimRun(sweep.id, { ...CLAIM, pid: k })) {
              mine.push(run.id);
              await w.logMetrics(run.id, [{ key: 'k', step: 0, value: k }]);
              await w.finishRun(run.id);
            }
          }),
        );
        return mine;
      }),
    );
    const all = claimed.flat();
    expect(all.length).toBe(120);
    expect(new Set(all).size).toBe(120);
    // More than one store got work (otherwise nothing raced).
    expect(claimed.filter((c) => c.length > 0).length).toBeGreaterThan(1);
    const runs = await setup.listRuns({ sweepId: sweep.id });
    expect(runs.every((r) => r.status === 'finished' && r.attempt === 1)).toBe(true);
    // Each run's one start event and its one metric point come from the store that claimed it.
    for (const r of runs) expect((await setup.getRun(r.id))!.events.filter((e) => e.to === 'running').length).toBe(1);
    await Promise.all([...workers, setup].map((s) => s.close()));
  });

  it('trainOnce: concurrent claims never start two runs of one training hash', async () => {
    const store = await freshStore({ maxConnections: 8 });
    const sweep = await store.createSweep({ name: 't', config: {} });
    const hashes = ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'];
    await store.addRuns(sweep.id, Array.from({ length: 8 }, (_, i) => newRun(i, { trainingHash: hashes[i % 2] })));
    const got = await Promise.all(Array.from({ length: 8 }, () => store.claimRun(sweep.id, CLAIM, { trainOnce: true })));
    const started = got.filter((r) => r !== undefined);
    expect(started.map((r) => r.trainingHash).sort()).toEqual(hashes);
    await store.close();
  });
});

describe('a server that goes away', () => {
  it('fails writes with a StoreWriteError (password masked) and rolls the batch back', async () => {
    const own = await startTestPostgres();
    try {
      const url = await createTestDatabase(own.url);
      const store = await PostgresRunStore.open(url, { connectTimeoutMs: 2000 });
      const { runs } = await sweepWithRuns(store, 1);
      await store.startRun(runs[0].id, CLAIM);
      await own.stop();
      const e = await rejection(store.logMetrics(runs[0].id, [{ key: 'k', step: 0, value: 1 }]));
      expect(e).toBeInstanceOf(StoreWriteError);
      expect(e.message).toMatch(/^cannot write to the store postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/scorelab_test_\w+: .* in logMetrics\)$/);
      expect(e.message).not.toContain(new URL(own.url).password);
      expect(e).toBeInstanceOf(StoreError);
      await store.close();
    } finally {
      await own.stop();
    }
  });
});
