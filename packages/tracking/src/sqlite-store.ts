// The SQLite RunStore: SQL and transactions. What any backend would share (input checks, status
// transitions, summaries, export records, artifact encoding, event texts) lives in its own files.
import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { encodeArtifact } from './artifact-codec';
import { toJson } from './codec';
import { NotFoundError, ReadOnlyStoreError, StoreError, StoreWriteError } from './errors';
import { toExportRecord } from './export-rows';
import type { ImportBatch, ImportTarget } from './import-rows';
import { crashMessage, type StaleCandidate } from './liveness';
import { errorText, firstLine, retryMessage, startMessage } from './run-events';
import { checkMetricPoints, checkNewRuns, checkNewSweep, checkSeriesOptions, checkSweepStatus, checkTransition, findSweep } from './run-validation';
import { type ConnectionSettings, connectionSettings, openConnection } from './sqlite-connection';
import { importSqlite } from './sqlite-import';
import { insertMetrics } from './sqlite-metrics';
import { sqliteSeries } from './sqlite-series';
import * as q from './sqlite-queries';
import { type RunRow, toRun, toSweep } from './sqlite-rows';
import { emptyCounts, summariseRun } from './summaries';
import type {
  Artifact, ArtifactInfo, ClaimOptions, EpochMs, ExportRecord, MetricPoint, MetricScope, MetricSeries, ModelRecord, NewArtifact, NewModel, NewRun, NewSweep,
  Progress, RetryOptions, Run, RunClaim, RunDetail, RunFilter, RunStatus, RunStore, RunSummary, SeriesOptions, Sweep, SweepOwner, SweepStatus, SweepSummary,
} from './types';

export interface OpenStoreOptions {
  /** Open for queries only (dashboard, ls/show/export): every write rejects with ReadOnlyStoreError.
   * The file must exist and be at the current schema version. */
  readonly?: boolean;
  /** How long a statement waits for another connection's write lock before failing (default 10 s). */
  busyTimeoutMs?: number;
  /** Clock for timestamps (tests use a fake one). */
  now?: () => EpochMs;
  /** Caps the file at this many pages (SQLite's max_page_count; 4 KB pages): writes beyond fail as
   * on a full disk. For fault-injection tests. */
  maxPageCount?: number;
}

/** Opens (creating file, parent directories and schema as needed) the SQLite store at `path`. */
export async function openSqliteStore(path: string, options: OpenStoreOptions = {}): Promise<SqliteRunStore> {
  return new SqliteRunStore(path, options);
}

/** SQLite result codes of a disk or file that refuses writes (SQLITE_FULL, SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, ...). */
const UNWRITABLE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/;

