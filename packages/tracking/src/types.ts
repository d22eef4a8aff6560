// Records and the RunStore interface. Everything here is backend-neutral: SqliteRunStore implements
// it today, a PostgreSQL store (sweeps spanning machines) can implement it later, which is why every
// method returns a Promise even though better-sqlite3 is synchronous.

/** Lifecycle of one run; the allowed transitions are in `RUN_TRANSITIONS` (transitions.ts). */
export type RunStatus = 'queued' | 'running' | 'finished' | 'failed' | 'killed';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'finished', 'failed', 'killed'];

/** A sweep uses the same words, set by the runner: `failed` = ended with at least one failed run,
 * `killed` = interrupted. Sweep status is informational; no transition rules. */
export type SweepStatus = RunStatus;

/** Parsed JSON. Configs and params are stored as JSON; the store does not interpret them. */
export type JsonObject = Record<string, unknown>;

/** Milliseconds since the Unix epoch; every timestamp in the store uses it. */
export type EpochMs = number;

export type StatusCounts = Record<RunStatus, number> & { total: number };

export interface NewSweep {
  name: string;
  description?: string;
  /** The experiment file as parsed (before expansion). */
  config: JsonObject;
  /** Where the experiment file was read from, if anywhere. */
  filePath?: string;
  status?: SweepStatus;
}

export interface Sweep {
  id: number;
  name: string;
  description: string | null;
  config: JsonObject;
  filePath: string | null;
  /** As set by the runner, except that a `running` sweep whose process is gone reads as `killed`
   * (liveness.ts: a dead pid on this host, or no heartbeat for 30 s from another host). */
  status: SweepStatus;
  createdAt: EpochMs;
  /** The process that last set the sweep running (null before schema version 3 or if never run). */
  host: string | null;
  pid: number | null;
  /** When that process set it running, and its last heartbeat. */
  startedAt: EpochMs | null;
  heartbeatAt: EpochMs | null;
}

/** The process running a sweep (the `scorelab sweep` parent), recorded by setSweepStatus('running', owner). */
export interface SweepOwner {
  host: string;
  pid: number;
}

export interface SweepSummary extends Sweep {
  counts: StatusCounts;
}

export interface NewRun {
  /** Position in the deterministic sweep expansion; unique within the sweep. */
  idx: number;
  /** The swept values only, by dotted path (e.g. { 'loss.kind': 'dsm' }). */
  params: JsonObject;
  /** The fully resolved config of this run. */
  config: JsonObject;
  configHash: string;
  /** trainingHash of @scorelab/config: runs that share it share one trained model. */
  trainingHash?: string | null;
  seed: number;
}

/** One trained model (a row of `models`): the final checkpoint of the run that trained it. */
export interface ModelRecord {
  id: number;
  trainingHash: string;
  /** The run that trained it; the checkpoint is that run's artifact. */
  sourceRunId: number;
  /** Name of the checkpoint artifact of sourceRunId. */
  checkpoint: string;
  /** Training steps the checkpoint holds. */
  step: number;
  createdAt: EpochMs;
}

export interface NewModel {
  trainingHash: string;
  sourceRunId: number;
  checkpoint: string;
  step: number;
}

/** What a worker records about itself when it starts a run. */
export interface RunClaim {
  backend: string;
  /** e.g. { node: '20.19.0', tfjs: '4.22.0', scorelab: '0.1.0' } */
  versions: Record<string, string>;
  gitCommit?: string | null;
  host: string;
  pid: number;
}

export interface Run {
  id: number;
  sweepId: number;
  idx: number;
  status: RunStatus;
  params: JsonObject;
  config: JsonObject;
  configHash: string;
  /** null for runs stored before schema version 4. */
  trainingHash: string | null;
  /** The model (models.id) the run sampled: its own, or one another run trained; null until known. */
  modelId: number | null;
  seed: number;
  backend: string | null;
  /** What computed the network: 'fused' or 'tfjs'; null for a model without a network, or before it started. */
  engine: string | null;
  versions: Record<string, string> | null;
  gitCommit: string | null;
  host: string | null;
  pid: number | null;
  /** How many times the run was started (1 after the first start, 2 after a retry was started...). */
  attempt: number;
  createdAt: EpochMs;
  startedAt: EpochMs | null;
  endedAt: EpochMs | null;
  heartbeatAt: EpochMs | null;
  error: string | null;
  errorStep: number | null;
  currentStep: number | null;
  totalSteps: number | null;
}

