/**
 * The queue of a PostgreSQL store: pg-boss 10 (its own `pgboss` schema in the store's database), one
 * pg-boss queue per sweep (`scorelab-sweep-<id>`), one job per run ({ sweepId, runId }).
 *
 * A job is a *lease* on its run: fetching it makes it `active` with `started_on = now()`; the worker
 * holding it renews `started_on` every heartbeat (`renew`), and `expire()` (pg-boss' timeout sweep,
 * which any worker calls while it polls) sends a job not renewed for `leaseSeconds` back to the queue
 * (state `retry`), where the next fetch hands it to another worker. So a worker that is SIGKILLed, or
 * whose machine is gone, has its run taken over within leaseSeconds plus one poll. The run row in the
 * store stays the authority on who owns the run (its attempt): the runner completes or gives back a job
 * only in the store transaction that checks it still owns the run (docs/distributed.md).
 *
 * Retries are counted by the runner on the run's `attempt`; pg-boss' own retryLimit is set far above
 * it (RETRY_BACKSTOP) so that pg-boss never drops a job the runner would still retry.
 */
import PgBoss from 'pg-boss';
import type pg from 'pg';

/** pg-boss' schema in the store's database. */
export const QUEUE_SCHEMA = 'pgboss';
const QUEUE_PREFIX = 'scorelab-sweep-';
/** pg-boss gives a job up after this many retries; the runner's attempt limit is far below it. */
export const RETRY_BACKSTOP = 100_000;

/** The pg-boss queue of a sweep. */
export function sweepQueueName(sweepId: number): string {
  return `${QUEUE_PREFIX}${sweepId}`;
}

/** The sweep of a queue name, or null for a queue that is not a sweep's. */
export function queueSweepId(name: string): number | null {
  if (!name.startsWith(QUEUE_PREFIX)) return null;
  const id = Number(name.slice(QUEUE_PREFIX.length));
  return Number.isInteger(id) && id > 0 ? id : null;
}

/** Something that runs SQL: a pool, or the client of a transaction. */
export interface SqlRunner {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

function bossDb(sql: SqlRunner): PgBoss.Db {
  return { executeSql: async (text: string, values: unknown[]) => sql.query(text, values) };
}

function bossOn(sql: SqlRunner, migrate: boolean): PgBoss {
  return new PgBoss({ db: bossDb(sql), schema: QUEUE_SCHEMA, supervise: false, schedule: false, migrate });
}

/** One run to enqueue; `priority`: larger first (pg-boss fetches by priority, then creation). */
export interface RunJob {
  runId: number;
  priority?: number;
}

/** A job a worker holds: the lease on one run. `token` tells this lease from a later one of the same job. */
export interface RunLease {
  queue: string;
  jobId: string;
  sweepId: number;
  runId: number;
  /** pg-boss' retry_count when this lease was fetched (it grows by one on every refetch). */
  token: number;
}

export interface RunQueueOptions {
  /** A job not renewed for this long goes back to the queue (pg-boss expireInSeconds). */
  leaseSeconds: number;
}

interface JobData {
  sweepId: number;
  runId: number;
}

function isJobData(v: unknown): v is JobData {
  return typeof v === 'object' && v !== null && Number.isInteger((v as JobData).sweepId) && Number.isInteger((v as JobData).runId);
}

export class RunQueue {
  private constructor(
    private readonly pool: SqlRunner,
    private readonly boss: PgBoss,
    readonly leaseSeconds: number,
  ) {}

  /** Installs or migrates pg-boss' schema if needed (safe from several processes at once). */
  static async open(pool: SqlRunner, options: RunQueueOptions): Promise<RunQueue> {
    if (!(Number.isInteger(options.leaseSeconds) && options.leaseSeconds >= 1)) throw new Error(`leaseSeconds must be an integer >= 1, got ${options.leaseSeconds}`);
    const boss = bossOn(pool, true);
    // pg-boss emits its maintenance errors; there is no maintenance here (supervise: false), and an
    // unhandled 'error' event would end the process.
    boss.on('error', () => undefined);
    await boss.start();
    return new RunQueue(pool, boss, options.leaseSeconds);
  }

