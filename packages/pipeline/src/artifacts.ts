/**
 * Pictures of a 2-D run for the dashboard: final samples, fresh data, the learned and exact score
 * fields on a grid, the true log-density on a grid (for contour lines), and the sampler's
 * trajectory. Formats are documented in docs/store.md (artifacts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ScoreFn } from '@scorelab/core';
import type { Dataset } from '@scorelab/datasets';
import type { Grid, TwoDimensionalArtifact } from '@scorelab/config';

export type ArtifactPayload = { format: 'json'; value: unknown } | { format: 'float32'; shape: number[]; data: Float32Array };

export const SCORE_FIELD_SIZE = 21;
export const DENSITY_GRID_SIZE = 80;
export const TRAJECTORY_POINTS = 300;

/** Bounding box of the data with a 15% margin, so the modes and their surroundings are in view. */
export function dataBounds(data: tf.Tensor2D): Omit<Grid, 'nx' | 'ny'> {
  const v = data.arraySync();
  let [xmin, xmax, ymin, ymax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of v) {
    xmin = Math.min(xmin, x);
    xmax = Math.max(xmax, x);
    ymin = Math.min(ymin, y);
    ymax = Math.max(ymax, y);
  }
  const mx = 0.15 * (xmax - xmin || 1);
  const my = 0.15 * (ymax - ymin || 1);
  return { xmin: xmin - mx, xmax: xmax + mx, ymin: ymin - my, ymax: ymax + my };
}

/** Grid points row by row: y = ymin + j (ymax - ymin)/(ny - 1), x likewise; [ny * nx, 2]. */
export function gridPoints(g: Grid): number[][] {
  const pts: number[][] = [];
  for (let j = 0; j < g.ny; j++) {
    for (let i = 0; i < g.nx; i++) pts.push([g.xmin + (i * (g.xmax - g.xmin)) / (g.nx - 1), g.ymin + (j * (g.ymax - g.ymin)) / (g.ny - 1)]);
  }
  return pts;
}

/** A score with its noise level or time fixed: x: [N, 2] -> [N, 2]. */
export type FieldFn = (x: tf.Tensor2D) => tf.Tensor2D;

/** The score field to draw: the exact score and the model's (null when the model is the exact score), at one noise level or time. */
export interface ScoreField {
  exact: FieldFn;
  model: FieldFn | null;
  /** The noise level of a noise-conditional model; null for an unconditional or a time-conditional one. */
  sigma: number | null;
  /** The time of a time-conditional (SDE) model; absent otherwise. */
  time?: number;
}

/**
 * The field where the sampler ends: a noise-level model at sigma_L (cond sigma), an unconditional one
 * (cond undefined, sigma null), or an SDE model at t = eps (cond t). `model` null for the analytic model.
 */
export function scoreFieldAt(exact: ScoreFn, model: ScoreFn | null, at: { sigma: number } | { time: number } | null): ScoreField {
  const value = at === null ? undefined : 'sigma' in at ? at.sigma : at.time;
  const cond = (x: tf.Tensor2D) => (value === undefined ? undefined : (tf.fill([x.shape[0]], value) as tf.Tensor1D));
  const fields = { exact: (x: tf.Tensor2D) => exact(x, cond(x)), model: model && ((x: tf.Tensor2D) => model(x, cond(x))) };
  return at !== null && 'time' in at ? { ...fields, sigma: null, time: at.time } : { ...fields, sigma: at === null ? null : at.sigma };
}

function field(f: FieldFn, points: number[][]): number[][] {
  return tf.tidy(() => f(tf.tensor2d(points)).arraySync());
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export interface ArtifactInputs {
  dataset: Dataset;
  /** Where the sampler ends: the smallest noise level, or t = eps of an SDE. */
  scoreField: ScoreField;
  samples: tf.Tensor2D;
  data: tf.Tensor2D;
  trajectory?: tf.Tensor2D[];
  trajectoryLabels: string[];
}

export function twoDimensionalArtifacts(inp: ArtifactInputs): TwoDimensionalArtifact[] {
  const { dataset, scoreField, samples, data } = inp;
  const bounds = dataBounds(data);
  const out: TwoDimensionalArtifact[] = [];
  out.push({ name: 'samples', kind: 'samples', content: { format: 'float32', shape: samples.shape, data: samples.dataSync() as Float32Array } });
  out.push({ name: 'data-samples', kind: 'samples', content: { format: 'float32', shape: data.shape, data: data.dataSync() as Float32Array } });

  // The score field where the sampler ends (smallest noise level, or t = eps), or unconditional.
  const fieldGrid: Grid = { ...bounds, nx: SCORE_FIELD_SIZE, ny: SCORE_FIELD_SIZE };
  const points = gridPoints(fieldGrid);
  const exact = field(scoreField.exact, points);
  const model = scoreField.model ? field(scoreField.model, points) : null;
  const at = scoreField.time === undefined ? { sigma: scoreField.sigma } : { sigma: scoreField.sigma, time: scoreField.time };
  out.push({ name: 'score-field', kind: 'score-field', content: { format: 'json', value: { grid: fieldGrid, ...at, points, model, exact } } });

  // Log-density for contour lines. The clean checkerboard is -inf off its squares: show it
  // slightly smoothed (sigma = 2% of its extent) so contours are drawable.
  const densityGrid: Grid = { ...bounds, nx: DENSITY_GRID_SIZE, ny: DENSITY_GRID_SIZE };
  const densitySigma = dataset.spec.kind === 'checkerboard' ? 0.02 * (bounds.xmax - bounds.xmin) : 0;
  const logp = tf.tidy(() => dataset.logDensity(tf.tensor2d(gridPoints(densityGrid)), densitySigma).dataSync());
  const rows: (number | null)[][] = [];
  for (let j = 0; j < densityGrid.ny; j++) rows.push(Array.from(logp.subarray(j * densityGrid.nx, (j + 1) * densityGrid.nx), finiteOrNull));
  out.push({ name: 'density', kind: 'density', content: { format: 'json', value: { grid: densityGrid, sigma: densitySigma, logDensity: rows } } });

  if (inp.trajectory && inp.trajectory.length > 0) {
    const m = Math.min(TRAJECTORY_POINTS, samples.shape[0]);
    const snapshots = inp.trajectory.map((t) => {
      const head = tf.slice(t, [0, 0], [m, -1]);
      const rows = (head.arraySync() as number[][]).map((r) => r.map(finiteOrNull));
      head.dispose();
      return rows;
    });
    out.push({ name: 'trajectory', kind: 'trajectory', content: { format: 'json', value: { labels: inp.trajectoryLabels, snapshots } } });
  }
  return out;
}
