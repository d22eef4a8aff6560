// Which runs' data points are pictures, and how to draw them: the digits dataset is 8x8 greyscale
// with pixels scaled to [0, 1] (packages/config schema/dataset.ts). A `file` dataset may have a
// square D, but nothing in its config says its rows are images, so it is drawn as images only once
// the config can say so (no guessing from D).
import type { ImageShape } from '../api-types';

const DIGITS: ImageShape = { width: 8, height: 8, range: [0, 1] };

/** The image shape of a run's data by its stored (JSON) config, or null when they are not images. */
export function imageShapeOf(config: unknown): ImageShape | null {
  const dataset = field(config, 'dataset');
  return field(dataset, 'kind') === 'digits' ? DIGITS : null;
}

/** Whether the run's model is an energy network (model.kind = energy). */
export function isEnergyModel(config: unknown): boolean {
  return field(field(config, 'model'), 'kind') === 'energy';
}

/** v[key] of a JSON object, else undefined. */
export function field(v: unknown, key: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}
