// The JSON API of docs/api.md, written once: the route handlers and analysis.ts type their answers
// with these types and the browser client (apps/dashboard/client) reads them. Types only: this module
// may `import type` from @scorelab/tracking and @scorelab/config and holds no run-time code, so the
// client's bundle never loads anything of the server (eslint.config.js, dashboard client block).
import type { DensityArtifact, ScoreFieldArtifact, TrajectoryArtifact } from '@scorelab/config';
import type { ArtifactInfo, JsonObject, MetricSeries, ModelRecord, RunDetail, RunStatus, RunSummary, SeriesPoint, SweepSummary as StoredSweep } from '@scorelab/tracking';

export type { ArtifactInfo, RunEvent, RunStatus, StatusCounts } from '@scorelab/tracking';

// --- the encoding

/** A number as JSON sends it: NaN and +-Infinity are the strings 'NaN', 'Infinity', '-Infinity'
 * (app.ts's JSON replacer). Only metric values are ever non-finite. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** T as JSON sends it when any of its numbers may be non-finite (every number a JsonNumber). */
export type Json<T> = T extends number
  ? JsonNumber
  : T extends readonly (infer E)[]
    ? Json<E>[]
    : T extends object
      ? { [P in keyof T]: Json<T[P]> }
      : T;

/** A record of the store as JSON sends it: the metric values under the keys K may be non-finite
 * (JsonNumber); every other number of T is finite. */
export type Wire<T, K extends keyof T = never> = { [P in keyof T]: P extends K ? Json<T[P]> : T[P] };

/** Which values of a metric are better; 'none' = no order (one mode's weight). */
export type MetricDirection = 'lower' | 'higher' | 'none';

/** What an endpoint answers when the sweep has nothing to compare yet. */
export interface Unavailable {
  available: false;
  reason: string;
}

// --- the parts several answers share (analysis.ts computes them)

export interface ParamValue {
  /** The value's JSON text; equal values have equal keys. */
  key: string;
  label: string;
  value: unknown;
}

export interface SweptParameter {
  path: string;
  values: ParamValue[];
  /** false: a dotted path of the resolved config that the experiment file does not sweep, but where
   * runs with the same swept values differ (the file was edited before --resume). The runs' `params`
   * carry it like a swept value, so they never pool as one configuration. */
  swept: boolean;
}

export interface Stats {
  /** Mean of the finite values; null when there is none. */
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Number of finite values. */
  n: number;
  /** Number of NaN / +-Infinity values (diverged runs): never averaged, always reported. */
  nonfinite: number;
}

/** The best finished run by one metric (its value is finite). */
export interface BestRun extends Pick<RunSummary, 'idx' | 'seed' | 'params'> {
  metric: string;
  direction: MetricDirection;
  runId: number;
  value: number;
  /** Whether it is distinguishable from the other finished runs and from the floor (one value per
   * run: the floor's scatter decides); null for a metric without a direction. */
  verdict: RunVerdict | null;
}

/** A Verdict over single runs, without the full ranking (a sweep may have thousands of runs). */
export interface RunVerdict extends Omit<Verdict, 'ranking'> {
  /** Finished runs with a finite value compared. */
  runs: number;
  /** The runs not distinguishable from the best run, the best first, by value. */
  tiedRunIds: number[];
  /** The second run by value; null with one run. */
  runnerUp: { runId: number; value: number; tied: boolean } | null;
}

export interface ConfigurationResult extends Stats {
  metric: string;
  direction: MetricDirection;
  /** The swept values shared by the group (every parameter; the seed varies inside). */
  params: JsonObject;
  runIds: number[];
  seeds: number[];
}

export interface MarginalValue extends Stats {
  key: string;
  label: string;
}

export interface Marginal {
  path: string;
  values: MarginalValue[];
  /** Key of the value with the best mean (values with a diverged run excluded), or null. */
  best: string | null;
  /** Whether that value is distinguishable from the others and the floor; null without a best. */
  verdict?: Verdict | null;
}

/** The noise floor of a sample metric: ref/<name> over the finished runs (what true data samples
 * of the same size score against the same reference data), and how much it scatters. */
export interface Floor extends Stats {
  /** The ref/ key, e.g. ref/mmd. */
  key: string;
  /** Independent reference draws behind it: runs of one seed share one draw (the same reference
   * samples), so this counts distinct (seed, value) pairs. */
  draws: number;
  /** How far a metric value moves by sampling noise alone: for sample/mmd (unbiased, centred at 0)
   * the largest |ref/mmd|; for other keys half the range of the ref/ values. null with fewer than 2
   * draws: one draw says nothing about the spread (a sweep with one seed). */
  scatter: number | null;
  /** Values up to this (lower-is-better keys) are within the floor's spread: mean + scatter (for
   * sample/mmd: scatter), or the largest ref/ value with one run. */
  upper: number;
}

