import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { alignedCopy, decodeValue, encodeValue, fromJson, toJson, typedArrayBytes } from './codec';
import { IllegalTransitionError, NotFoundError, ReadOnlyStoreError, StoreError } from './errors';
import { lttbIndicesXY } from './lttb';
import { migrate, schemaVersion } from './migrations';
import { canTransition } from './transitions';
import type {
  Artifact,
  ArtifactContent,
  ArtifactInfo,
  EpochMs,
  ExportRecord,
  JsonObject,
  MetricPoint,
  MetricScope,
  MetricSeries,
  NewArtifact,
  NewRun,
  NewSweep,
  Progress,
  Run,
  RunClaim,
  RunDetail,
  RunEvent,
  RunFilter,
  RunStatus,
  RunStore,
  RunSummary,
  SeriesOptions,
  SeriesPoint,
  StatusCounts,
  Sweep,
  SweepStatus,
  SweepSummary,
} from './types';
import { RUN_STATUSES } from './types';

export interface OpenStoreOptions {
  /** Open for queries only (dashboard, ls/show/export): every write rejects with ReadOnlyStoreError.
   * The file must exist and be at the current schema version. */
  readonly?: boolean;
  /** How long a statement waits for another connection's write lock before failing (default 10 s). */
  busyTimeoutMs?: number;
  /** Clock for timestamps (tests use a fake one). */
  now?: () => EpochMs;
}

/** Opens (creating file, parent directories and schema as needed) the SQLite store at `path`. */
export async function openStore(path: string, options: OpenStoreOptions = {}): Promise<SqliteRunStore> {
  return new SqliteRunStore(path, options);
}

// Row shapes as SQLite returns them.
interface SweepRow {
  id: number;
  name: string;
  description: string | null;
  config: string;
  file_path: string | null;
  status: SweepStatus;
  created_at: number;
}

interface RunRow {
  id: number;
  sweep_id: number;
  idx: number;
  status: RunStatus;
  params: string;
  config: string;
  config_hash: string;
  seed: number;
  backend: string | null;
  versions: string | null;
  git_commit: string | null;
  host: string | null;
  pid: number | null;
  attempt: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  heartbeat_at: number | null;
  error: string | null;
  error_step: number | null;
  current_step: number | null;
  total_steps: number | null;
  sweep_name: string;
}

interface ArtifactRow {
  run_id: number;
  name: string;
  kind: string;
  format: ArtifactContent['format'];
  shape: string | null;
  json: string | null;
  blob: Buffer | null;
  bytes: number;
  created_at: number;
}

const METRIC_CHUNK = 64;

function metricInsertSql(rows: number): string {
  const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ');
  return `INSERT INTO metrics (run_id, key, step, value, nonfinite, wall_time) VALUES ${values}
    ON CONFLICT (run_id, key, step) DO UPDATE SET
      value = excluded.value, nonfinite = excluded.nonfinite, wall_time = excluded.wall_time`;
}

const RUN_SELECT = `SELECT r.*, s.name AS sweep_name FROM runs r JOIN sweeps s ON s.id = r.sweep_id`;
const ARTIFACT_INFO_COLUMNS = `run_id, name, kind, format, shape, bytes, created_at`;

function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