function isForeignKeyError(e: unknown): boolean {
  return (e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export class SqliteRunStore implements RunStore, ImportTarget {
  readonly readonly: boolean;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly now: () => EpochMs;
  private readonly statements = new Map<string, Database.Statement>();
  /** The prepared-statement cache, as the query functions take it. */
  private readonly stmt = (sql: string): Database.Statement => {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  };

  constructor(path: string, options: OpenStoreOptions = {}) {
    this.readonly = options.readonly ?? false;
    this.now = options.now ?? Date.now;
    this.path = path === ':memory:' ? path : resolve(path);
    this.db = openConnection(this.path, { readonly: this.readonly, busyTimeoutMs: options.busyTimeoutMs ?? 10_000 });
    if (options.maxPageCount !== undefined) this.db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxPageCount))}`);
  }

  /** The connection's settings, for diagnostics (and the tests that pin them). */
  settings(): ConnectionSettings {
    return connectionSettings(this.db);
  }

  /**
   * Runs a write. Refusals of the database for reasons outside scorelab (a full disk, an I/O error,
   * a file system gone read-only) become one StoreWriteError naming the file and the cause.
   */
  private write<T>(operation: string, body: () => T): T {
    if (this.readonly) throw new ReadOnlyStoreError(operation);
    try {
      return body();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && UNWRITABLE.test(code)) throw new StoreWriteError(this.path, operation, code, (e as Error).message);
      throw e;
    }
  }

  // ------------------------------------------------------------------ sweeps

  async createSweep(sweep: NewSweep): Promise<Sweep> {
    return this.write('createSweep', () => {
      checkNewSweep(sweep);
      let info: Database.RunResult;
      try {
        info = this.stmt(
          `INSERT INTO sweeps (name, description, config, file_path, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(sweep.name, sweep.description ?? null, toJson(sweep.config), sweep.filePath ?? null, sweep.status ?? 'queued', this.now());
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw e;
        const existing = q.sweepByName(this.stmt, sweep.name, this.now());
        throw new StoreError(`sweep '${sweep.name}' already exists (id ${existing?.id}); resume it or choose another name`);
      }
      return q.sweepById(this.stmt, Number(info.lastInsertRowid), this.now())!;
    });
  }

  async findSweepByName(name: string): Promise<Sweep | undefined> {
    return q.sweepByName(this.stmt, name, this.now());
  }

  async setSweepStatus(sweepId: number, status: SweepStatus, owner?: SweepOwner): Promise<void> {
    return this.write('setSweepStatus', () => {
      checkSweepStatus(status);
      const at = this.now();
      const info = owner
        ? this.stmt(`UPDATE sweeps SET status = ?, host = ?, pid = ?, started_at = ?, heartbeat_at = ? WHERE id = ?`).run(status, owner.host, owner.pid, at, at, sweepId)
        : this.stmt(`UPDATE sweeps SET status = ? WHERE id = ?`).run(status, sweepId);
      if (info.changes === 0) throw new NotFoundError(`sweep ${sweepId} does not exist`);
    });
  }

  async heartbeatSweep(sweepId: number): Promise<void> {
    return this.write('heartbeatSweep', () => {
      const info = this.stmt(`UPDATE sweeps SET heartbeat_at = ? WHERE id = ?`).run(this.now(), sweepId);
      if (info.changes === 0) throw new NotFoundError(`sweep ${sweepId} does not exist`);
    });
  }

  private resolveSweep(idOrName: number | string): Sweep | undefined {
    const now = this.now();
    return findSweep(idOrName, (id) => q.sweepById(this.stmt, id, now), (name) => q.sweepByName(this.stmt, name, now));
  }

  async listSweeps(): Promise<SweepSummary[]> {
    const [rows, counts, now] = [q.sweepRows(this.stmt), q.statusCounts(this.stmt), this.now()];
    return rows.map((r) => ({ ...toSweep(r, now), counts: counts.get(r.id) ?? emptyCounts() }));
  }

  async getSweep(idOrName: number | string): Promise<SweepSummary | undefined> {
    const sweep = this.resolveSweep(idOrName);
    if (!sweep) return undefined;
    return { ...sweep, counts: q.statusCounts(this.stmt, sweep.id).get(sweep.id) ?? emptyCounts() };
  }

  // ------------------------------------------------------------------ runs: writes

  async addRuns(sweepId: number, runs: NewRun[], options: { skipExisting?: boolean } = {}): Promise<Run[]> {
    return this.write('addRuns', () => {
      if (!q.sweepById(this.stmt, sweepId, this.now())) throw new NotFoundError(`sweep ${sweepId} does not exist`);
      checkNewRuns(runs);
      const conflict = options.skipExisting ? 'ON CONFLICT (sweep_id, idx) DO NOTHING' : '';
      const insert = this.stmt(
        `INSERT INTO runs (sweep_id, idx, status, params, config, config_hash, training_hash, seed, created_at)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?) ${conflict}`,
      );
      const event = this.eventStatement();
      const ids: number[] = [];
      this.db
        .transaction(() => {
          const at = this.now();
          for (const r of runs) {
            const info = insert.run(sweepId, r.idx, toJson(r.params), toJson(r.config), r.configHash, r.trainingHash ?? null, r.seed, at);
            if (info.changes === 0) continue;
            const id = Number(info.lastInsertRowid);
            event.run(id, at, null, 'queued', null);
            ids.push(id);
          }
        })
        .immediate();
      return ids.map((id) => this.runById(id)!);
    });
  }

  private eventStatement(): Database.Statement {
    return this.stmt(`INSERT INTO run_events (run_id, at, from_status, to_status, message) VALUES (?, ?, ?, ?, ?)`);
  }

  /**
   * The one place a run's status changes: inside an IMMEDIATE transaction (so the check and the
   * update see the same row across processes) it checks RUN_TRANSITIONS, applies `assignments`
   * (SQL `col = ?` list) and records a run_events row.
   */
  private transition(
    runId: number,
    to: RunStatus,
    assignments: string,
    values: unknown[],
    message: string | null | ((row: RunRow) => string),
  ): void {
    const row = this.runRow(runId);
    if (!row) throw new NotFoundError(`run ${runId} does not exist`);
    checkTransition(runId, row.status, to);
    const set = assignments === '' ? 'status = ?' : `status = ?, ${assignments}`;
    this.stmt(`UPDATE runs SET ${set} WHERE id = ?`).run(to, ...values, runId);
    const text = typeof message === 'function' ? message(row) : message;
    this.eventStatement().run(runId, this.now(), row.status, to, text);
  }

  private startInTransaction(runId: number, claim: RunClaim): void {
    const at = this.now();
    this.transition(
      runId,
      'running',
      `attempt = attempt + 1, started_at = ?, heartbeat_at = ?, ended_at = NULL, error = NULL, error_step = NULL,
       current_step = 0, backend = ?, versions = ?, git_commit = ?, host = ?, pid = ?`,
      [at, at, claim.backend, toJson(claim.versions), claim.gitCommit ?? null, claim.host, claim.pid],
      startMessage(claim),
    );
  }
  async startRun(runId: number, claim: RunClaim): Promise<Run> {
    return this.write('startRun', () => {
      this.db.transaction(() => this.startInTransaction(runId, claim)).immediate();
      return this.runById(runId)!;
    });
  }

  async claimRun(sweepId: number, claim: RunClaim, options: ClaimOptions = {}): Promise<Run | undefined> {
    return this.write('claimRun', () => {
      const id = this.db
        .transaction(() => {
          // trainOnce: not a run whose model another running run is training now (running, no model yet).
          const row = this.stmt(
            `SELECT id FROM runs r WHERE sweep_id = ? AND status = 'queued'
               AND (? = 0 OR r.training_hash IS NULL OR NOT EXISTS (
                 SELECT 1 FROM runs o WHERE o.status = 'running' AND o.training_hash = r.training_hash AND o.model_id IS NULL))
             ORDER BY idx LIMIT 1`,
          ).get(sweepId, options.trainOnce ? 1 : 0) as { id: number } | undefined;
          if (!row) return undefined;
          this.startInTransaction(row.id, claim);
          return row.id;
        })
        .immediate();
      return id === undefined ? undefined : this.runById(id);
    });
  }

  async heartbeat(runId: number, progress?: Progress): Promise<RunStatus> {
    return this.write('heartbeat', () => {
      const info = this.stmt(
        `UPDATE runs SET heartbeat_at = ?, current_step = coalesce(?, current_step), total_steps = coalesce(?, total_steps)
         WHERE id = ? AND status = 'running'`,
      ).run(this.now(), progress?.step ?? null, progress?.totalSteps ?? null, runId);
      if (info.changes > 0) return 'running';
      const row = this.stmt(`SELECT status FROM runs WHERE id = ?`).get(runId) as { status: RunStatus } | undefined;
      if (!row) throw new NotFoundError(`run ${runId} does not exist`);
      return row.status;
    });
  }

  async logMetrics(runId: number, points: readonly MetricPoint[]): Promise<void> {
    return this.write('logMetrics', () => {
      if (points.length === 0) return;
      checkMetricPoints(points);
      const at = this.now();
      try {
        this.db.transaction(() => insertMetrics(this.stmt, runId, points, at)).immediate();
      } catch (e) {
        if (isForeignKeyError(e)) throw new NotFoundError(`logMetrics: run ${runId} does not exist`);
        throw e;
      }
    });
  }

  async finishRun(runId: number): Promise<Run> {
    return this.write('finishRun', () => {
      this.db.transaction(() => this.transition(runId, 'finished', 'ended_at = ?', [this.now()], null)).immediate();
      return this.runById(runId)!;
    });
  }

  async failRun(runId: number, error: unknown, step: number | null = null): Promise<Run> {
    return this.write('failRun', () => {
      const text = errorText(error);
      this.db
        .transaction(() =>
          this.transition(runId, 'failed', 'ended_at = ?, error = ?, error_step = coalesce(?, current_step)', [this.now(), text, step], firstLine(text)),
        )
        .immediate();
      return this.runById(runId)!;
    });
  }

  async killRun(runId: number, reason = 'killed'): Promise<Run> {
    return this.write('killRun', () => {
      this.db
        .transaction(() =>
          this.transition(runId, 'killed', 'ended_at = ?, error = ?, error_step = current_step', [this.now(), reason], reason),
        )
        .immediate();
      return this.runById(runId)!;
    });
  }

  async markStaleRunsCrashed(staleAfterMs: number): Promise<number[]> {
    return this.write('markStaleRunsCrashed', () =>
      this.db
        .transaction(() => {
          const now = this.now();
          const running = this.stmt(
            `SELECT id, host, pid, started_at AS startedAt, coalesce(heartbeat_at, started_at) AS last FROM runs
             WHERE status = 'running' ORDER BY id`,
          ).all() as StaleCandidate[];
          const crashed: number[] = [];
          for (const run of running) {
            const message = crashMessage(run, now, staleAfterMs);
            if (message === null) continue;
            this.transition(run.id, 'failed', 'ended_at = ?, error = ?, error_step = current_step', [now, message], message);
            crashed.push(run.id);
          }
          return crashed;
        })
        .immediate(),
    );
  }

  async resetRunForRetry(runId: number, options: RetryOptions = {}): Promise<Run> {
    const keep = options.keepThroughStep;
    if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0)) throw new StoreError(`resetRunForRetry: keepThroughStep must be an integer >= 0, got ${keep}`);
    return this.write('resetRunForRetry', () => {
      this.db
        .transaction(() => {
          this.transition(
            runId,
            'queued',
            `started_at = NULL, ended_at = NULL, heartbeat_at = NULL, error = NULL, error_step = NULL,
             current_step = NULL, total_steps = NULL, backend = NULL, engine = NULL, versions = NULL, git_commit = NULL,
             host = NULL, pid = NULL`,
            [],
            retryMessage,
          );
          if (keep === undefined) {
            // The retried attempt starts clean series; the old attempt survives in run_events only.
            this.stmt(`DELETE FROM metrics WHERE run_id = ?`).run(runId);
            this.stmt(`DELETE FROM latest_metrics WHERE run_id = ?`).run(runId);
            this.stmt(`DELETE FROM artifacts WHERE run_id = ?`).run(runId);
            // Its model went with its checkpoint (runs that sampled it forget it: ON DELETE SET NULL).
            this.stmt(`DELETE FROM models WHERE source_run_id = ?`).run(runId);
            this.stmt(`UPDATE runs SET model_id = NULL WHERE id = ?`).run(runId);
            return;
          }
          // Resume: the series continue after the checkpoint's step, so nothing is logged twice.
          this.stmt(`DELETE FROM metrics WHERE run_id = ? AND step > ?`).run(runId, keep);
          this.stmt(`DELETE FROM latest_metrics WHERE run_id = ?`).run(runId);
          this.stmt(
            `INSERT INTO latest_metrics (run_id, key, step, value, nonfinite, wall_time)
             SELECT m.run_id, m.key, m.step, m.value, m.nonfinite, m.wall_time FROM metrics m
             WHERE m.run_id = ? AND m.step = (SELECT max(step) FROM metrics WHERE run_id = m.run_id AND key = m.key)`,
          ).run(runId);
          this.stmt(`DELETE FROM artifacts WHERE run_id = ? AND kind != 'checkpoint'`).run(runId);
        })
        .immediate();
      return this.runById(runId)!;
    });
  }

  async saveArtifact(runId: number, artifact: NewArtifact): Promise<ArtifactInfo> {
    return this.write('saveArtifact', () => {
      const { format, shape, json, blob, bytes } = encodeArtifact(artifact);
      try {
        this.stmt(
          `INSERT INTO artifacts (run_id, name, kind, format, shape, json, blob, bytes, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, name) DO UPDATE SET kind = excluded.kind, format = excluded.format,
             shape = excluded.shape, json = excluded.json, blob = excluded.blob, bytes = excluded.bytes,
             created_at = excluded.created_at`,
        ).run(runId, artifact.name, artifact.kind, format, shape, json, blob, bytes, this.now());
      } catch (e) {
        if (isForeignKeyError(e)) throw new NotFoundError(`saveArtifact: run ${runId} does not exist`);
        throw e;
      }
      return q.artifactInfo(this.stmt, runId, artifact.name)!;
    });
  }

  async deleteArtifact(runId: number, name: string): Promise<void> {
    return this.write('deleteArtifact', () => void this.stmt(`DELETE FROM artifacts WHERE run_id = ? AND name = ?`).run(runId, name));
  }

  async saveModel(model: NewModel): Promise<ModelRecord> {
    return this.write('saveModel', () => {
      if (!/^[0-9a-f]{16}$/.test(model.trainingHash)) throw new StoreError(`saveModel: trainingHash must be 16 hex digits, got '${model.trainingHash}'`);
      const id = this.db
        .transaction(() => {
          if (!this.runRow(model.sourceRunId)) throw new NotFoundError(`saveModel: run ${model.sourceRunId} does not exist`);
          if (!q.artifactInfo(this.stmt, model.sourceRunId, model.checkpoint)) throw new NotFoundError(`saveModel: run ${model.sourceRunId} has no artifact '${model.checkpoint}'`);
          const info = this.stmt(
            `INSERT INTO models (training_hash, source_run_id, checkpoint, step, created_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (source_run_id) DO UPDATE SET training_hash = excluded.training_hash, checkpoint = excluded.checkpoint,
               step = excluded.step, created_at = excluded.created_at
             RETURNING id`,
          ).get(model.trainingHash, model.sourceRunId, model.checkpoint, model.step, this.now()) as { id: number };
          this.stmt(`UPDATE runs SET model_id = ? WHERE id = ?`).run(info.id, model.sourceRunId);
          return info.id;
        })
        .immediate();
      return q.modelById(this.stmt, id)!;
    });
  }

  async findModel(trainingHash: string): Promise<ModelRecord | undefined> {
    return q.latestModel(this.stmt, trainingHash);
  }

  async getModel(id: number): Promise<ModelRecord | undefined> {
    return q.modelById(this.stmt, id);
  }

  async setRunEngine(runId: number, engine: string | null): Promise<void> {
    return this.write('setRunEngine', () => {
      const info = this.stmt(`UPDATE runs SET engine = ? WHERE id = ?`).run(engine, runId);
      if (info.changes === 0) throw new NotFoundError(`setRunEngine: run ${runId} does not exist`);
    });
  }

  async setRunModel(runId: number, modelId: number): Promise<void> {
    return this.write('setRunModel', () => {
      if (!q.modelById(this.stmt, modelId)) throw new NotFoundError(`setRunModel: model ${modelId} does not exist`);
      const info = this.stmt(`UPDATE runs SET model_id = ? WHERE id = ?`).run(modelId, runId);
      if (info.changes === 0) throw new NotFoundError(`setRunModel: run ${runId} does not exist`);
    });
  }

  // ------------------------------------------------------------------ queries

  private runRow(runId: number): RunRow | undefined {
    return q.runRow(this.stmt, runId);
  }

  private runById(runId: number): Run | undefined {
    const row = this.runRow(runId);
    return row && toRun(row);
  }

  /** `rows` (those `where` selects) with their latest metrics and durations. */
  private summaries(rows: RunRow[], where: q.RunWhere): RunSummary[] {
    const latest = q.latestMetrics(this.stmt, where);
    const now = this.now();
    return rows.map((row) => summariseRun(toRun(row), row.sweep_name, latest.get(row.id) ?? {}, now));
  }

  async listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const where = q.runWhere(filter);
    return where ? this.summaries(q.runRows(this.stmt, where), where) : [];
  }

  async queuedRuns(sweepId: number): Promise<number> {
    return (this.stmt(`SELECT count(*) AS n FROM runs WHERE sweep_id = ? AND status = 'queued'`).get(sweepId) as { n: number }).n;
  }

  async getRun(runId: number): Promise<RunDetail | undefined> {
    const row = this.runRow(runId);
    if (!row) return undefined;
    const [summary] = this.summaries([row], { where: 'WHERE r.id = ?', params: [runId] });
    return { ...summary, events: q.runEvents(this.stmt, runId) };
  }

  async metricKeys(scope: MetricScope): Promise<string[]> {
    return q.metricKeys(this.stmt, scope);
  }

  async metricSeries(runId: number, key: string, options: SeriesOptions = {}): Promise<MetricSeries> {
    checkSeriesOptions(options);
    return sqliteSeries(this.stmt, runId, key, options.maxPoints);
  }

  async listArtifacts(runId: number): Promise<ArtifactInfo[]> {
    return q.artifactInfos(this.stmt, runId);
  }

  async getArtifact(runId: number, name: string): Promise<Artifact | undefined> {
    return q.artifact(this.stmt, runId, name);
  }

  async exportRuns(options: { sweep?: number | string } = {}): Promise<ExportRecord[]> {
    let filter: RunFilter = {};
    if (options.sweep !== undefined) {
      const sweep = this.resolveSweep(options.sweep);
      if (!sweep) throw new NotFoundError(`no sweep '${options.sweep}'`);
      filter = { sweepId: sweep.id };
    }
    return (await this.listRuns(filter)).map(toExportRecord);
  }

  /** copyStore's writes (import-rows.ts): one batch in one transaction. */
  async importRows(batch: ImportBatch): Promise<void> {
    return this.write('importRows', () => this.db.transaction(() => importSqlite(this.stmt, batch, this.now())).immediate());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