  /**
   * Creates the sweep's queue and one job per run, on `tx` (the client of the transaction that
   * creates the sweep and its runs: the jobs exist exactly when the runs do). Runs that already have a
   * job that is not over (created, retry or active) get no second one. Returns the runs enqueued.
   */
  async enqueue(tx: SqlRunner, sweepId: number, runs: readonly RunJob[]): Promise<number[]> {
    const queue = sweepQueueName(sweepId);
    const boss = bossOn(tx, false);
    await boss.createQueue(queue, { name: queue, policy: 'standard', retryLimit: RETRY_BACKSTOP, retryDelay: 0, retryBackoff: false, expireInSeconds: this.leaseSeconds });
    const live = await tx.query(`SELECT (data->>'runId')::int AS run_id FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state < 'completed'`, [queue]);
    const has = new Set(live.rows.map((r: { run_id: number }) => r.run_id));
    const fresh = runs.filter((r) => !has.has(r.runId));
    if (fresh.length === 0) return [];
    const jobs: PgBoss.JobInsert<JobData>[] = fresh.map((r) => ({
      name: queue,
      data: { sweepId, runId: r.runId },
      priority: r.priority ?? 0,
      retryLimit: RETRY_BACKSTOP,
      retryDelay: 0,
      expireInSeconds: this.leaseSeconds,
    }));
    await boss.insert(jobs, { db: bossDb(tx) });
    return fresh.map((r) => r.runId);
  }

  /** The sweeps that have a queue, oldest first. */
  async sweeps(): Promise<number[]> {
    const queues = await this.boss.getQueues();
    return queues
      .map((q) => queueSweepId(q.name))
      .filter((id): id is number => id !== null)
      .sort((a, b) => a - b);
  }

  /** Takes the next job of the first of these sweeps that has one (every sweep's when omitted). */
  async fetch(sweepIds?: readonly number[]): Promise<RunLease | undefined> {
    for (const sweepId of sweepIds ?? (await this.sweeps())) {
      const queue = sweepQueueName(sweepId);
      const [job] = await this.boss.fetch<JobData>(queue, { includeMetadata: true, batchSize: 1 });
      if (job === undefined) continue;
      if (!isJobData(job.data)) {
        // Not a job of ours (someone else wrote into the queue): out of the way, with the reason.
        await this.boss.fail(queue, job.id, { reason: 'not a scorelab run job' });
        continue;
      }
      return { queue, jobId: job.id, sweepId: job.data.sweepId, runId: job.data.runId, token: job.retryCount };
    }
    return undefined;
  }

  /** Renews the lease (pg-boss measures expiry from started_on). False when it was lost: the job
   * expired, or was completed or given back meanwhile. */
  async renew(lease: RunLease): Promise<boolean> {
    const r = await this.pool.query(`UPDATE ${QUEUE_SCHEMA}.job SET started_on = now() WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`, [lease.queue, lease.jobId, lease.token]);
    return r.rowCount === 1;
  }

  /** The run is over (finished, or failed by itself): the job is done. On `tx` when given. */
  async complete(lease: RunLease, output: Record<string, unknown>, tx?: SqlRunner): Promise<void> {
    await this.boss.complete(lease.queue, lease.jobId, output, tx ? { db: bossDb(tx) } : undefined);
  }

  /** Back to the queue (state retry, at once), e.g. the worker was stopped with SIGTERM. */
  async giveBack(lease: RunLease, reason: string, tx?: SqlRunner): Promise<void> {
    await this.boss.fail(lease.queue, lease.jobId, { reason }, tx ? { db: bossDb(tx) } : undefined);
  }

  /** Sends every job whose lease ran out back to its queue (pg-boss' timeout sweep). */
  async expire(): Promise<void> {
    await this.boss.expire();
  }

  /** Jobs not over yet (created, retry or active) of these sweeps (of every sweep when omitted). */
  async pending(sweepIds?: readonly number[]): Promise<number> {
    const names = (sweepIds ?? (await this.sweeps())).map(sweepQueueName);
    if (names.length === 0) return 0;
    const r = await this.pool.query(`SELECT count(*)::int AS n FROM ${QUEUE_SCHEMA}.job WHERE name = ANY($1::text[]) AND state < 'completed'`, [names]);
    return (r.rows[0] as { n: number }).n;
  }

  /** The state of a run's live job, if it has one (for tests and `scorelab show`). */
  async jobOf(sweepId: number, runId: number): Promise<{ state: string; retryCount: number } | undefined> {
    const r = await this.pool.query(`SELECT state, retry_count FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND (data->>'runId')::int = $2 ORDER BY created_on DESC LIMIT 1`, [sweepQueueName(sweepId), runId]);
    const row = r.rows[0] as { state: string; retry_count: number } | undefined;
    return row === undefined ? undefined : { state: row.state, retryCount: row.retry_count };
  }

  /** Stops pg-boss; the pool belongs to the caller (the store) and stays open. */
  async close(): Promise<void> {
    await this.boss.stop({ close: false, graceful: false, wait: true });
  }
}
