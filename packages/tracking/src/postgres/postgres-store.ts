// The PostgreSQL RunStore: the same semantics as SqliteRunStore (shared checks, transitions, event
// texts, summaries, artifact encoding), with PostgreSQL's SQL and locking: every status change
// locks its run row (FOR UPDATE), claimRun skips rows other workers hold (FOR UPDATE SKIP LOCKED),
// so any number of workers on any number of machines claim each run once.
import type pg from 'pg';
import { encodeArtifact } from '../artifact-codec';
import { toJson } from '../codec';
import { NotFoundError, ReadOnlyStoreError, StoreError } from '../errors';
import { toExportRecord } from '../export-rows';
import type { ImportBatch, ImportTarget } from '../import-rows';
import { crashMessage, type StaleCandidate } from '../liveness';
import { errorText, firstLine, retryMessage, startMessage } from '../run-events';
import { checkMetricPoints, checkNewRuns, checkNewSweep, checkSeriesOptions, checkSweepStatus, checkTransition, findSweep } from '../run-validation';
import { type RunRow, toRun, toSweep } from '../sqlite-rows';
import { EXACT_SERIES_LIMIT, emptyCounts, summariseRun } from '../summaries';
import type {
  Artifact, ArtifactInfo, ClaimOptions, EpochMs, ExportRecord, MetricPoint, MetricScope, MetricSeries, ModelRecord, NewArtifact, NewModel, NewRun, NewSweep,
  Progress, RetryOptions, Run, RunClaim, RunDetail, RunFilter, RunStatus, RunStore, RunSummary, SeriesOptions, Sweep, SweepOwner, SweepStatus, SweepSummary,
} from '../types';
import { openPool, sqlState, writeError } from './pg-connection';
import { METRIC_CHUNK, insertMetrics, metricSeries } from './pg-metrics';
import { clearAttempt, importBatch, insertRuns } from './pg-writes';
import * as q from './pg-queries';
import { redactUrl } from './pg-url';

export interface PostgresStoreOptions {
  /** Queries only (dashboard, ls/show/export): every write rejects with ReadOnlyStoreError, and the
   * sessions are read-only (default_transaction_read_only). The schema must be current. */
  readonly?: boolean;
  /** Clock for timestamps (tests use a fake one). */
  now?: () => EpochMs;
  /** Connections of the pool (default 10). */
  maxConnections?: number;
  /** How long to wait for the server when connecting (default 10 s). */
  connectTimeoutMs?: number;
  /** Series up to this many points are downsampled over all their points (default EXACT_SERIES_LIMIT, 50,000). */
  exactSeriesLimit?: number;
}

const FOREIGN_KEY_VIOLATION = '23503';
const UNIQUE_VIOLATION = '23505';
// Serialises trainOnce claims: the check "no running run trains this hash" and the claim must see
// each other's commits (SQLite gets that from its single writer).
const TRAIN_ONCE_LOCK = 0x5c0e1ac;

interface Shared {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly readonly: boolean;
  readonly now: () => EpochMs;
  readonly exactSeriesLimit: number;
  savepoints: number;
}

export class PostgresRunStore implements RunStore, ImportTarget {
  readonly readonly: boolean;
  /** The URL as given (password included: pg-boss and other clients connect with it). Print `redactedUrl`. */
  readonly url: string;
  /** The URL with its password masked, for messages. */
  readonly redactedUrl: string;
  /** Where the store is, for messages: the masked URL (SqliteRunStore's is its file). */
  readonly path: string;
  readonly pool: pg.Pool;
  private readonly shared: Shared;
  /** The client of the transaction this store is bound to (transaction()), or undefined: the pool. */
  private readonly client: pg.PoolClient | undefined;
  private readonly now: () => EpochMs;

