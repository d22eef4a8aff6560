// The SELECTs of the SQLite store (reads need no transaction: WAL gives each a consistent
// snapshot). `stmt` is the store's prepared-statement cache.
import type Database from 'better-sqlite3';
import { type ArtifactRow, type ModelRow, type RunRow, type SweepRow, toArtifact, toArtifactInfo, toModel, toSweep } from './sqlite-rows';
import { countsBySweep, latestByRun } from './summaries';
import type { Artifact, ArtifactInfo, EpochMs, ModelRecord, MetricScope, RunEvent, RunFilter, RunStatus, StatusCounts, Sweep } from './types';

export type Prepare = (sql: string) => Database.Statement;

const RUN_SELECT = `SELECT r.*, s.name AS sweep_name FROM runs r JOIN sweeps s ON s.id = r.sweep_id`;
const ARTIFACT_INFO_COLUMNS = `run_id, name, kind, format, shape, bytes, created_at`;

/** A WHERE clause over `runs r` and its parameters; null when the filter matches nothing. */
export interface RunWhere {
  where: string;
  params: unknown[];
}

export function runWhere(filter: RunFilter): RunWhere | null {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.sweepId !== undefined) {
    clauses.push('r.sweep_id = ?');
    params.push(filter.sweepId);
  }
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    if (statuses.length === 0) return null;
    clauses.push(`r.status IN (${statuses.map(() => '?').join(', ')})`);
    params.push(...statuses);
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export function sweepById(stmt: Prepare, id: number, now: EpochMs): Sweep | undefined {
  const row = stmt(`SELECT * FROM sweeps WHERE id = ?`).get(id) as SweepRow | undefined;
  return row && toSweep(row, now);
}

export function sweepByName(stmt: Prepare, name: string, now: EpochMs): Sweep | undefined {
  const row = stmt(`SELECT * FROM sweeps WHERE name = ?`).get(name) as SweepRow | undefined;
  return row && toSweep(row, now);
}

export function sweepRows(stmt: Prepare): SweepRow[] {
  return stmt(`SELECT * FROM sweeps ORDER BY id`).all() as SweepRow[];
}

/** Run counts by status of every sweep, or of one. */
export function statusCounts(stmt: Prepare, sweepId?: number): Map<number, StatusCounts> {
  const select = `SELECT sweep_id AS sweepId, status, count(*) AS n FROM runs`;
  const rows =
    sweepId === undefined ? stmt(`${select} GROUP BY sweep_id, status`).all() : stmt(`${select} WHERE sweep_id = ? GROUP BY status`).all(sweepId);
  return countsBySweep(rows as { sweepId: number; status: RunStatus; n: number }[]);
}

export function runRow(stmt: Prepare, runId: number): RunRow | undefined {
  return stmt(`${RUN_SELECT} WHERE r.id = ?`).get(runId) as RunRow | undefined;
}

export function runRows(stmt: Prepare, { where, params }: RunWhere): RunRow[] {
  return stmt(`${RUN_SELECT} ${where} ORDER BY r.sweep_id, r.idx`).all(...params) as RunRow[];
}

/** Latest metric values of the runs that `where` selects. */
export function latestMetrics(stmt: Prepare, { where, params }: RunWhere): Map<number, Record<string, number>> {
  const rows = stmt(`SELECT l.run_id AS runId, l.key, l.value, l.nonfinite FROM latest_metrics l JOIN runs r ON r.id = l.run_id ${where}`).all(...params);
  return latestByRun(rows as { runId: number; key: string; value: number | null; nonfinite: string | null }[]);
}

export function runEvents(stmt: Prepare, runId: number): RunEvent[] {
  const rows = stmt(`SELECT at, from_status, to_status, message FROM run_events WHERE run_id = ? ORDER BY id`).all(runId) as {
    at: number;
    from_status: RunStatus | null;
    to_status: RunStatus;
    message: string | null;
  }[];
  return rows.map((e): RunEvent => ({ at: e.at, from: e.from_status, to: e.to_status, message: e.message }));
}

export function metricKeys(stmt: Prepare, scope: MetricScope): string[] {
  const rows = (
    'runId' in scope
      ? stmt(`SELECT key FROM latest_metrics WHERE run_id = ? ORDER BY key`).all(scope.runId)
      : stmt(`SELECT DISTINCT l.key FROM latest_metrics l JOIN runs r ON r.id = l.run_id WHERE r.sweep_id = ? ORDER BY l.key`).all(scope.sweepId)
  ) as { key: string }[];
  return rows.map((r) => r.key);
}

/** One series as [step, value, nonfinite, wallTime] rows: a contiguous range of the (run_id, key,
 * step) primary key, already in step order. */
export function seriesRows(stmt: Prepare, runId: number, key: string): [number, number | null, string | null, number][] {
  return stmt(`SELECT step, value, nonfinite, wall_time FROM metrics WHERE run_id = ? AND key = ? ORDER BY step`)
    .raw(true)
    .all(runId, key) as [number, number | null, string | null, number][];
}

export function artifactInfo(stmt: Prepare, runId: number, name: string): ArtifactInfo | undefined {
  const row = stmt(`SELECT ${ARTIFACT_INFO_COLUMNS} FROM artifacts WHERE run_id = ? AND name = ?`).get(runId, name) as ArtifactRow | undefined;
  return row && toArtifactInfo(row);
}

export function artifactInfos(stmt: Prepare, runId: number): ArtifactInfo[] {
  const rows = stmt(`SELECT ${ARTIFACT_INFO_COLUMNS} FROM artifacts WHERE run_id = ? ORDER BY name`).all(runId) as ArtifactRow[];
  return rows.map(toArtifactInfo);
}

export function artifact(stmt: Prepare, runId: number, name: string): Artifact | undefined {
  const row = stmt(`SELECT * FROM artifacts WHERE run_id = ? AND name = ?`).get(runId, name) as ArtifactRow | undefined;
  return row && toArtifact(row);
}

export function modelById(stmt: Prepare, id: number): ModelRecord | undefined {
  const row = stmt(`SELECT * FROM models WHERE id = ?`).get(id) as ModelRow | undefined;
  return row && toModel(row);
}

/** The newest model of a training hash. */
export function latestModel(stmt: Prepare, trainingHash: string): ModelRecord | undefined {
  const row = stmt(`SELECT * FROM models WHERE training_hash = ? ORDER BY id DESC LIMIT 1`).get(trainingHash) as ModelRow | undefined;
  return row && toModel(row);
}
