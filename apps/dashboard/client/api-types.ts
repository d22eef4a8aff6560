// The JSON API of docs/api.md as the pages receive it. Metric values may be the strings 'NaN',
// 'Infinity', '-Infinity' (JSON has no such numbers); statistics over finite values are numbers.
import type { DensityArtifact, ResolvedRunConfig, ScoreFieldArtifact, TrajectoryArtifact } from '@scorelab/config';

export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';
/** Which values of a metric are better; 'none' = no order (one mode's weight). */
export type Direction = 'lower' | 'higher' | 'none';
export type RunStatus = 'queued' | 'running' | 'finished' | 'failed' | 'killed';
export type StatusCounts = Record<RunStatus, number> & { total: number };
/** Swept values by dotted path, e.g. { 'loss.kind': 'dsm', 'sampler.stepSize': 0.1 }. */
export type Params = Record<string, unknown>;
/** Final (latest) value of every metric key of a run. */
export type Latest = Record<string, JsonNumber>;

export interface BestRun {
  metric: string;
  direction: Direction;
  runId: number;
  idx: number;
  seed: number;
  params: Params;
  value: JsonNumber;
}

/** GET /api/sweeps */
export interface SweepList {
  sweeps: {
    id: number;
    name: string;
    description: string | null;
    status: RunStatus;
    createdAt: number;
    counts: StatusCounts;
    live: boolean;
    parameters: string[];
    metricKeys: string[];
    metric: string | null;
    direction: Direction | null;
    best: BestRun | null;
  }[];
}

/** Mean, min and max of the finite values (null when there is none). */
export interface Stats {
  mean: number | null;
  min: number | null;
  max: number | null;
  n: number;
  nonfinite: number;
}

export interface ParamValue {
  /** The value's JSON text. */
  key: string;
  label: string;
  value: unknown;
}

export interface SweptParameter {
  path: string;
  values: ParamValue[];
}

/** A run as listed in /api/sweeps/:sweep/runs; `error` is the first line of the error text. */
export interface RunRow {
  id: number;
  idx: number;
  status: RunStatus;
  params: Params;
  seed: number;
  latest: Latest;
  durationMs: number | null;
  startedAt: number | null;
  endedAt: number | null;
  currentStep: number | null;
  totalSteps: number | null;
  attempt: number;
  error: string | null;
}

/** GET /api/sweeps/:sweep */
export interface SweepSummary {
  sweep: { id: number; name: string; description: string | null; filePath: string | null; status: RunStatus; createdAt: number; counts: StatusCounts; live: boolean };
  parameters: SweptParameter[];
  seeds: number[];
  metricKeys: string[];
  directions: Record<string, Direction>;
  metric: string | null;
  best: BestRun | null;
  bestConfiguration: (Stats & { params: Params; runIds: number[]; seeds: number[] }) | null;
  marginals: { path: string; values: (Stats & { key: string; label: string })[]; best: string | null }[];
  failedRuns: RunRow[];
  lastActivity: number | null;
}

/** GET /api/sweeps/:sweep/runs */
export interface SweepRuns {
  sweepId: number;
  runs: RunRow[];
}

export interface HeatmapCell extends Stats {
  runIds: number[];
  /** The cell's runs that are not finished, by status. */
  notFinished: Partial<Record<RunStatus, number>>;
}

/** GET /api/sweeps/:sweep/heatmap */
export type HeatmapResponse =
  | { available: false; reason: string }
  | {
      available: true;
      metric: string;
      direction: Direction;
      x: SweptParameter;
      y: SweptParameter | null;
      pooled: string[];
      /** cells[row][col]: row indexes y.values, col indexes x.values. */
      cells: HeatmapCell[][];
      best: { row: number; col: number } | null;
    };

export interface GroupPoint {
  runId: number;
  seed: number;
  value: JsonNumber;
}

export type GroupStats = Stats & { points: GroupPoint[] };

export interface AblationGroup {
  key: string;
  label: string;
  value: unknown;
  runIds: number[];
  notFinished: Partial<Record<RunStatus, number>>;
  metrics: Record<string, GroupStats>;
  msPerStep: GroupStats;
}

/** GET /api/sweeps/:sweep/ablation */
export type AblationResponse =
  | { available: false; reason: string }
  | {
      available: true;
      param: string;
      metrics: string[];
      directions: Record<string, Direction>;
      groups: AblationGroup[];
      best: Record<string, string | null>;
      pooled: string[];
    };

export interface StepValue {
  step: number;
  value: JsonNumber;
}

export interface BandPoint {
  step: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  n: number;
  nonfinite: number;
}

/** GET /api/sweeps/:sweep/curves?runs=... (no groupBy) */
export interface RunCurves {
  key: string;
  maxPoints: number;
  groupBy: null;
  series: { runId: number; idx: number; seed: number; status: RunStatus; params: Params; points: StepValue[]; total: number; downsampled: boolean }[];
}

/** GET /api/sweeps/:sweep/curves?groupBy=PATH|@config */
export interface GroupedCurves {
  key: string;
  maxPoints: number;
  groupBy: string;
  groups: { key: string; label: string; params: Params; runIds: number[]; seeds: number[]; points: BandPoint[]; total: number; downsampled: boolean }[];
}

export interface RunEvent {
  at: number;
  from: RunStatus | null;
  to: RunStatus;
  message: string | null;
}

export interface ArtifactInfo {
  runId: number;
  name: string;
  kind: string;
  format: 'json' | 'float32' | 'float64' | 'bytes';
  shape: number[] | null;
  bytes: number;
  createdAt: number;
}

/** GET /api/runs/:run */
export interface RunPage {
  run: {
    id: number;
    sweepId: number;
    sweepName: string;
    idx: number;
    status: RunStatus;
    params: Params;
    /** The resolved config; a section may be missing in a store written by hand or an old runner. */
    config: Partial<ResolvedRunConfig>;
    configHash: string;
    seed: number;
    backend: string | null;
    gitCommit: string | null;
    host: string | null;
    attempt: number;
    startedAt: number | null;
    durationMs: number | null;
    currentStep: number | null;
    totalSteps: number | null;
    error: string | null;
    errorStep: number | null;
    latest: Latest;
    events: RunEvent[];
  };
  sweep: { id: number; name: string; status: RunStatus; live: boolean } | null;
  metricKeys: string[];
  directions: Record<string, Direction>;
  artifacts: ArtifactInfo[];
  siblings: { id: number; idx: number; seed: number; status: RunStatus; params: Params }[];
}

/** GET /api/runs/:run/series */
export interface RunSeries {
  runId: number;
  key: string;
  maxPoints: number;
  total: number;
  downsampled: boolean;
  points: (StepValue & { wallTime: number })[];
}

/** GET /api/runs/:run/artifacts/:name of a float array: shape and the flat row-major data. */
export type FloatArtifact = ArtifactInfo & { shape: number[]; data: number[] };
/** GET /api/runs/:run/artifacts/:name of a JSON artifact. */
export type JsonArtifact<T> = ArtifactInfo & { value: T };

/** The artifacts the run page draws, by name (the runner's 2-D artifacts, @scorelab/config). */
export interface DrawnArtifacts {
  samples: FloatArtifact;
  'data-samples': FloatArtifact;
  'score-field': JsonArtifact<ScoreFieldArtifact>;
  density: JsonArtifact<DensityArtifact>;
  trajectory: JsonArtifact<TrajectoryArtifact>;
}

/** GET /api/runs/:run/diff */
export interface ConfigDiff {
  a: number;
  b: number;
  differences: { path: string; a: unknown; b: unknown }[];
}