  /** Connects, refuses a database that is not a scorelab store (UnusableStoreError), migrates. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresRunStore> {
    const readonly = options.readonly ?? false;
    const pool = await openPool(url, { readonly, max: options.maxConnections, connectTimeoutMs: options.connectTimeoutMs });
    return new PostgresRunStore(
      { url, pool, readonly, now: options.now ?? Date.now, exactSeriesLimit: options.exactSeriesLimit ?? EXACT_SERIES_LIMIT, savepoints: 0 },
      undefined,
    );
  }

  private constructor(shared: Shared, client: pg.PoolClient | undefined) {
    this.shared = shared;
    this.client = client;
    this.now = shared.now;
    this.readonly = shared.readonly;
    this.url = shared.url;
    this.redactedUrl = redactUrl(shared.url);
    this.path = this.redactedUrl;
    this.pool = shared.pool;
  }

  toString(): string {
    return `PostgresRunStore(${this.redactedUrl})`;
  }

  private get sql(): q.Sql {
    return this.client ?? this.shared.pool;
  }

  /**
   * Runs fn in one transaction (BEGIN/COMMIT, ROLLBACK when it throws). `tx` is this store bound to
   * the transaction's client: its writes join the transaction, and so do the caller's own queries on
   * `client` (the queue's jobs). Nested in a bound store, it is a SAVEPOINT.
   */
  async transaction<T>(fn: (tx: PostgresRunStore, client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.client) {
      const client = this.client;
      const name = `scorelab_${++this.shared.savepoints}`;
      await client.query(`SAVEPOINT ${name}`);
      try {
        const out = await fn(this, client);
        await client.query(`RELEASE SAVEPOINT ${name}`);
        return out;
      } catch (e) {
        await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw e;
      }
    }
    const client = await this.shared.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        const out = await fn(new PostgresRunStore(this.shared, client), client);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw e;
      }
    } finally {
      // A connection whose ROLLBACK failed is not given back to the pool.
      client.release(broken);
    }
  }

  /** A write: read-only check, the body in a transaction (or alone: `oneStatement`, a body whose one write is one statement), driver errors of an unwritable server as StoreWriteError. */
  private async write<T>(operation: string, body: (tx: q.Sql) => Promise<T>, oneStatement = false): Promise<T> {
    if (this.readonly) throw new ReadOnlyStoreError(operation);
    try {
      // A single statement is atomic by itself: no BEGIN/COMMIT round trips.
      return await (oneStatement ? body(this.sql) : this.transaction((_tx, client) => body(client)));
    } catch (e) {
      throw writeError(this.url, operation, e);
    }
  }

  // ------------------------------------------------------------------ sweeps

  async createSweep(sweep: NewSweep): Promise<Sweep> {
    try {
      return await this.write('createSweep', async (sql) => {
        checkNewSweep(sweep);
        const { rows } = await sql.query<{ id: number }>(
          `INSERT INTO sweeps (name, description, config, file_path, status, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [sweep.name, sweep.description ?? null, toJson(sweep.config), sweep.filePath ?? null, sweep.status ?? 'queued', this.now()],
        );
        return (await q.sweepById(sql, rows[0].id, this.now()))!;
      });
    } catch (e) {
      if (sqlState(e) !== UNIQUE_VIOLATION) throw e;
      const existing = await q.sweepByName(this.sql, sweep.name, this.now());
      throw new StoreError(`sweep '${sweep.name}' already exists (id ${existing?.id}); resume it or choose another name`);
    }
  }

  async findSweepByName(name: string): Promise<Sweep | undefined> {
    return q.sweepByName(this.sql, name, this.now());
  }

  async setSweepStatus(sweepId: number, status: SweepStatus, owner?: SweepOwner): Promise<void> {
    return this.write('setSweepStatus', async (sql) => {
      checkSweepStatus(status);
      const at = this.now();
      const info = owner
        ? await sql.query(`UPDATE sweeps SET status = $1, host = $2, pid = $3, started_at = $4, heartbeat_at = $4 WHERE id = $5`, [status, owner.host, owner.pid, at, sweepId])
        : await sql.query(`UPDATE sweeps SET status = $1 WHERE id = $2`, [status, sweepId]);
      if (info.rowCount === 0) throw new NotFoundError(`sweep ${sweepId} does not exist`);
    }, true);
  }

  async heartbeatSweep(sweepId: number): Promise<void> {
    return this.write('heartbeatSweep', async (sql) => {
      const info = await sql.query(`UPDATE sweeps SET heartbeat_at = $1 WHERE id = $2`, [this.now(), sweepId]);
      if (info.rowCount === 0) throw new NotFoundError(`sweep ${sweepId} does not exist`);
    }, true);
  }

  private async resolveSweep(idOrName: number | string): Promise<Sweep | undefined> {
    const now = this.now();
    // findSweep is synchronous over lookups; resolve both candidates first.
    const byName = typeof idOrName === 'string' ? await q.sweepByName(this.sql, idOrName, now) : undefined;
    const id = typeof idOrName === 'number' ? idOrName : /^\d+$/.test(idOrName) ? Number(idOrName) : undefined;
    const byId = id !== undefined && byName === undefined ? await q.sweepById(this.sql, id, now) : undefined;
    return findSweep(idOrName, () => byId, () => byName);
  }

  async listSweeps(): Promise<SweepSummary[]> {
    const [rows, counts] = [await q.sweepRows(this.sql), await q.statusCounts(this.sql)];
    const now = this.now();
    return rows.map((r) => ({ ...toSweep(r, now), counts: counts.get(r.id) ?? emptyCounts() }));
  }

  async getSweep(idOrName: number | string): Promise<SweepSummary | undefined> {
    const sweep = await this.resolveSweep(idOrName);
    if (!sweep) return undefined;
    return { ...sweep, counts: (await q.statusCounts(this.sql, sweep.id)).get(sweep.id) ?? emptyCounts() };
  }

  // ------------------------------------------------------------------ runs: writes

  async addRuns(sweepId: number, runs: NewRun[], options: { skipExisting?: boolean } = {}): Promise<Run[]> {
    return this.write('addRuns', async (sql) => {
      if (!(await q.sweepById(sql, sweepId, this.now()))) throw new NotFoundError(`sweep ${sweepId} does not exist`);
      checkNewRuns(runs);
      if (runs.length === 0) return [];
      const rows = await insertRuns(sql, sweepId, runs, this.now(), options.skipExisting ?? false);
      // Returned in input order, as SQLite does.
      const byIdx = new Map(rows.map((r) => [r.idx, toRun(r)]));
      return runs.flatMap((r) => byIdx.get(r.idx) ?? []);
    });
  }

  /**
   * The one place a run's status changes: locks the row, checks RUN_TRANSITIONS, applies
   * `assignments` (SQL with parameters from $3; $1 is the status, $2 the run) and records the event.
   */
  private async transition(
    sql: q.Sql,
    runId: number,
    to: RunStatus,
    assignments: string,
    values: unknown[],
    message: string | null | ((row: RunRow) => string),
  ): Promise<void> {
    const row = await q.runRow(sql, runId, true);
    if (!row) throw new NotFoundError(`run ${runId} does not exist`);
    checkTransition(runId, row.status, to);
    const set = assignments === '' ? 'status = $1' : `status = $1, ${assignments}`;
    await sql.query(`UPDATE runs SET ${set} WHERE id = $2`, [to, runId, ...values]);
    const text = typeof message === 'function' ? message(row) : message;
    await sql.query(`INSERT INTO run_events (run_id, at, from_status, to_status, message) VALUES ($1, $2, $3, $4, $5)`, [runId, this.now(), row.status, to, text]);
  }

  private async runById(sql: q.Sql, runId: number): Promise<Run> {
    return toRun((await q.runRow(sql, runId))!);
  }

  private async startInTransaction(sql: q.Sql, runId: number, claim: RunClaim): Promise<void> {
    const at = this.now();
    await this.transition(
      sql,
      runId,
      'running',
      `attempt = attempt + 1, started_at = $3, heartbeat_at = $3, ended_at = NULL, error = NULL, error_step = NULL,
       current_step = 0, backend = $4, versions = $5, git_commit = $6, host = $7, pid = $8`,
      [at, claim.backend, toJson(claim.versions), claim.gitCommit ?? null, claim.host, claim.pid],
      startMessage(claim),
    );
  }

  async startRun(runId: number, claim: RunClaim): Promise<Run> {
    return this.write('startRun', async (sql) => {
      await this.startInTransaction(sql, runId, claim);
      return this.runById(sql, runId);
    });
  }

  async claimRun(sweepId: number, claim: RunClaim, options: ClaimOptions = {}): Promise<Run | undefined> {
    return this.write('claimRun', async (sql) => {
      if (options.trainOnce) await sql.query(`SELECT pg_advisory_xact_lock(${TRAIN_ONCE_LOCK})`);
      // trainOnce: not a run whose model another running run is training now (running, no model yet).
      const { rows } = await sql.query<{ id: number }>(
        `SELECT id FROM runs r WHERE sweep_id = $1 AND status = 'queued'
           AND (NOT $2 OR r.training_hash IS NULL OR NOT EXISTS (
             SELECT 1 FROM runs o WHERE o.status = 'running' AND o.training_hash = r.training_hash AND o.model_id IS NULL))
         ORDER BY idx LIMIT 1 FOR UPDATE OF r SKIP LOCKED`,
        [sweepId, options.trainOnce ?? false],
      );
      if (rows.length === 0) return undefined;
      await this.startInTransaction(sql, rows[0].id, claim);
      return this.runById(sql, rows[0].id);
    });
  }

  async heartbeat(runId: number, progress?: Progress): Promise<RunStatus> {
    return this.write('heartbeat', async (sql) => {
      const info = await sql.query(
        `UPDATE runs SET heartbeat_at = $1, current_step = coalesce($2, current_step), total_steps = coalesce($3, total_steps)
         WHERE id = $4 AND status = 'running'`,
        [this.now(), progress?.step ?? null, progress?.totalSteps ?? null, runId],
      );
      if (info.rowCount !== 0) return 'running';
      const { rows } = await sql.query<{ status: RunStatus }>(`SELECT status FROM runs WHERE id = $1`, [runId]);
      if (rows.length === 0) throw new NotFoundError(`run ${runId} does not exist`);
      return rows[0].status;
    }, true);
  }

  async logMetrics(runId: number, points: readonly MetricPoint[]): Promise<void> {
    if (this.readonly) throw new ReadOnlyStoreError('logMetrics');
    if (points.length === 0) return;
    checkMetricPoints(points);
    try {
      await this.write('logMetrics', (sql) => insertMetrics(sql, runId, points, this.now()), points.length <= METRIC_CHUNK);
    } catch (e) {
      if (sqlState(e) === FOREIGN_KEY_VIOLATION) throw new NotFoundError(`logMetrics: run ${runId} does not exist`);
      throw e;
    }
  }

  async finishRun(runId: number): Promise<Run> {
    return this.write('finishRun', async (sql) => {
      await this.transition(sql, runId, 'finished', 'ended_at = $3', [this.now()], null);
      return this.runById(sql, runId);
    });
  }

  async failRun(runId: number, error: unknown, step: number | null = null): Promise<Run> {
    const text = errorText(error);
    return this.write('failRun', async (sql) => {
      await this.transition(sql, runId, 'failed', 'ended_at = $3, error = $4, error_step = coalesce($5, current_step)', [this.now(), text, step], firstLine(text));
      return this.runById(sql, runId);
    });
  }

  async killRun(runId: number, reason = 'killed'): Promise<Run> {
    return this.write('killRun', async (sql) => {
      await this.transition(sql, runId, 'killed', 'ended_at = $3, error = $4, error_step = current_step', [this.now(), reason], reason);
      return this.runById(sql, runId);
    });
  }

  async markStaleRunsCrashed(staleAfterMs: number): Promise<number[]> {
    return this.write('markStaleRunsCrashed', async (sql) => {
      const now = this.now();
      // Rows another transaction is changing right now are left to it (they are not stale).
      const { rows } = await sql.query<StaleCandidate>(
        `SELECT id, host, pid, started_at AS "startedAt", coalesce(heartbeat_at, started_at) AS last FROM runs
         WHERE status = 'running' ORDER BY id FOR UPDATE SKIP LOCKED`,
      );
      const crashed: number[] = [];
      for (const run of rows) {
        const message = crashMessage(run, now, staleAfterMs);
        if (message === null) continue;
        await this.transition(sql, run.id, 'failed', 'ended_at = $3, error = $4, error_step = current_step', [now, message], message);
        crashed.push(run.id);
      }
      return crashed;
    });
  }

  async resetRunForRetry(runId: number, options: RetryOptions = {}): Promise<Run> {
    const keep = options.keepThroughStep;
    if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0)) throw new StoreError(`resetRunForRetry: keepThroughStep must be an integer >= 0, got ${keep}`);
    return this.write('resetRunForRetry', async (sql) => {
      await this.transition(
        sql,
        runId,
        'queued',
        `started_at = NULL, ended_at = NULL, heartbeat_at = NULL, error = NULL, error_step = NULL, current_step = NULL, total_steps = NULL,
         backend = NULL, engine = NULL, versions = NULL, git_commit = NULL, host = NULL, pid = NULL`,
        [],
        retryMessage,
      );
      await clearAttempt(sql, runId, keep);
      return this.runById(sql, runId);
    });
  }

  async saveArtifact(runId: number, artifact: NewArtifact): Promise<ArtifactInfo> {
    if (this.readonly) throw new ReadOnlyStoreError('saveArtifact');
    const { format, shape, json, blob, bytes } = encodeArtifact(artifact);
    try {
      return await this.write('saveArtifact', async (sql) => {
        await sql.query(
          `INSERT INTO artifacts (run_id, name, kind, format, shape, json, blob, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (run_id, name) DO UPDATE SET kind = excluded.kind, format = excluded.format, shape = excluded.shape,
             json = excluded.json, blob = excluded.blob, bytes = excluded.bytes, created_at = excluded.created_at`,
          [runId, artifact.name, artifact.kind, format, shape, json, blob, bytes, this.now()],
        );
        return (await q.artifactInfo(sql, runId, artifact.name))!;
      });
    } catch (e) {
      if (sqlState(e) === FOREIGN_KEY_VIOLATION) throw new NotFoundError(`saveArtifact: run ${runId} does not exist`);
      throw e;
    }
  }

  async deleteArtifact(runId: number, name: string): Promise<void> {
    return this.write('deleteArtifact', async (sql) => void (await sql.query(`DELETE FROM artifacts WHERE run_id = $1 AND name = $2`, [runId, name])), true);
  }

  async saveModel(model: NewModel): Promise<ModelRecord> {
    return this.write('saveModel', async (sql) => {
      if (!/^[0-9a-f]{16}$/.test(model.trainingHash)) throw new StoreError(`saveModel: trainingHash must be 16 hex digits, got '${model.trainingHash}'`);
      if (!(await q.runRow(sql, model.sourceRunId))) throw new NotFoundError(`saveModel: run ${model.sourceRunId} does not exist`);
      if (!(await q.artifactInfo(sql, model.sourceRunId, model.checkpoint))) throw new NotFoundError(`saveModel: run ${model.sourceRunId} has no artifact '${model.checkpoint}'`);
      const { rows } = await sql.query<{ id: number }>(
        `INSERT INTO models (training_hash, source_run_id, checkpoint, step, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (source_run_id) DO UPDATE SET training_hash = excluded.training_hash, checkpoint = excluded.checkpoint,
           step = excluded.step, created_at = excluded.created_at
         RETURNING id`,
        [model.trainingHash, model.sourceRunId, model.checkpoint, model.step, this.now()],
      );
      await sql.query(`UPDATE runs SET model_id = $1 WHERE id = $2`, [rows[0].id, model.sourceRunId]);
      return (await q.modelById(sql, rows[0].id))!;
    });
  }

  async findModel(trainingHash: string): Promise<ModelRecord | undefined> {
    return q.latestModel(this.sql, trainingHash);
  }

  async getModel(id: number): Promise<ModelRecord | undefined> {
    return q.modelById(this.sql, id);
  }

  async setRunEngine(runId: number, engine: string | null): Promise<void> {
    return this.write('setRunEngine', async (sql) => {
      const info = await sql.query(`UPDATE runs SET engine = $1 WHERE id = $2`, [engine, runId]);
      if (info.rowCount === 0) throw new NotFoundError(`setRunEngine: run ${runId} does not exist`);
    }, true);
  }

  async setRunModel(runId: number, modelId: number): Promise<void> {
    return this.write('setRunModel', async (sql) => {
      if (!(await q.modelById(sql, modelId))) throw new NotFoundError(`setRunModel: model ${modelId} does not exist`);
      const info = await sql.query(`UPDATE runs SET model_id = $1 WHERE id = $2`, [modelId, runId]);
      if (info.rowCount === 0) throw new NotFoundError(`setRunModel: run ${runId} does not exist`);
    });
  }

  // ------------------------------------------------------------------ queries

  /** `rows` (those `where` selects) with their latest metrics and durations. */
  private async summaries(rows: RunRow[], where: q.RunWhere): Promise<RunSummary[]> {
    const latest = await q.latestMetrics(this.sql, where);
    const now = this.now();
    return rows.map((row) => summariseRun(toRun(row), row.sweep_name, latest.get(row.id) ?? {}, now));
  }

  async listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const where = q.runWhere(filter);
    return where ? this.summaries(await q.runRows(this.sql, where), where) : [];
  }

  async queuedRuns(sweepId: number): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE sweep_id = $1 AND status = 'queued'`, [sweepId]);
    return rows[0].n;
  }

  async getRun(runId: number): Promise<RunDetail | undefined> {
    const row = await q.runRow(this.sql, runId);
    if (!row) return undefined;
    const [summary] = await this.summaries([row], { where: 'WHERE r.id = $1', params: [runId] });
    return { ...summary, events: await q.runEvents(this.sql, runId) };
  }

  async metricKeys(scope: MetricScope): Promise<string[]> {
    return q.metricKeys(this.sql, scope);
  }

  async metricSeries(runId: number, key: string, options: SeriesOptions = {}): Promise<MetricSeries> {
    checkSeriesOptions(options);
    return metricSeries(this.sql, runId, key, options.maxPoints, this.shared.exactSeriesLimit);
  }

  async listArtifacts(runId: number): Promise<ArtifactInfo[]> {
    return q.artifactInfos(this.sql, runId);
  }

  async getArtifact(runId: number, name: string): Promise<Artifact | undefined> {
    return q.artifact(this.sql, runId, name);
  }

  async exportRuns(options: { sweep?: number | string } = {}): Promise<ExportRecord[]> {
    let filter: RunFilter = {};
    if (options.sweep !== undefined) {
      const sweep = await this.resolveSweep(options.sweep);
      if (!sweep) throw new NotFoundError(`no sweep '${options.sweep}'`);
      filter = { sweepId: sweep.id };
    }
    return (await this.listRuns(filter)).map(toExportRecord);
  }

  /** copyStore's writes (import-rows.ts): one batch in one transaction. */
  async importRows(batch: ImportBatch): Promise<void> {
    return this.write('importRows', (sql) => importBatch(sql, batch, this.now()));
  }

  /** Ends the pool (a store bound to a transaction leaves it to its owner). */
  async close(): Promise<void> {
    if (this.client || this.shared.pool.ended) return;
    await this.shared.pool.end();
  }
}
