/** Messages between the page (main.ts) and the training worker (worker.ts). Types only. */
import type { Grid, ResolvedRunConfig } from '@scorelab/config';
import type { MetricRecord, RunProgress } from '@scorelab/pipeline';

export type ToWorker =
  /** `checkpoint`: a trained model to load instead of training (a stored run, sampled again). */
  | { type: 'start'; run: number; config: ResolvedRunConfig; seed: number; view: ViewRequest; checkpoint?: Uint8Array }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' }
  /** Which noise coordinate the live field and density show (an index into the evaluation points). */
  | { type: 'view'; view: ViewRequest }
  /** Draw live samples now (also done every few seconds during training). */
  | { type: 'sample' };

export interface ViewRequest {
  /** Index into the family's view points (each sigma_i, or t = eps .. 1); clamped. */
  level: number;
}

/** The learned and the exact score on a grid at every view point (noise level or time): the slider is the page's. */
export interface FieldView {
  step: number;
  /** The label of each level, e.g. 'σ=0.1' or 't=0.5 (std 1.2)'. */
  levels: string[];
  grid: Grid;
  /** [level][ny * nx * 2], row by row. */
  model: Float32Array[];
  exact: Float32Array[];
}

/** Learned (grid-normalised) and true log-density of an energy model, [ny * nx] row by row. */
export interface DensityView {
  step: number;
  label: string;
  grid: Grid;
  learned: Float32Array;
  exact: Float32Array;
}

export interface SamplesView {
  step: number;
  /** true: the run's own samples (sample stage, the numbers of sample/*); false: a live draw from a view stream. */
  final: boolean;
  samples: Float32Array;
  data: Float32Array;
  /** Annealed Langevin (or SDE) snapshots of the first samples: labels and [T][M*2]. */
  trajectory: { labels: string[]; snapshots: Float32Array[] } | null;
}

/** What the worker sends, tagged with the `run` of the start message it belongs to (the page drops a stopped run's late messages). */
export type FromWorker = WorkerEvent & { run: number };

export type WorkerEvent =
  | { type: 'ready'; backend: string; engine: string | null }
  | { type: 'metrics'; points: MetricRecord[] }
  | { type: 'progress'; progress: RunProgress; paused: boolean }
  | { type: 'field'; field: FieldView }
  | { type: 'density'; density: DensityView }
  | { type: 'samples'; samples: SamplesView }
  | { type: 'done'; trainSteps: number; engine: string | null; seconds: number }
  | { type: 'stopped'; step: number | null }
  | { type: 'error'; message: string };