/** A contender of a verdict: a configuration (summary, heatmap cell) or a parameter value. */
export interface Contender extends Stats {
  /** Configuration params (summary), "row,col" (heatmap) or a value key (marginal, ablation). */
  key: string;
  label: string;
  /** Its finished runs all have sample/mmd_p >= 0.05 or values within the floor's spread (null: unknown). */
  fromData: boolean | null;
  /** Not distinguishable from the best (the best itself included). */
  tied: boolean;
}

/** Whether the best is distinguishable from the others and from the noise floor. */
export interface Verdict {
  /** true: the best is separated from the runner-up (and not within the floor); false: it is not. */
  distinguishable: boolean;
  /** What the judgement rests on: seed spread (mean ± 2 se, several seeds), the floor's scatter,
   * the permutation test (sample/mmd_p), or nothing to compare. */
  basis: 'seeds' | 'floor' | 'permutation' | 'single';
  /** One sentence for the page, e.g. "not distinguishable: best and runner-up differ by 1.3e-4, less than the floor's scatter 2.5e-3". */
  reason: string;
  /** The best is indistinguishable from data (mmd_p >= 0.05 in all its runs, or within the floor's spread). */
  fromData: boolean | null;
  /** Every contender with its mean, best first; `tied` marks those not distinguishable from the best. */
  ranking: Contender[];
}

/** Runs that are not finished, by status (failed, killed, running, queued): not in the stats. */
export type NotFinished = Partial<Record<RunStatus, number>>;

export interface HeatmapCell extends Stats {
  runIds: number[];
  notFinished: NotFinished;
  /** Indistinguishable from data (see Contender.fromData); null when unknown. */
  fromData?: boolean | null;
  /** Not distinguishable from the best cell (the best included). */
  tied?: boolean;
}

export interface Heatmap {
  metric: string;
  direction: MetricDirection;
  x: SweptParameter;
  /** null: a single row (the sweep has one swept parameter). */
  y: SweptParameter | null;
  /** Other swept parameters, pooled (averaged over) inside each cell, like the seeds. */
  pooled: string[];
  /** cells[row][col]: row indexes y.values, col indexes x.values. */
  cells: HeatmapCell[][];
  /** The cell with the best mean (cells with a diverged run are not eligible), or null. */
  best: { row: number; col: number } | null;
  /** The floor of `metric` (ref/<name>), or null when it has none. */
  floor: Floor | null;
  /** Whether the best cell is distinguishable from the others and the floor; null without a best. */
  verdict: Verdict | null;
}

export interface GroupPoint {
  runId: number;
  seed: number;
  value: JsonNumber;
}

export type GroupStats = Stats & { points: GroupPoint[] };

export interface AblationGroup extends ParamValue {
  runIds: number[];
  /** Left out of every statistic. */
  notFinished: NotFinished;
  metrics: Record<string, GroupStats>;
  /** Milliseconds per training step, 1000 / perf/steps_per_sec per run (its last logged window). */
  msPerStep: GroupStats;
}

export interface Ablation {
  param: string;
  metrics: string[];
  directions: Record<string, MetricDirection>;
  groups: AblationGroup[];
  /** Per metric, the key of the group with the best mean (groups with a diverged run excluded). */
  best: Record<string, string | null>;
  /** Swept parameters other than `param`, pooled inside each group. */
  pooled: string[];
  /** Per metric, its floor (ref/<name>), or null. */
  floors: Record<string, Floor | null>;
  /** Per metric, whether the best group is distinguishable from the others and the floor. */
  verdicts: Record<string, Verdict | null>;
}

/** Statistics over the runs that logged this step (finite values only). */
export interface BandPoint extends Stats {
  step: number;
}

/** A downsampled series: what was kept, of how many points. */
export type Downsampled<P> = Pick<MetricSeries, 'total' | 'downsampled'> & { points: P[] };

export type StepValue = Wire<Pick<SeriesPoint, 'step' | 'value'>, 'value'>;

export interface ConfigDifference {
  path: string;
  a: unknown;
  b: unknown;
}

/** The trained model a run sampled (a row of the store's `models`): `sourceRunId` trained it (and
 * logged its train/* curves), `step` = the training steps its checkpoint holds. */
export type RunModel = Pick<ModelRecord, 'id' | 'sourceRunId' | 'step'>;

