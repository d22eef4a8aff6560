/**
 * Pictures of a run on data points without a known density (digits, file), for the dashboard: the
 * final samples and held-out data, the sampler's trajectory and, for images, the nearest training image
 * of each of the first samples. Digits are drawn as 8x8 images (dataset.image); a 2-D file dataset as
 * points (no score field or density: neither is known). Formats in docs/store.md (artifacts).
 */
import * as tf from '@tensorflow/tfjs';
import type { EmpiricalDataset } from '@scorelab/datasets';
import { nearestNeighbours } from '@scorelab/metrics';
import type { ImageArtifact, TwoDimensionalArtifact } from '@scorelab/config';
import { TRAJECTORY_POINTS } from './artifacts';

/** Images per trajectory snapshot and sample / nearest-training-image pairs saved (the dashboard shows up to 16 and 8). */
export const IMAGE_ARTIFACT_IMAGES = 64;

export interface DataArtifactInputs {
  dataset: EmpiricalDataset;
  samples: tf.Tensor2D;
  /** The held-out rows: `data-samples` holds the first `dataRows` of them. */
  test: tf.Tensor2D;
  /** The training rows (where nearest-train looks). */
  train: tf.Tensor2D;
  dataRows: number;
  trajectory?: tf.Tensor2D[];
  trajectoryLabels: string[];
}

/** The artifacts of an image dataset (samples, data-samples, trajectory, nearest-train) or a 2-D one (samples, data-samples, trajectory); none otherwise. */
export function dataArtifacts(inp: DataArtifactInputs): (ImageArtifact | TwoDimensionalArtifact)[] {
  const { dataset, samples, test } = inp;
  const image = dataset.image !== undefined;
  if (!image && dataset.dim !== 2) return [];
  const out: (ImageArtifact | TwoDimensionalArtifact)[] = [];
  out.push({ name: 'samples', kind: 'samples', content: float32Rows(samples, samples.shape[0]) });
  out.push({ name: 'data-samples', kind: 'samples', content: float32Rows(test, inp.dataRows) });
  const m = Math.min(image ? IMAGE_ARTIFACT_IMAGES : TRAJECTORY_POINTS, samples.shape[0]);
  if (inp.trajectory && inp.trajectory.length > 0) {
    const snapshots = inp.trajectory.map((t) => tf.tidy(() => tf.slice(t, [0, 0], [m, -1]).arraySync() as number[][]).map((r) => r.map(finiteOrNull)));
    out.push({ name: 'trajectory', kind: 'trajectory', content: { format: 'json', value: { labels: inp.trajectoryLabels, snapshots } } });
  }
  if (image) {
    const nearest = nearestTraining(samples, inp.train, m);
    if (nearest) out.push({ name: 'nearest-train', kind: 'samples', content: { format: 'float32', shape: [m, dataset.dim], data: nearest } });
  }
  return out;
}

/** The nearest training row of each of the first m samples, [m * D] row-major; null when a sample is not finite (no nearest row). */
function nearestTraining(samples: tf.Tensor2D, train: tf.Tensor2D, m: number): Float32Array | null {
  const head = tf.slice(samples, [0, 0], [m, -1]);
  try {
    if (tf.tidy(() => tf.all(tf.isFinite(head)).dataSync()[0]) !== 1) return null;
    const { indices } = nearestNeighbours(head, train);
    return tf.tidy(() => tf.gather(train, tf.tensor1d(indices, 'int32')).dataSync() as Float32Array);
  } finally {
    head.dispose();
  }
}

/** The first min(rows, N) rows of x: [N, D] as a float32 artifact. */
function float32Rows(x: tf.Tensor2D, rows: number): { format: 'float32'; shape: [number, number]; data: Float32Array } {
  const n = Math.min(rows, x.shape[0]);
  const data = tf.tidy(() => (n === x.shape[0] ? x : tf.slice(x, [0, 0], [n, -1])).dataSync() as Float32Array);
  return { format: 'float32', shape: [n, x.shape[1]], data: Float32Array.from(data) };
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
