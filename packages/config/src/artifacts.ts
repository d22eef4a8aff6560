// What the runner saves for a 2-D run and the dashboard draws (docs/store.md, artifacts; docs/api.md).
// Types only: the runner writes these through the RunStore, the browser client reads them back
// over the JSON API, so neither tfjs nor Node is needed to use them.

/** A regular grid: point (i, j) is x = xmin + i (xmax - xmin) / (nx - 1), y = ymin + j (ymax - ymin) / (ny - 1). */
export interface Grid {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
  nx: number;
  ny: number;
}

/**
 * `samples` (the model's final samples), `data-samples` (fresh draws of the dataset; the test rows of a digits
 * or file dataset), `nearest-train` (digits: the nearest training image of each of the first M samples, in their
 * order) and `negatives/<step>` (loss ml: the Langevin negatives at that training step): float32, row-major [N, D].
 */
export interface SamplesArtifact {
  format: 'float32';
  shape: [n: number, d: number];
  data: Float32Array;
}

/** `score-field`: the learned and exact scores on a grid, where the sampler ends (smallest σ, or t = eps). */
export interface ScoreFieldArtifact {
  /** nx = ny = 21 over the data's bounding box. */
  grid: Grid;
  /** The noise level of a noise-conditional model; null for an unconditional or a time-conditional one. */
  sigma: number | null;
  /** The time t of a time-conditional (SDE) model; absent otherwise. */
  time?: number;
  /** The grid points row by row (j outer, i inner): [ny * nx, 2]. */
  points: number[][];
  /** The model's score at `points`, [ny * nx, 2]; null when the model is the exact score (analytic). */
  model: number[][] | null;
  /** The dataset's exact (perturbed) score at `points`, [ny * nx, 2]. */
  exact: number[][];
}

/** `density`: the true log density on a grid, for contour lines. */
export interface DensityArtifact {
  /** nx = ny = 80 over the data's bounding box. */
  grid: Grid;
  /** Smoothing of the density (0 except for the checkerboard, whose clean density is -inf off its squares). */
  sigma: number;
  /** logDensity[j][i] at grid point (i, j), [ny][nx]; null where it is not finite. */
  logDensity: (number | null)[][];
}

/** `trajectory`: the same samples at successive stages of the sampler (each noise level, every few steps, or t = 1 .. eps). */
export interface TrajectoryArtifact {
  /** One label per snapshot, e.g. 'init', 'σ=7.17', 't=0.5'. */
  labels: string[];
  /** [T][M][D]: T snapshots of the first M samples (M <= 300 in 2-D, <= 64 images of digits); null where a coordinate is not finite. */
  snapshots: (number | null)[][][];
}

/** Names of the artifacts of a 2-D run. */
export type TwoDimensionalArtifactName = 'samples' | 'data-samples' | 'score-field' | 'density' | 'trajectory' | 'learned-density' | 'learned-density-true';

/** Names of the artifacts of an image run (digits): samples and data as images, the ald trajectory, nearest training images. */
export type ImageArtifactName = 'samples' | 'data-samples' | 'trajectory' | 'nearest-train';

/** `negatives/<step>`: the Langevin negatives of loss ml at a training step. */
export type NegativesArtifactName = `negatives/${number}`;

/** Every artifact name a run's pipeline writes (checkpoints aside). */
export type RunArtifactName = TwoDimensionalArtifactName | ImageArtifactName | NegativesArtifactName;

/** One artifact of an image run (digits) as given to RunStore.saveArtifact. */
export type ImageArtifact =
  | { name: 'samples' | 'data-samples' | 'nearest-train'; kind: 'samples'; content: SamplesArtifact }
  | { name: 'trajectory'; kind: 'trajectory'; content: { format: 'json'; value: TrajectoryArtifact } };

/** One artifact of a 2-D run as given to RunStore.saveArtifact: its name, kind and content. */
export type TwoDimensionalArtifact =
  | { name: 'samples' | 'data-samples'; kind: 'samples'; content: SamplesArtifact }
  | { name: 'score-field'; kind: 'score-field'; content: { format: 'json'; value: ScoreFieldArtifact } }
  | { name: 'density'; kind: 'density'; content: { format: 'json'; value: DensityArtifact } }
  /** eval.metrics density: log p̂ of the model (learned-density) and log p of the data (learned-density-true) on one grid. */
  | { name: 'learned-density' | 'learned-density-true'; kind: 'density'; content: { format: 'json'; value: DensityArtifact } }
  | { name: 'trajectory'; kind: 'trajectory'; content: { format: 'json'; value: TrajectoryArtifact } };