/** A run as listed in /api/sweeps/:sweep/runs; `error` is the first line of the error text. */
export type RunRow = Wire<
  Pick<RunSummary, 'id' | 'idx' | 'status' | 'params' | 'seed' | 'latest' | 'durationMs' | 'startedAt' | 'endedAt' | 'currentStep' | 'totalSteps' | 'attempt' | 'error'>,
  'latest'
> & {
  /** The model the run sampled; null until it has one (queued, training) or in a store without models. */
  model: RunModel | null;
  /** The other runs of the sweep that sampled the same model (ids, ascending; [] when none). */
  sharedWith: number[];
};

/** The run page's model line: the model, who trained it, who else samples it. */
export type RunPageModel = RunModel & {
  /** As in RunRow: the other runs of this run's sweep that sampled the same model. */
  sharedWith: number[];
  /** The sweep of the source run (another sweep when a later sweep or `scorelab sample` reused the model); null if the run is gone. */
  sourceSweep: { id: number; name: string } | null;
  /** The training curves (train/*, perf/steps_per_sec) the source run logged, for a run that did not
   * train its model itself (it logs none); [] when the run trained it. Read them from the source run's series. */
  trainingKeys: string[];
};

/** A run as the run page's sibling list and the curves name it. */
type RunRef = Pick<RunSummary, 'idx' | 'seed' | 'status' | 'params'>;

// --- the answers, by endpoint

/** The store file behind the answers (served-store.ts): `open`, or `missing` (deleted or moved
 * away) or `unreadable` (replaced by a file that is not a usable store) while the data routes answer 503. */
export interface StoreHealth {
  state: 'open' | 'missing' | 'unreadable';
  /** The file (null when the app was given a store without one). */
  path: string | null;
  /** Why the store cannot be served; null while it is open. */
  reason: string | null;
  /** When the store now served was opened (ms since epoch). */
  openedAt: number;
  /** How many times a replaced file was opened in place of the one before. */
  reopened: number;
}

/** GET /api/health (503 when not ok) */
export interface Health {
  ok: boolean;
  readonly: boolean;
  /** store.reason, repeated at the top. */
  reason: string | null;
  store: StoreHealth;
}

/** GET /api/sweeps */
export interface SweepList {
  sweeps: (Pick<StoredSweep, 'id' | 'name' | 'description' | 'status' | 'createdAt' | 'counts'> & {
    live: boolean;
    parameters: string[];
    metricKeys: string[];
    metric: string | null;
    direction: MetricDirection | null;
    best: BestRun | null;
    /** The floor of `metric` (ref/<name>) over this sweep's runs, or null when it has none. */
    floor: Floor | null;
  })[];
}

/** GET /api/sweeps/:sweep */
export interface SweepSummary {
  sweep: StoredSweep & { live: boolean };
  parameters: SweptParameter[];
  seeds: number[];
  metricKeys: string[];
  directions: Record<string, MetricDirection>;
  metric: string | null;
  best: BestRun | null;
  bestConfiguration: ConfigurationResult | null;
  marginals: Marginal[];
  /** The floor of `metric` (ref/<name>), or null when it has none. */
  floor: Floor | null;
  /** Whether bestConfiguration is distinguishable from the other configurations and the floor. */
  verdict: Verdict | null;
  failedRuns: RunRow[];
  lastActivity: number | null;
}

/** GET /api/sweeps/:sweep/runs */
export interface SweepRuns {
  sweepId: number;
  runs: RunRow[];
}

/** GET /api/sweeps/:sweep/heatmap */
export type HeatmapResponse = Unavailable | ({ available: true } & Heatmap);

/** GET /api/sweeps/:sweep/ablation */
export type AblationResponse = Unavailable | ({ available: true } & Ablation);

/** GET /api/sweeps/:sweep/curves?runs=... (no groupBy) */
export interface RunCurves {
  key: string;
  maxPoints: number;
  groupBy: null;
  series: (RunRef & Downsampled<StepValue> & { runId: number })[];
}

/** GET /api/sweeps/:sweep/curves?groupBy=PATH|@config */
export interface GroupedCurves {
  key: string;
  maxPoints: number;
  groupBy: string;
  groups: (Downsampled<BandPoint> & { key: string; label: string; params: JsonObject; runIds: number[]; seeds: number[] })[];
}

/** GET /api/runs/:run. `run.config` is the resolved config as stored (JSON; a section may be
 * missing in a store written by hand or by an old runner). */
