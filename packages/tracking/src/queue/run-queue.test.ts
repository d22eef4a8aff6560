// RunQueue against a real PostgreSQL 17 server (the embedded test server): enqueue inside a
// transaction, fetch order, leases that are renewed, expire and come back, give-back and completion.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestPostgres, type TestPostgres } from '../testing';
import { QUEUE_SCHEMA, RunQueue, queueSweepId, sweepQueueName } from './run-queue';

let server: TestPostgres;
let pool: pg.Pool;
let queue: RunQueue;

beforeAll(async () => {
  server = await startTestPostgres();
  pool = new pg.Pool({ connectionString: await createTestDatabase(server.url), max: 4 });
  // The server ends idle connections when it stops after the last test: an 'error' event on the pool
  // (the store's pools have the same listener, pg-connection.ts), not a failure of this file.
  pool.on('error', () => undefined);
  queue = await RunQueue.open(pool, { leaseSeconds: 30 });
}, 60_000);

afterAll(async () => {
  await queue?.close();
  await pool?.end();
  await server?.stop();
});

async function inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>, commit = true): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    return out;
  } finally {
    client.release();
  }
}

/** Makes a held lease look `seconds` old, as if its worker stopped renewing it that long ago. */
async function age(sweepId: number, seconds: number): Promise<void> {
  await pool.query(`UPDATE ${QUEUE_SCHEMA}.job SET started_on = started_on - $2::int * interval '1 second' WHERE name = $1 AND state = 'active'`, [sweepQueueName(sweepId), seconds]);
}

describe('RunQueue', () => {
  it('names one queue per sweep and reads the sweep back', () => {
    expect(sweepQueueName(12)).toBe('scorelab-sweep-12');
    expect(queueSweepId('scorelab-sweep-12')).toBe(12);
    expect(queueSweepId('other-12')).toBeNull();
    expect(queueSweepId('scorelab-sweep-x')).toBeNull();
  });

  it('enqueues in the caller\'s transaction: nothing after a rollback, every run after a commit', async () => {
    await inTransaction((c) => queue.enqueue(c, 1, [{ runId: 1 }, { runId: 2 }]), false);
    expect(await queue.pending([1])).toBe(0);
    expect(await inTransaction((c) => queue.enqueue(c, 1, [{ runId: 1 }, { runId: 2 }]))).toEqual([1, 2]);
    expect(await queue.pending([1])).toBe(2);
    // A run with a live job gets no second one (a resume enqueues again).
    expect(await inTransaction((c) => queue.enqueue(c, 1, [{ runId: 2 }, { runId: 3 }]))).toEqual([3]);
    expect(await queue.pending([1])).toBe(3);
  });

  it('hands out jobs by priority, each to one fetcher, and completion ends them', async () => {
    await inTransaction((c) => queue.enqueue(c, 2, [{ runId: 10, priority: 1 }, { runId: 11, priority: 3 }, { runId: 12, priority: 2 }]));
    const got = await Promise.all([queue.fetch([2]), queue.fetch([2]), queue.fetch([2]), queue.fetch([2])]);
    const runs = got.filter((l) => l !== undefined).map((l) => l!.runId);
    expect(runs.sort()).toEqual([10, 11, 12]); // three jobs, four fetchers: each job once
    expect(got.filter((l) => l === undefined)).toHaveLength(1);
    await inTransaction((c) => queue.enqueue(c, 3, [{ runId: 20, priority: 1 }, { runId: 21, priority: 5 }]));
    expect((await queue.fetch([3]))?.runId).toBe(21);
    expect((await queue.fetch([3]))?.runId).toBe(20);
    for (const l of got) if (l) await queue.complete(l, { status: 'finished' });
    expect(await queue.pending([2])).toBe(0);
  });

  it('a lease that is not renewed expires back to the queue; the old holder can no longer renew it', async () => {
    await inTransaction((c) => queue.enqueue(c, 4, [{ runId: 30 }]));
    const first = await queue.fetch([4]);
    expect(first).toBeDefined();
    await age(4, 20);
    expect(await queue.renew(first!)).toBe(true); // renewed: 20 s old is within the 30 s lease, and now fresh
    await queue.expire();
    expect(await queue.fetch([4])).toBeUndefined();
    await age(4, 31);
    await queue.expire();
    expect((await queue.jobOf(4, 30))?.state).toBe('retry');
    const second = await queue.fetch([4]);
    expect(second?.runId).toBe(30);
    expect(second!.token).toBe(first!.token + 1);
    expect(await queue.renew(first!)).toBe(false); // the stale holder's lease is gone
    expect(await queue.renew(second!)).toBe(true);
  });

  it('a job given back is fetched again at once; fetch without sweeps looks at every sweep oldest first', async () => {
    await inTransaction((c) => queue.enqueue(c, 5, [{ runId: 40 }]));
    const lease = await queue.fetch([5]);
    await queue.giveBack(lease!, 'interrupted (SIGTERM)');
    expect((await queue.jobOf(5, 40))?.state).toBe('retry');
    const again = await queue.fetch([5]);
    expect(again?.runId).toBe(40);
    expect(await queue.sweeps()).toEqual([1, 2, 3, 4, 5]);
    const any = await queue.fetch();
    expect(any?.sweepId).toBe(1); // sweep 1 still has queued runs 1..3
  });
});