export interface RunSummary extends Run {
  sweepName: string;
  /** Last value (largest step) of every metric: key -> value (NaN and +-Infinity preserved). */
  latest: Record<string, number>;
  /** endedAt - startedAt, or now - startedAt while running; null if never started. */
  durationMs: number | null;
}

/** One status change, kept across retries (the run's history). */
export interface RunEvent {
  at: EpochMs;
  from: RunStatus | null;
  to: RunStatus;
  message: string | null;
}

export interface RunDetail extends RunSummary {
  events: RunEvent[];
}

export interface MetricPoint {
  key: string;
  /** Training step (integer >= 0). */
  step: number;
  /** Any double, NaN and +-Infinity included (stored faithfully). */
  value: number;
  /** Defaults to the time of the write. */
  wallTime?: EpochMs;
}

export interface SeriesPoint {
  step: number;
  value: number;
  wallTime: EpochMs;
}

export interface MetricSeries {
  runId: number;
  key: string;
  /** Sorted by step (ties in insertion order). */
  points: SeriesPoint[];
  /** Number of stored points before downsampling. */
  total: number;
  /** False when every stored point is returned (exact mode). */
  downsampled: boolean;
}

export interface SeriesOptions {
  /** Upper bound on returned points (>= 2); omitted = every point. */
  maxPoints?: number;
}

/** Artifact payloads. Float arrays are row-major with an explicit shape (samples: [N, D]). */
export type ArtifactContent =
  | { format: 'json'; value: unknown }
  | { format: 'float32'; shape: number[]; data: Float32Array }
  | { format: 'float64'; shape: number[]; data: Float64Array }
  | { format: 'bytes'; data: Uint8Array };

/** What an artifact holds, for the UI: 'samples' [N, D], 'score-field' (grid + vectors),
 * 'trajectory' [T, N, D]; other kinds are allowed. */
export type ArtifactKind = 'samples' | 'score-field' | 'trajectory' | (string & {});

export interface NewArtifact {
  name: string;
  kind: ArtifactKind;
  content: ArtifactContent;
}

export interface ArtifactInfo {
  runId: number;
  name: string;
  kind: ArtifactKind;
  format: ArtifactContent['format'];
  shape: number[] | null;
  bytes: number;
  createdAt: EpochMs;
}

export interface Artifact extends ArtifactInfo {
  content: ArtifactContent;
}

export interface ExportRecord {
  id: number;
  sweep: string;
  sweepId: number;
  idx: number;
  status: RunStatus;
  seed: number;
  configHash: string;
  config: JsonObject;
  params: JsonObject;
  /** Final (largest-step) value of every metric. */
  metrics: Record<string, number>;
  error: string | null;
  startedAt: EpochMs | null;
  endedAt: EpochMs | null;
  durationMs: number | null;
}

export interface RunFilter {
  sweepId?: number;
  status?: RunStatus | RunStatus[];
}

export type MetricScope = { runId: number } | { sweepId: number };

export interface Progress {
  step: number;
  totalSteps?: number;
}

/**
 * The run store. Writers: the runner's workers (several processes at once). Readers: the CLI and
 * the dashboard. Methods that change a run's status reject illegal transitions with
 * IllegalTransitionError; every write on a read-only store rejects with ReadOnlyStoreError.
 */
export interface ClaimOptions {
  /**
   * Train each model once: skip queued runs whose training hash another running run (of any sweep) is
   * training right now (running with no model yet), so they can sample its model when it is stored.
   * claimRun then returns undefined while such runs are all that is left queued: see queuedRuns.
   */
  trainOnce?: boolean;
}

export interface RetryOptions {
  /**
   * Resume instead of starting over: keep the metric points with step <= keepThroughStep and the
   * `checkpoint` artifacts (the retried attempt continues from the last one); default: delete all.
   */
  keepThroughStep?: number;
}

export interface RunStore {
  readonly readonly: boolean;

