export type {
  Artifact,
  ArtifactContent,
  ArtifactInfo,
  ArtifactKind,
  ClaimOptions,
  EpochMs,
  ExportRecord,
  JsonObject,
  MetricPoint,
  MetricScope,
  MetricSeries,
  ModelRecord,
  NewModel,
  NewArtifact,
  NewRun,
  NewSweep,
  Progress,
  RetryOptions,
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
  SweepOwner,
  SweepStatus,
  SweepSummary,
} from './types';
export { RUN_STATUSES } from './types';
export { RUN_TRANSITIONS, canTransition } from './transitions';
export { IllegalTransitionError, NotFoundError, ReadOnlyStoreError, SchemaVersionError, StoreError, StoreWriteError, UnusableStoreError } from './errors';
export { SWEEP_STALE_AFTER_MS, processLiveness, sweepStatusNow } from './liveness';
export type { Liveness } from './liveness';
export { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from './migrations';
export type { Migration, MigrateOptions } from './migrations';
export { SqliteRunStore, openSqliteStore } from './sqlite-store';
export { openStore } from './open-store';
export type { OpenStoreOptions } from './open-store';
export { PostgresRunStore } from './postgres/postgres-store';
export type { PostgresStoreOptions } from './postgres/postgres-store';
export { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from './postgres/pg-migrations';
export { isPostgresUrl, redactUrl } from './postgres/pg-url';
export { copyStore } from './copy-store';
export type { CopyCounts, CopyOptions, CopyProgress } from './copy-store';
export type { ImportBatch, ImportTarget } from './import-rows';
export { MetricBuffer } from './metric-buffer';
export type { MetricBufferOptions } from './metric-buffer';
export { lttb, lttbIndices, lttbIndicesXY } from './lttb';
export type { XY } from './lttb';
// The queue of a PostgreSQL store (queue/, the queue engineer's): re-exported by name from its index.
export { QUEUE_SCHEMA, RETRY_BACKSTOP, RunQueue, holds, lockRun, queueSweepId, sweepQueueName } from './queue/index';
export type { RunHolder, RunJob, RunLease, RunOwner, RunQueueOptions, SqlRunner } from './queue/index';
