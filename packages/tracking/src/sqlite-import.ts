// copyStore's writes into a SQLite store: one ImportBatch, inside the caller's transaction.
import type Database from 'better-sqlite3';
import { type ImportBatch, RUN_ID } from './import-rows';
import { insertMetrics } from './sqlite-metrics';
import type { EpochMs } from './types';

export function importSqlite(stmt: (sql: string) => Database.Statement, batch: ImportBatch, at: EpochMs): void {
  for (const s of batch.statements) stmt(s.sql).run(...s.params);
  const m = batch.metrics;
  if (m === undefined || m.points.length === 0) return;
  const row = stmt(`SELECT ${RUN_ID} AS id`).get(m.sweep, m.idx) as { id: number | null };
  if (row.id === null) throw new Error(`importRows: no run ${m.idx} of sweep '${m.sweep}'`);
  insertMetrics(stmt, row.id, m.points, at);
}
