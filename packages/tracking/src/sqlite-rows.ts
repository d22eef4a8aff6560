// Row shapes as SQLite returns them (snake_case columns, JSON as text) and their records.
import { decodeArtifact } from './artifact-codec';
import { fromJson } from './codec';
import { sweepStatusNow } from './liveness';
import type { Artifact, ArtifactContent, ArtifactInfo, EpochMs, JsonObject, ModelRecord, Run, RunStatus, Sweep, SweepStatus } from './types';

export interface SweepRow {
  id: number;
  name: string;
  description: string | null;
  config: string;
  file_path: string | null;
  status: SweepStatus;
  created_at: number;
  host: string | null;
  pid: number | null;
  started_at: number | null;
  heartbeat_at: number | null;
}

export interface RunRow {
  id: number;
  sweep_id: number;
  idx: number;
  status: RunStatus;
  params: string;
  config: string;
  config_hash: string;
  training_hash: string | null;
  model_id: number | null;
  seed: number;
  backend: string | null;
  engine: string | null;
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

export interface ArtifactRow {
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

/** `now` decides whether a running sweep's process is still there (sweepStatusNow). */
export function toSweep(row: SweepRow, now: EpochMs): Sweep {
  const owner = { host: row.host, pid: row.pid, startedAt: row.started_at, heartbeatAt: row.heartbeat_at };
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    config: fromJson<JsonObject>(row.config)!,
    filePath: row.file_path,
    status: sweepStatusNow(row.status, owner, now),
    createdAt: row.created_at,
    ...owner,
  };
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    sweepId: row.sweep_id,
    idx: row.idx,
    status: row.status,
    params: fromJson<JsonObject>(row.params)!,
    config: fromJson<JsonObject>(row.config)!,
    configHash: row.config_hash,
    trainingHash: row.training_hash ?? null,
    modelId: row.model_id ?? null,
    seed: row.seed,
    backend: row.backend,
    engine: row.engine ?? null,
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

export function toArtifactInfo(row: ArtifactRow): ArtifactInfo {
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

export function toArtifact(row: ArtifactRow): Artifact {
  return { ...toArtifactInfo(row), content: decodeArtifact(row) };
}

export interface ModelRow {
  id: number;
  training_hash: string;
  source_run_id: number;
  checkpoint: string;
  step: number;
  created_at: number;
}

export function toModel(row: ModelRow): ModelRecord {
  return { id: row.id, trainingHash: row.training_hash, sourceRunId: row.source_run_id, checkpoint: row.checkpoint, step: row.step, createdAt: row.created_at };
}
