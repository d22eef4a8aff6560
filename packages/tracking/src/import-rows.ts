// The rows copyStore writes into a target store, as backend-neutral SQL (`?` placeholders; a run is
// named by (sweep name, idx) through subselects, since ids differ between stores) plus one metric
// batch that each backend writes with its own encoding. A backend runs one ImportBatch in one
// transaction, so a copied run appears whole or not at all.
import { encodeArtifact } from './artifact-codec';
import { toJson } from './codec';
import type { Artifact, MetricPoint, ModelRecord, RunDetail, Sweep } from './types';

export interface ImportStatement {
  sql: string;
  params: unknown[];
}

export interface ImportBatch {
  statements: ImportStatement[];
  /** Points of the run (sweep name, idx), written after the statements. */
  metrics?: { sweep: string; idx: number; points: MetricPoint[] };
}

/** A store copyStore can write into (both backends). */
export interface ImportTarget {
  importRows(batch: ImportBatch): Promise<void>;
}

/** The id of run (sweep name, idx) in the target, as SQL taking two parameters. */
export const RUN_ID = `(SELECT r.id FROM runs r JOIN sweeps s ON s.id = r.sweep_id WHERE s.name = ? AND r.idx = ?)`;

/** `?` -> `$1, $2, ...` for PostgreSQL (the statements above hold no `?` inside literals). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function sweepStatement(s: Sweep): ImportStatement {
  return {
    sql: `INSERT INTO sweeps (name, description, config, file_path, status, created_at, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [s.name, s.description, toJson(s.config), s.filePath, s.status, s.createdAt, s.host, s.pid, s.startedAt, s.heartbeatAt],
  };
}

/** The run row (without its model, set once models are copied), its events and its artifacts. */
export function runStatements(sweep: string, run: RunDetail, artifacts: readonly Artifact[]): ImportStatement[] {
  const out: ImportStatement[] = [
    {
      sql: `INSERT INTO runs (sweep_id, idx, status, params, config, config_hash, training_hash, seed, backend, engine, versions, git_commit,
              host, pid, attempt, created_at, started_at, ended_at, heartbeat_at, error, error_step, current_step, total_steps)
            VALUES ((SELECT id FROM sweeps WHERE name = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [
        sweep, run.idx, run.status, toJson(run.params), toJson(run.config), run.configHash, run.trainingHash, run.seed, run.backend, run.engine,
        run.versions === null ? null : toJson(run.versions), run.gitCommit, run.host, run.pid, run.attempt, run.createdAt, run.startedAt, run.endedAt,
        run.heartbeatAt, run.error, run.errorStep, run.currentStep, run.totalSteps,
      ],
    },
  ];
  for (const e of run.events) {
    out.push({ sql: `INSERT INTO run_events (run_id, at, from_status, to_status, message) VALUES (${RUN_ID}, ?, ?, ?, ?)`, params: [sweep, run.idx, e.at, e.from, e.to, e.message] });
  }
  for (const a of artifacts) {
    const { format, shape, json, blob, bytes } = encodeArtifact(a);
    out.push({
      sql: `INSERT INTO artifacts (run_id, name, kind, format, shape, json, blob, bytes, created_at) VALUES (${RUN_ID}, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [sweep, run.idx, a.name, a.kind, format, shape, json, blob, bytes, a.createdAt],
    });
  }
  return out;
}

/** A model of source run (sweep, idx) in the target, unless that run is not there or has one already. */
export function modelStatement(model: ModelRecord, source: { sweep: string; idx: number }): ImportStatement {
  return {
    sql: `INSERT INTO models (training_hash, source_run_id, checkpoint, step, created_at) SELECT ?, ${RUN_ID}, ?, ?, ?
          WHERE ${RUN_ID} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM models WHERE source_run_id = ${RUN_ID})`,
    params: [model.trainingHash, source.sweep, source.idx, model.checkpoint, model.step, model.createdAt, source.sweep, source.idx, source.sweep, source.idx],
  };
}

/** Run (sweep, idx) samples the model of source run `source` in the target. */
export function runModelStatement(run: { sweep: string; idx: number }, source: { sweep: string; idx: number }): ImportStatement {
  return {
    sql: `UPDATE runs SET model_id = (SELECT id FROM models WHERE source_run_id = ${RUN_ID}) WHERE id = ${RUN_ID}`,
    params: [source.sweep, source.idx, run.sweep, run.idx],
  };
}
