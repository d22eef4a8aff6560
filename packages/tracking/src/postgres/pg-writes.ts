// Multi-row writes of the PostgreSQL store that are SQL and nothing else: inserting a sweep's runs
// with their first events, clearing a run's attempt for a retry, and copyStore's import batches.
// Run in the caller's transaction.
import { toJson } from '../codec';
import { StoreError } from '../errors';
import { type ImportBatch, RUN_ID, numberedPlaceholders } from '../import-rows';
import type { RunRow } from '../sqlite-rows';
import type { EpochMs, NewRun } from '../types';
import { insertMetrics } from './pg-metrics';
import type { Sql } from './pg-queries';

/** Inserts queued runs and their 'queued' events in one statement; returns the inserted rows (with sweep_name). */
export async function insertRuns(sql: Sql, sweepId: number, runs: readonly NewRun[], at: EpochMs, skipExisting: boolean): Promise<RunRow[]> {
  try {
    const { rows } = await sql.query<RunRow>(
      `WITH added AS (
         INSERT INTO runs (sweep_id, idx, status, params, config, config_hash, training_hash, seed, created_at)
         SELECT $1, idx, 'queued', params::json, config::json, config_hash, training_hash, seed, $2
         FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[]) AS t(idx, params, config, config_hash, training_hash, seed)
         ${skipExisting ? 'ON CONFLICT (sweep_id, idx) DO NOTHING' : ''}
         RETURNING *
       ), events AS (
         INSERT INTO run_events (run_id, at, from_status, to_status) SELECT id, $2, NULL, 'queued' FROM added ORDER BY idx
       )
       SELECT added.*, s.name AS sweep_name FROM added JOIN sweeps s ON s.id = added.sweep_id`,
      [
        sweepId,
        at,
        runs.map((r) => r.idx),
        runs.map((r) => toJson(r.params)),
        runs.map((r) => toJson(r.config)),
        runs.map((r) => r.configHash),
        runs.map((r) => r.trainingHash ?? null),
        runs.map((r) => r.seed),
      ],
    );
    return rows;
  } catch (e) {
    if ((e as { code?: unknown }).code === '23505') {
      throw new StoreError(`addRuns: UNIQUE constraint failed: sweep ${sweepId} already has a run with one of these idx`);
    }
    throw e;
  }
}

/**
 * What a retry removes of the attempt it replaces. Without keepThroughStep: every metric, latest
 * value and artifact, and the model it trained. With it (resume): the points after that step and
 * the artifacts but its checkpoints; latest_metrics is rebuilt from what is kept.
 */
export async function clearAttempt(sql: Sql, runId: number, keepThroughStep: number | undefined): Promise<void> {
  if (keepThroughStep === undefined) {
    await sql.query(`DELETE FROM metrics WHERE run_id = $1`, [runId]);
    await sql.query(`DELETE FROM latest_metrics WHERE run_id = $1`, [runId]);
    await sql.query(`DELETE FROM artifacts WHERE run_id = $1`, [runId]);
    // Its model went with its checkpoint (runs that sampled it forget it: ON DELETE SET NULL).
    await sql.query(`DELETE FROM models WHERE source_run_id = $1`, [runId]);
    await sql.query(`UPDATE runs SET model_id = NULL WHERE id = $1`, [runId]);
    return;
  }
  await sql.query(`DELETE FROM metrics WHERE run_id = $1 AND step > $2`, [runId, keepThroughStep]);
  await sql.query(`DELETE FROM latest_metrics WHERE run_id = $1`, [runId]);
  await sql.query(
    `INSERT INTO latest_metrics (run_id, key, step, value, wall_time)
     SELECT DISTINCT ON (key) run_id, key, step, value, wall_time FROM metrics WHERE run_id = $1 ORDER BY key, step DESC`,
    [runId],
  );
  await sql.query(`DELETE FROM artifacts WHERE run_id = $1 AND kind <> 'checkpoint'`, [runId]);
}

/** copyStore's writes: the batch's statements (placeholders renumbered), then its metric points. */
export async function importBatch(sql: Sql, batch: ImportBatch, at: EpochMs): Promise<void> {
  for (const s of batch.statements) await sql.query(numberedPlaceholders(s.sql), s.params);
  const m = batch.metrics;
  if (m === undefined || m.points.length === 0) return;
  const { rows } = await sql.query<{ id: number | null }>(numberedPlaceholders(`SELECT ${RUN_ID} AS id`), [m.sweep, m.idx]);
  if (rows[0].id === null) throw new Error(`importRows: no run ${m.idx} of sweep '${m.sweep}'`);
  await insertMetrics(sql, rows[0].id, m.points, at);
}