  // --- sweeps
  createSweep(sweep: NewSweep): Promise<Sweep>;
  findSweepByName(name: string): Promise<Sweep | undefined>;
  /** With `owner` (when setting it running): records the process that runs it and its first heartbeat. */
  setSweepStatus(sweepId: number, status: SweepStatus, owner?: SweepOwner): Promise<void>;
  /** The sweep's process is alive: refreshes the sweep's heartbeat (readers on other hosts rely on it). */
  heartbeatSweep(sweepId: number): Promise<void>;
  listSweeps(): Promise<SweepSummary[]>;
  /** A number is an id; a string is a name, or an id if no sweep has that name and it is all digits. */
  getSweep(idOrName: number | string): Promise<SweepSummary | undefined>;

  // --- runs: writes
  /** Inserts queued runs. With skipExisting, runs whose idx already exists in the sweep are skipped
   * (for --resume); otherwise a duplicate idx is an error. Returns the inserted runs. */
  addRuns(sweepId: number, runs: NewRun[], options?: { skipExisting?: boolean }): Promise<Run[]>;
  /** queued -> running for this run. */
  startRun(runId: number, claim: RunClaim): Promise<Run>;
  /** Atomically takes the queued run with the smallest idx of the sweep (queued -> running), or
   * undefined when none is left. Safe with several workers. */
  claimRun(sweepId: number, claim: RunClaim, options?: ClaimOptions): Promise<Run | undefined>;
  /** Records progress (if given) and the heartbeat time. Returns the run's status: anything but
   * 'running' means the run was killed or declared crashed meanwhile and the worker should stop. */
  heartbeat(runId: number, progress?: Progress): Promise<RunStatus>;
  /** Inserts the points in one transaction and updates latest_metrics. */
  logMetrics(runId: number, points: readonly MetricPoint[]): Promise<void>;
  finishRun(runId: number): Promise<Run>;
  failRun(runId: number, error: unknown, step?: number | null): Promise<Run>;
  killRun(runId: number, reason?: string): Promise<Run>;
  /** running runs whose process is gone -> failed: on this host, a dead pid at once ('crashed: its
   * process (pid N on H) is gone ...'), while a live pid is never taken over; from other hosts, a
   * heartbeat older than staleAfterMs ('crashed: no heartbeat since ...'). Returns the ids it changed. */
  markStaleRunsCrashed(staleAfterMs: number): Promise<number[]>;
  /** failed|killed -> queued. Deletes the run's metrics, latest metrics and artifacts (so the retried
   * series start clean); keeps the run row, its attempt count and its events (history). */
  resetRunForRetry(runId: number, options?: RetryOptions): Promise<Run>;
  /** Delete one artifact (a no-op when there is none of that name). */
  deleteArtifact(runId: number, name: string): Promise<void>;
  /** Record a trained model and make it its source run's model. */
  saveModel(model: NewModel): Promise<ModelRecord>;
  /** The newest model of this training hash whose source run finished training it, if any. */
  findModel(trainingHash: string): Promise<ModelRecord | undefined>;
  getModel(id: number): Promise<ModelRecord | undefined>;
  /** Record which model a run samples. */
  setRunModel(runId: number, modelId: number): Promise<void>;
  /** Record the engine (fused or tfjs) that computes a running run's network. */
  setRunEngine(runId: number, engine: string | null): Promise<void>;
  /** Creates or replaces the artifact (runId, name). */
  saveArtifact(runId: number, artifact: NewArtifact): Promise<ArtifactInfo>;

  // --- queries
  listRuns(filter?: RunFilter): Promise<RunSummary[]>;
  /** How many runs of the sweep are queued. */
  queuedRuns(sweepId: number): Promise<number>;
  getRun(runId: number): Promise<RunDetail | undefined>;
  metricKeys(scope: MetricScope): Promise<string[]>;
  /** Points sorted by step; LTTB-downsampled to at most maxPoints (first and last kept). */
  metricSeries(runId: number, key: string, options?: SeriesOptions): Promise<MetricSeries>;
  listArtifacts(runId: number): Promise<ArtifactInfo[]>;
  getArtifact(runId: number, name: string): Promise<Artifact | undefined>;
  /** One record per run (of one sweep, by id or name, or all), ordered by sweep then idx. */
  exportRuns(options?: { sweep?: number | string }): Promise<ExportRecord[]>;

  close(): Promise<void>;
}