function isForeignKeyError(e: unknown): boolean {
  return (e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

function emptyCounts(): StatusCounts {
  return { queued: 0, running: 0, finished: 0, failed: 0, killed: 0, total: 0 };
}

export class SqliteRunStore implements RunStore {
  readonly readonly: boolean;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly now: () => EpochMs;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string, options: OpenStoreOptions = {}) {
    this.readonly = options.readonly ?? false;
    this.now = options.now ?? Date.now;
    const memory = path === ':memory:';
    this.path = memory ? path : resolve(path);
    if (!memory) {
      if (this.readonly && !existsSync(this.path)) throw new NotFoundError(`no scorelab store at ${this.path}`);
      if (!this.readonly) mkdirSync(dirname(this.path), { recursive: true });
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    this.db = new Database(this.path, { readonly: this.readonly, timeout: busyTimeoutMs });
    try {
      this.db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`);
      this.db.pragma('foreign_keys = ON');
      if (!this.readonly) {
        this.setWal(busyTimeoutMs);
        // In WAL mode NORMAL syncs at checkpoints only: a power cut may lose the last commits but
        // never corrupts the db; a process crash loses nothing.
        this.db.pragma('synchronous = NORMAL');
      }
      migrate(this.db, { readonly: this.readonly, label: this.path });
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  /** journal_mode=WAL needs an exclusive lock once per file; when several processes create the same
   * new db at once SQLite may answer SQLITE_BUSY without consulting the busy handler, so retry. */
  private setWal(busyTimeoutMs: number): void {
    const deadline = Date.now() + busyTimeoutMs;
    for (;;) {
      try {
        this.db.pragma('journal_mode = WAL');
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }

  /** The connection's settings, for diagnostics (and the tests that pin them). */
  settings(): { journalMode: string; synchronous: 'off' | 'normal' | 'full' | 'extra'; busyTimeoutMs: number; foreignKeys: boolean; schemaVersion: number } {
    const synchronous = (['off', 'normal', 'full', 'extra'] as const)[this.db.pragma('synchronous', { simple: true }) as number];
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous,
      busyTimeoutMs: this.db.pragma('busy_timeout', { simple: true }) as number,
      foreignKeys: this.db.pragma('foreign_keys', { simple: true }) === 1,
      schemaVersion: schemaVersion(this.db),
    };
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private writable(operation: string): void {
    if (this.readonly) throw new ReadOnlyStoreError(operation);
  }

  // ------------------------------------------------------------------ sweeps

  async createSweep(sweep: NewSweep): Promise<Sweep> {
    this.writable('createSweep');
    if (sweep.name.trim() === '') throw new StoreError('createSweep: empty sweep name');
    let info: Database.RunResult;
    try {
      info = this.stmt(
        `INSERT INTO sweeps (name, description, config, file_path, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(sweep.name, sweep.description ?? null, toJson(sweep.config), sweep.filePath ?? null, sweep.status ?? 'queued', this.now());
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw e;
      const existing = await this.findSweepByName(sweep.name);
      throw new StoreError(`sweep '${sweep.name}' already exists (id ${existing?.id}); resume it or choose another name`);
    }
    return this.sweepById(Number(info.lastInsertRowid))!;
  }

  async findSweepByName(name: string): Promise<Sweep | undefined> {
    const row = this.stmt(`SELECT * FROM sweeps WHERE name = ?`).get(name) as SweepRow | undefined;
    return row && toSweep(row);
  }

  async setSweepStatus(sweepId: number, status: SweepStatus): Promise<void> {
    this.writable('setSweepStatus');
    if (!RUN_STATUSES.includes(status)) throw new StoreError(`setSweepStatus: unknown status '${status}'`);
    const info = this.stmt(`UPDATE sweeps SET status = ? WHERE id = ?`).run(status, sweepId);
    if (info.changes === 0) throw new NotFoundError(`sweep ${sweepId} does not exist`);
  }

  private sweepById(id: number): Sweep | undefined {
    const row = this.stmt(`SELECT * FROM sweeps WHERE id = ?`).get(id) as SweepRow | undefined;
    return row && toSweep(row);
  }

  private resolveSweep(idOrName: number | string): Sweep | undefined {
    if (typeof idOrName === 'number') return this.sweepById(idOrName);
    const byName = this.stmt(`SELECT * FROM sweeps WHERE name = ?`).get(idOrName) as SweepRow | undefined;
    if (byName) return toSweep(byName);
    return /^\d+$/.test(idOrName) ? this.sweepById(Number(idOrName)) : undefined;
  }

  private countsBySweep(sweepId?: number): Map<number, StatusCounts> {
    const rows = (
      sweepId === undefined
        ? this.stmt(`SELECT sweep_id, status, count(*) AS n FROM runs GROUP BY sweep_id, status`).all()
        : this.stmt(`SELECT sweep_id, status, count(*) AS n FROM runs WHERE sweep_id = ? GROUP BY status`).all(sweepId)
    ) as { sweep_id: number; status: RunStatus; n: number }[];
    const out = new Map<number, StatusCounts>();
    for (const r of rows) {
      let c = out.get(r.sweep_id);
      if (!c) out.set(r.sweep_id, (c = emptyCounts()));
      c[r.status] += r.n;
      c.total += r.n;
    }
    return out;
  }

  async listSweeps(): Promise<SweepSummary[]> {
    const rows = this.stmt(`SELECT * FROM sweeps ORDER BY id`).all() as SweepRow[];
    const counts = this.countsBySweep();
    return rows.map((r) => ({ ...toSweep(r), counts: counts.get(r.id) ?? emptyCounts() }));
  }

  async getSweep(idOrName: number | string): Promise<SweepSummary | undefined> {
    const sweep = this.resolveSweep(idOrName);
    if (!sweep) return undefined;
    return { ...sweep, counts: this.countsBySweep(sweep.id).get(sweep.id) ?? emptyCounts() };
  }

  // ------------------------------------------------------------------ runs: writes

  async addRuns(sweepId: number, runs: NewRun[], options: { skipExisting?: boolean } = {}): Promise<Run[]> {
    this.writable('addRuns');
    if (!this.sweepById(sweepId)) throw new NotFoundError(`sweep ${sweepId} does not exist`);
    for (const r of runs) {
      if (!Number.isSafeInteger(r.idx) || r.idx < 0) throw new StoreError(`addRuns: idx must be an integer >= 0, got ${r.idx}`);
      if (!Number.isSafeInteger(r.seed)) throw new StoreError(`addRuns: seed must be an integer, got ${r.seed}`);
    }
    const conflict = options.skipExisting ? 'ON CONFLICT (sweep_id, idx) DO NOTHING' : '';
    const insert = this.stmt(
      `INSERT INTO runs (sweep_id, idx, status, params, config, config_hash, seed, created_at)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, ?) ${conflict}`,
    );
    const event = this.eventStatement();
    const ids: number[] = [];
    this.db
      .transaction(() => {
        const at = this.now();
        for (const r of runs) {
          const info = insert.run(sweepId, r.idx, toJson(r.params), toJson(r.config), r.configHash, r.seed, at);
          if (info.changes === 0) continue;
          const id = Number(info.lastInsertRowid);
          event.run(id, at, null, 'queued', null);
          ids.push(id);
        }
      })
      .immediate();
    return ids.map((id) => this.runById(id)!);
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
    if (!canTransition(row.status, to)) throw new IllegalTransitionError(runId, row.status, to);
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
      `${claim.host} pid ${claim.pid} (${claim.backend})`,
    );
  }

  async startRun(runId: number, claim: RunClaim): Promise<Run> {
    this.writable('startRun');
    this.db.transaction(() => this.startInTransaction(runId, claim)).immediate();
    return this.runById(runId)!;
  }

  async claimRun(sweepId: number, claim: RunClaim): Promise<Run | undefined> {
    this.writable('claimRun');
    const id = this.db
      .transaction(() => {
        const row = this.stmt(
          `SELECT id FROM runs WHERE sweep_id = ? AND status = 'queued' ORDER BY idx LIMIT 1`,
        ).get(sweepId) as { id: number } | undefined;
        if (!row) return undefined;
        this.startInTransaction(row.id, claim);
        return row.id;
      })
      .immediate();
    return id === undefined ? undefined : this.runById(id);
  }

  async heartbeat(runId: number, progress: Progress): Promise<RunStatus> {
    this.writable('heartbeat');
    const info = this.stmt(
      `UPDATE runs SET heartbeat_at = ?, current_step = ?, total_steps = coalesce(?, total_steps)
       WHERE id = ? AND status = 'running'`,
    ).run(this.now(), progress.step, progress.totalSteps ?? null, runId);
    if (info.changes > 0) return 'running';
    const row = this.stmt(`SELECT status FROM runs WHERE id = ?`).get(runId) as { status: RunStatus } | undefined;
    if (!row) throw new NotFoundError(`run ${runId} does not exist`);
    return row.status;
  }

  async logMetrics(runId: number, points: readonly MetricPoint[]): Promise<void> {
    this.writable('logMetrics');
    if (points.length === 0) return;
    for (const p of points) {
      if (typeof p.key !== 'string' || p.key === '') throw new StoreError(`logMetrics: empty metric key`);
      if (!Number.isSafeInteger(p.step) || p.step < 0) {
        throw new StoreError(`logMetrics: ${p.key}: step must be an integer >= 0, got ${p.step}`);
      }
      if (typeof p.value !== 'number') throw new StoreError(`logMetrics: ${p.key}: value must be a number`);
    }
    const at = this.now();
    try {
      this.db.transaction(() => this.insertMetrics(runId, points, at)).immediate();
    } catch (e) {
      if (isForeignKeyError(e)) throw new NotFoundError(`logMetrics: run ${runId} does not exist`);
      throw e;
    }
  }

  /**
   * Multi-row INSERTs of METRIC_CHUNK rows (one native call per chunk instead of per point; about a
   * third less CPU per point than single-row inserts), then one latest_metrics upsert per key.
   * A (run, key, step) logged again replaces the stored value (last write wins).
   */
  private insertMetrics(runId: number, points: readonly MetricPoint[], at: EpochMs): void {
    const chunk = this.stmt(metricInsertSql(METRIC_CHUNK));
    const single = this.stmt(metricInsertSql(1));
    const args: unknown[] = new Array(METRIC_CHUNK * 6);
    // Latest point per key within the batch (ties go to the later point).
    const latest = new Map<string, MetricPoint>();
    let filled = 0;
    for (const p of points) {
      const finite = Number.isFinite(p.value);
      const o = filled * 6;
      args[o] = runId;
      args[o + 1] = p.key;
      args[o + 2] = p.step;
      args[o + 3] = finite ? p.value : null;
      args[o + 4] = finite ? null : encodeValue(p.value)[1];
      args[o + 5] = p.wallTime ?? at;
      if (++filled === METRIC_CHUNK) {
        chunk.run(args);
        filled = 0;
      }
      const prev = latest.get(p.key);
      if (prev === undefined || p.step >= prev.step) latest.set(p.key, p);
    }
    for (let i = 0; i < filled; i++) single.run(args.slice(i * 6, i * 6 + 6));
    // Only a point with a step >= the stored one replaces it; ties go to the later write.
    const upsertLatest = this.stmt(
      `INSERT INTO latest_metrics (run_id, key, step, value, nonfinite, wall_time) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, key) DO UPDATE SET
         step = excluded.step, value = excluded.value, nonfinite = excluded.nonfinite, wall_time = excluded.wall_time
       WHERE excluded.step >= latest_metrics.step`,
    );
    for (const p of latest.values()) {
      const [value, nonfinite] = encodeValue(p.value);
      upsertLatest.run(runId, p.key, p.step, value, nonfinite, p.wallTime ?? at);
    }
  }

  async finishRun(runId: number): Promise<Run> {
    this.writable('finishRun');
    this.db.transaction(() => this.transition(runId, 'finished', 'ended_at = ?', [this.now()], null)).immediate();
    return this.runById(runId)!;
  }

  async failRun(runId: number, error: unknown, step: number | null = null): Promise<Run> {
    this.writable('failRun');
    const text = errorText(error);
    this.db
      .transaction(() =>
        this.transition(
          runId,
          'failed',
          'ended_at = ?, error = ?, error_step = coalesce(?, current_step)',
          [this.now(), text, step],
          text.split('\n')[0],
        ),
      )
      .immediate();
    return this.runById(runId)!;
  }

  async killRun(runId: number, reason = 'killed'): Promise<Run> {
    this.writable('killRun');
    this.db
      .transaction(() =>
        this.transition(runId, 'killed', 'ended_at = ?, error = ?, error_step = current_step', [this.now(), reason], reason),
      )
      .immediate();
    return this.runById(runId)!;
  }

  async markStaleRunsCrashed(staleAfterMs: number): Promise<number[]> {
    this.writable('markStaleRunsCrashed');
    return this.db
      .transaction(() => {
        const now = this.now();
        const stale = this.stmt(
          `SELECT id, coalesce(heartbeat_at, started_at) AS last FROM runs
           WHERE status = 'running' AND coalesce(heartbeat_at, started_at, 0) < ? ORDER BY id`,
        ).all(now - staleAfterMs) as { id: number; last: number | null }[];
        for (const { id, last } of stale) {
          const since = last === null ? 'never' : new Date(last).toISOString();
          const message = `crashed: no heartbeat since ${since}`;
          this.transition(id, 'failed', 'ended_at = ?, error = ?, error_step = current_step', [now, message], message);
        }
        return stale.map((s) => s.id);
      })
      .immediate();
  }

  async resetRunForRetry(runId: number): Promise<Run> {
    this.writable('resetRunForRetry');
    this.db
      .transaction(() => {
        this.transition(
          runId,
          'queued',
          `started_at = NULL, ended_at = NULL, heartbeat_at = NULL, error = NULL, error_step = NULL,
           current_step = NULL, total_steps = NULL, backend = NULL, versions = NULL, git_commit = NULL,
           host = NULL, pid = NULL`,
          [],
          (row) => `retry after attempt ${row.attempt} (${row.status}: ${(row.error ?? '').split('\n')[0]})`,
        );
        // The retried attempt starts clean series; the old attempt survives in run_events only.
        this.stmt(`DELETE FROM metrics WHERE run_id = ?`).run(runId);
        this.stmt(`DELETE FROM latest_metrics WHERE run_id = ?`).run(runId);
        this.stmt(`DELETE FROM artifacts WHERE run_id = ?`).run(runId);
      })
      .immediate();
    return this.runById(runId)!;
  }

  async saveArtifact(runId: number, artifact: NewArtifact): Promise<ArtifactInfo> {
    this.writable('saveArtifact');
    const { name, kind, content } = artifact;
    if (name === '') throw new StoreError('saveArtifact: empty name');
    let shape: number[] | null = null;
    let json: string | null = null;
    let blob: Buffer | null = null;
    switch (content.format) {
      case 'json':
        json = toJson(content.value);
        if (json === undefined) throw new StoreError(`saveArtifact: ${name}: value is not JSON-serialisable`);
        break;
      case 'float32':
      case 'float64': {
        shape = content.shape;
        const size = shape.reduce((a, b) => a * b, 1);
        if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || size !== content.data.length) {
          throw new StoreError(`saveArtifact: ${name}: shape [${shape}] does not match ${content.data.length} values`);
        }
        blob = typedArrayBytes(content.data);
        break;
      }
      case 'bytes':
        blob = typedArrayBytes(content.data);
        break;
      default: {
        const never: never = content;
        throw new StoreError(`saveArtifact: unknown format ${(never as { format: string }).format}`);
      }
    }
    const bytes = blob?.byteLength ?? Buffer.byteLength(json ?? '');
    try {
      this.stmt(
        `INSERT INTO artifacts (run_id, name, kind, format, shape, json, blob, bytes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, name) DO UPDATE SET kind = excluded.kind, format = excluded.format,
           shape = excluded.shape, json = excluded.json, blob = excluded.blob, bytes = excluded.bytes,
           created_at = excluded.created_at`,
      ).run(runId, name, kind, content.format, shape && toJson(shape), json, blob, bytes, this.now());
    } catch (e) {
      if (isForeignKeyError(e)) throw new NotFoundError(`saveArtifact: run ${runId} does not exist`);
      throw e;
    }
    const row = this.stmt(`SELECT ${ARTIFACT_INFO_COLUMNS} FROM artifacts WHERE run_id = ? AND name = ?`).get(runId, name);
    return toArtifactInfo(row as ArtifactRow);
  }

  // ------------------------------------------------------------------ queries

  private runRow(runId: number): RunRow | undefined {
    return this.stmt(`${RUN_SELECT} WHERE r.id = ?`).get(runId) as RunRow | undefined;
  }

  private runById(runId: number): Run | undefined {
    const row = this.runRow(runId);
    return row && toRun(row);
  }

  private summarise(rows: RunRow[], latest: Map<number, Record<string, number>>): RunSummary[] {
    const now = this.now();
    return rows.map((row) => {
      const run = toRun(row);
      let durationMs: number | null = null;
      if (run.startedAt !== null) {
        if (run.endedAt !== null) durationMs = run.endedAt - run.startedAt;
        else if (run.status === 'running') durationMs = now - run.startedAt;
      }
      return { ...run, sweepName: row.sweep_name, latest: latest.get(run.id) ?? {}, durationMs };
    });
  }

  private latestByRun(where: string, params: unknown[]): Map<number, Record<string, number>> {
    const rows = this.stmt(
      `SELECT l.run_id, l.key, l.value, l.nonfinite FROM latest_metrics l JOIN runs r ON r.id = l.run_id ${where}`,
    ).all(...params) as { run_id: number; key: string; value: number | null; nonfinite: string | null }[];
    const out = new Map<number, Record<string, number>>();
    for (const r of rows) {
      let m = out.get(r.run_id);
      if (!m) out.set(r.run_id, (m = {}));
      m[r.key] = decodeValue(r.value, r.nonfinite);
    }
    return out;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.sweepId !== undefined) {
      clauses.push('r.sweep_id = ?');
      params.push(filter.sweepId);
    }
    if (filter.status !== undefined) {
      const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
      if (statuses.length === 0) return [];
      clauses.push(`r.status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.stmt(`${RUN_SELECT} ${where} ORDER BY r.sweep_id, r.idx`).all(...params) as RunRow[];
    return this.summarise(rows, this.latestByRun(where, params));
  }

  async getRun(runId: number): Promise<RunDetail | undefined> {
    const row = this.runRow(runId);
    if (!row) return undefined;
    const [summary] = this.summarise([row], this.latestByRun('WHERE r.id = ?', [runId]));
    const events = (
      this.stmt(`SELECT at, from_status, to_status, message FROM run_events WHERE run_id = ? ORDER BY id`).all(runId) as {
        at: number;
        from_status: RunStatus | null;
        to_status: RunStatus;
        message: string | null;
      }[]
    ).map((e): RunEvent => ({ at: e.at, from: e.from_status, to: e.to_status, message: e.message }));
    return { ...summary, events };
  }

  async metricKeys(scope: MetricScope): Promise<string[]> {
    const rows = (
      'runId' in scope
        ? this.stmt(`SELECT key FROM latest_metrics WHERE run_id = ? ORDER BY key`).all(scope.runId)
        : this.stmt(
            `SELECT DISTINCT l.key FROM latest_metrics l JOIN runs r ON r.id = l.run_id WHERE r.sweep_id = ? ORDER BY l.key`,
          ).all(scope.sweepId)
    ) as { key: string }[];
    return rows.map((r) => r.key);
  }

  async metricSeries(runId: number, key: string, options: SeriesOptions = {}): Promise<MetricSeries> {
    const { maxPoints } = options;
    if (maxPoints !== undefined && (!Number.isInteger(maxPoints) || maxPoints < 2)) {
      throw new StoreError(`metricSeries: maxPoints must be an integer >= 2, got ${maxPoints}`);
    }
    // One contiguous range of the (run_id, key, step) primary key, already in step order.
    const rows = this.stmt(
      `SELECT step, value, nonfinite, wall_time FROM metrics WHERE run_id = ? AND key = ? ORDER BY step`,
    )
      .raw(true)
      .all(runId, key) as [number, number | null, string | null, number][];
    const n = rows.length;
    const steps = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      steps[i] = rows[i][0];
      values[i] = decodeValue(rows[i][1], rows[i][2]);
    }
    const downsampled = maxPoints !== undefined && maxPoints < n;
    const kept = downsampled ? lttbIndicesXY(steps, values, maxPoints) : Array.from({ length: n }, (_, i) => i);
    return {
      runId,
      key,
      points: kept.map((i): SeriesPoint => ({ step: rows[i][0], value: values[i], wallTime: rows[i][3] })),
      total: n,
      downsampled,
    };
  }

  async listArtifacts(runId: number): Promise<ArtifactInfo[]> {
    const rows = this.stmt(`SELECT ${ARTIFACT_INFO_COLUMNS} FROM artifacts WHERE run_id = ? ORDER BY name`).all(
      runId,
    ) as ArtifactRow[];
    return rows.map(toArtifactInfo);
  }

  async getArtifact(runId: number, name: string): Promise<Artifact | undefined> {
    const row = this.stmt(`SELECT * FROM artifacts WHERE run_id = ? AND name = ?`).get(runId, name) as
      | ArtifactRow
      | undefined;
    if (!row) return undefined;
    return { ...toArtifactInfo(row), content: toArtifactContent(row) };
  }

  async exportRuns(options: { sweep?: number | string } = {}): Promise<ExportRecord[]> {
    let filter: RunFilter = {};
    if (options.sweep !== undefined) {
      const sweep = this.resolveSweep(options.sweep);
      if (!sweep) throw new NotFoundError(`no sweep '${options.sweep}'`);
      filter = { sweepId: sweep.id };
    }
    return (await this.listRuns(filter)).map((r) => ({
      id: r.id,
      sweep: r.sweepName,
      sweepId: r.sweepId,
      idx: r.idx,
      status: r.status,
      seed: r.seed,
      configHash: r.configHash,
      config: r.config,
      params: r.params,
      metrics: r.latest,
      error: r.error,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      durationMs: r.durationMs,
    }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toSweep(row: SweepRow): Sweep {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    config: fromJson<JsonObject>(row.config)!,
    filePath: row.file_path,
    status: row.status,
    createdAt: row.created_at,
  };
}

function toRun(row: RunRow): Run {
  return {
    id: row.id,
    sweepId: row.sweep_id,
    idx: row.idx,
    status: row.status,
    params: fromJson<JsonObject>(row.params)!,
    config: fromJson<JsonObject>(row.config)!,
    configHash: row.config_hash,
    seed: row.seed,
    backend: row.backend,
    versions: fromJson<Record<string, string>>(row.versions),
    gitCommit: row.git_commit,
    host: row.host,
    pid: row.pid,
    attempt: row.attempt,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    heartbeatAt: row.heartbeat_at,
    error: row.error,
    errorStep: row.error_step,
    currentStep: row.current_step,
    totalSteps: row.total_steps,
  };
}

function toArtifactInfo(row: ArtifactRow): ArtifactInfo {
  return {
    runId: row.run_id,
    name: row.name,
    kind: row.kind,
    format: row.format,
    shape: fromJson<number[]>(row.shape),
    bytes: row.bytes,
    createdAt: row.created_at,
  };
}

function toArtifactContent(row: ArtifactRow): ArtifactContent {
  switch (row.format) {
    case 'json':
      return { format: 'json', value: fromJson<unknown>(row.json) };
    case 'float32':
      return { format: 'float32', shape: fromJson<number[]>(row.shape)!, data: new Float32Array(alignedCopy(row.blob!)) };
    case 'float64':
      return { format: 'float64', shape: fromJson<number[]>(row.shape)!, data: new Float64Array(alignedCopy(row.blob!)) };
    case 'bytes':
      return { format: 'bytes', data: new Uint8Array(alignedCopy(row.blob!)) };
  }
}
