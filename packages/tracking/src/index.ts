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
export { SqliteRunStore, openStore } from './sqlite-store';
export type { OpenStoreOptions } from './sqlite-store';
export { MetricBuffer } from './metric-buffer';
export type { MetricBufferOptions } from './metric-buffer';
export { lttb, lttbIndices, lttbIndicesXY } from './lttb';
export type { XY } from './lttb';
