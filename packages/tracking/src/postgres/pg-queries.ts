// The SELECTs of the PostgreSQL store. Rows come back in the SQLite rows' shapes (PG_TYPES), so
// the shared mappers of sqlite-rows.ts and summaries.ts turn them into records.
import type pg from 'pg';
import { type ArtifactRow, type ModelRow, type RunRow, type SweepRow, toArtifact, toArtifactInfo, toModel, toSweep } from '../sqlite-rows';
import { countsBySweep, latestByRun } from '../summaries';
import type { Artifact, ArtifactInfo, EpochMs, MetricScope, ModelRecord, RunEvent, RunFilter, RunStatus, StatusCounts, Sweep } from '../types';

/** A pool, or the client of a transaction. */
export interface Sql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export const RUN_SELECT = `SELECT r.*, s.name AS sweep_name FROM runs r JOIN sweeps s ON s.id = r.sweep_id`;
const ARTIFACT_INFO_COLUMNS = `run_id, name, kind, format, shape, bytes, created_at`;

/** latest_metrics and metrics rows in the shape of SQLite's (value + nonfinite flag), for latestByRun. */
function nonfinite(v: number): string | null {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return null;
}

/** A WHERE clause over `runs r` with parameters numbered from $1; null when the filter matches nothing. */
export interface RunWhere {
  where: string;
  params: unknown[];
}

export function runWhere(filter: RunFilter): RunWhere | null {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.sweepId !== undefined) {
    params.push(filter.sweepId);
    clauses.push(`r.sweep_id = $${params.length}`);
  }
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    if (statuses.length === 0) return null;
    params.push(statuses);
    clauses.push(`r.status = ANY($${params.length}::text[])`);
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

async function one<R extends pg.QueryResultRow>(sql: Sql, text: string, values: unknown[]): Promise<R | undefined> {
  return (await sql.query<R>(text, values)).rows[0];
}

export async function sweepById(sql: Sql, id: number, now: EpochMs): Promise<Sweep | undefined> {
  const row = await one<SweepRow>(sql, `SELECT * FROM sweeps WHERE id = $1`, [id]);
  return row && toSweep(row, now);
}

export async function sweepByName(sql: Sql, name: string, now: EpochMs): Promise<Sweep | undefined> {
  const row = await one<SweepRow>(sql, `SELECT * FROM sweeps WHERE name = $1`, [name]);
  return row && toSweep(row, now);
}

export async function sweepRows(sql: Sql): Promise<SweepRow[]> {
  return (await sql.query<SweepRow>(`SELECT * FROM sweeps ORDER BY id`)).rows;
}

export async function statusCounts(sql: Sql, sweepId?: number): Promise<Map<number, StatusCounts>> {
  const select = `SELECT sweep_id AS "sweepId", status, count(*)::int AS n FROM runs`;
  const { rows } =
    sweepId === undefined
      ? await sql.query<{ sweepId: number; status: RunStatus; n: number }>(`${select} GROUP BY sweep_id, status`)
      : await sql.query<{ sweepId: number; status: RunStatus; n: number }>(`${select} WHERE sweep_id = $1 GROUP BY sweep_id, status`, [sweepId]);
  return countsBySweep(rows);
}

/** `lock`: FOR UPDATE of the run row (inside a transaction that then changes it). */
export async function runRow(sql: Sql, runId: number, lock = false): Promise<RunRow | undefined> {
  return one<RunRow>(sql, `${RUN_SELECT} WHERE r.id = $1${lock ? ' FOR UPDATE OF r' : ''}`, [runId]);
}

export async function runRows(sql: Sql, { where, params }: RunWhere): Promise<RunRow[]> {
  return (await sql.query<RunRow>(`${RUN_SELECT} ${where} ORDER BY r.sweep_id, r.idx`, params)).rows;
}

export async function latestMetrics(sql: Sql, { where, params }: RunWhere): Promise<Map<number, Record<string, number>>> {
  const { rows } = await sql.query<{ runId: number; key: string; value: number }>(
    `SELECT l.run_id AS "runId", l.key, l.value FROM latest_metrics l JOIN runs r ON r.id = l.run_id ${where}`,
    params,
  );
  return latestByRun(rows.map((r) => ({ runId: r.runId, key: r.key, value: Number.isFinite(r.value) ? r.value : null, nonfinite: nonfinite(r.value) })));
}

export async function runEvents(sql: Sql, runId: number): Promise<RunEvent[]> {
  const { rows } = await sql.query<{ at: number; from_status: RunStatus | null; to_status: RunStatus; message: string | null }>(
    `SELECT at, from_status, to_status, message FROM run_events WHERE run_id = $1 ORDER BY id`,
    [runId],
  );
  return rows.map((e): RunEvent => ({ at: e.at, from: e.from_status, to: e.to_status, message: e.message }));
}

export async function metricKeys(sql: Sql, scope: MetricScope): Promise<string[]> {
  const { rows } =
    'runId' in scope
      ? await sql.query<{ key: string }>(`SELECT key FROM latest_metrics WHERE run_id = $1 ORDER BY key COLLATE "C"`, [scope.runId])
      : await sql.query<{ key: string }>(
          `SELECT DISTINCT l.key COLLATE "C" AS key FROM latest_metrics l JOIN runs r ON r.id = l.run_id WHERE r.sweep_id = $1 ORDER BY 1`,
          [scope.sweepId],
        );
  return rows.map((r) => r.key);
}

export async function artifactInfo(sql: Sql, runId: number, name: string): Promise<ArtifactInfo | undefined> {
  const row = await one<ArtifactRow>(sql, `SELECT ${ARTIFACT_INFO_COLUMNS} FROM artifacts WHERE run_id = $1 AND name = $2`, [runId, name]);
  return row && toArtifactInfo(row);
}

export async function artifactInfos(sql: Sql, runId: number): Promise<ArtifactInfo[]> {
  const { rows } = await sql.query<ArtifactRow>(`SELECT ${ARTIFACT_INFO_COLUMNS} FROM artifacts WHERE run_id = $1 ORDER BY name COLLATE "C"`, [runId]);
  return rows.map(toArtifactInfo);
}

export async function artifact(sql: Sql, runId: number, name: string): Promise<Artifact | undefined> {
  const row = await one<ArtifactRow>(sql, `SELECT * FROM artifacts WHERE run_id = $1 AND name = $2`, [runId, name]);
  return row && toArtifact(row);
}

export async function modelById(sql: Sql, id: number): Promise<ModelRecord | undefined> {
  const row = await one<ModelRow>(sql, `SELECT * FROM models WHERE id = $1`, [id]);
  return row && toModel(row);
}

export async function latestModel(sql: Sql, trainingHash: string): Promise<ModelRecord | undefined> {
  const row = await one<ModelRow>(sql, `SELECT * FROM models WHERE training_hash = $1 ORDER BY id DESC LIMIT 1`, [trainingHash]);
  return row && toModel(row);
}