export interface RunPage {
  run: Wire<RunDetail, 'latest'>;
  sweep: (Pick<StoredSweep, 'id' | 'name' | 'status'> & { live: boolean }) | null;
  metricKeys: string[];
  directions: Record<string, MetricDirection>;
  artifacts: ArtifactInfo[];
  siblings: (RunRef & { id: number })[];
  /** The model the run sampled (null: none yet, or a store without models). */
  model: RunPageModel | null;
  /** How to draw the run's data points as pictures (digits: 8x8 in [0, 1]); null when they are not images. */
  imageShape: ImageShape | null;
}

/** GET /api/runs/:run/series */
export type RunSeries = Pick<MetricSeries, 'runId' | 'key'> & Downsampled<Wire<SeriesPoint, 'value'>> & { maxPoints: number };

/** GET /api/runs/:run/diff */
export interface ConfigDiff {
  a: number;
  b: number;
  differences: ConfigDifference[];
}

/** GET /api/runs/:run/artifacts */
export interface ArtifactList {
  runId: number;
  artifacts: ArtifactInfo[];
}

/** The payload of one artifact, by format (float arrays flat, row-major). */
interface ArtifactPayload {
  json: { value: unknown };
  float32: { shape: number[]; data: number[] };
  float64: { shape: number[]; data: number[] };
  bytes: { base64: string };
}

/** GET /api/runs/:run/artifacts/:name: the artifact's info and its payload. */
export type ArtifactResponse = { [F in ArtifactInfo['format']]: Omit<ArtifactInfo, 'format'> & { format: F } & ArtifactPayload[F] }[ArtifactInfo['format']];

export type FloatArtifact = Extract<ArtifactResponse, { format: 'float32' | 'float64' }>;
export type JsonArtifact<T> = Omit<Extract<ArtifactResponse, { format: 'json' }>, 'value'> & { value: T };

/** The artifacts the run page draws, by name (the runner's artifacts, @scorelab/config). */
export interface DrawnArtifacts {
  /** float32 [N, D] (D = 2, or 64 for digits). */
  samples: FloatArtifact;
  'data-samples': FloatArtifact;
  'score-field': JsonArtifact<ScoreFieldArtifact>;
  density: JsonArtifact<DensityArtifact>;
  /** [T][M][D] snapshots. */
  trajectory: JsonArtifact<TrajectoryArtifact>;
  /** Energy runs in 2-D: the learned log p̂ = −E − log Z on a 65x65 grid, and the true log p on the same grid. */
  'learned-density': JsonArtifact<DensityArtifact>;
  'learned-density-true': JsonArtifact<DensityArtifact>;
  /** float32 [M, D]: row i is the training point nearest to row i of `samples` (the memorisation check). */
  'nearest-train': FloatArtifact;
}

export type DrawnArtifactName = keyof DrawnArtifacts;

/** `negatives/<step>`: float32 [N, 2], the Langevin negatives of ml training at that training step. */
export type NegativesArtifactName = `negatives/${number}`;

/** Data points that are pictures: row-major pixels, `width * height = D`, values drawn from `range[0]` (white) to `range[1]` (black). */
export interface ImageShape {
  width: number;
  height: number;
  range: [number, number];
}

/** One configuration of a sweep in the gallery: its representative run (the finished run with the lowest seed). */
export interface GalleryTile {
  /** The configuration's params as JSON text (all swept values; seeds pooled). */
  key: string;
  label: string;
  params: JsonObject;
  /** The run pictured. */
  runId: number;
  seed: number;
  /** Every finished run of the configuration. */
  runIds: number[];
  /** The final metrics of the run pictured. */
  latest: Json<Record<string, number>>;
}

/** GET /api/sweeps/:sweep/gallery: one picture per configuration of an image or energy sweep. */
export type GalleryResponse =
  | Unavailable
  | {
      available: true;
      kind: 'images';
      shape: ImageShape;
      /** Samples per tile (the first rows of each run's `samples`). */
      rows: number;
      /** Each tile's first `rows` samples, flat row-major [rows, D]. */
      tiles: (GalleryTile & { samples: number[] })[];
      /** Configurations left out (at most GALLERY_TILES are pictured). */
      omitted: number;
    }
  | {
      available: true;
      kind: 'density';
      /** Each tile's learned log-density, thinned to at most 33 x 33 nodes, and the index in `truths` of its data's true density (null: none saved). */
      tiles: (GalleryTile & { density: DensityArtifact; truth: number | null })[];
      /** The true log-densities (learned-density-true, thinned), one per dataset of the sweep: tiles of different datasets are not on one scale. */
      truths: DensityArtifact[];
      omitted: number;
    };
