// The pictures of a run on an image dataset (digits): samples and data as image grids, the annealed
// Langevin trajectory as a strip of grids across noise levels, and each sample beside its nearest
// training image with sample/nn_dist against ref/nn_dist (the memorisation check).
import type { TrajectoryArtifact } from '@scorelab/config';
import type { ImageShape } from '../../src/api-types';
import { canvasById } from '../canvas';
import { h } from '../dom';
import { fmt, num } from '../format';
import { drawImageGrid, imageCount, type ImageGridStats } from '../image-grid';
import type { RunView } from './context';
import type { DrawnCard } from './drawn-card';

/** Images in the samples and data grids (8 x 8 of them). */
const GRID_IMAGES = 64;
/** Images per trajectory snapshot (4 x 4). */
const SNAPSHOT_IMAGES = 16;
/** Sample / nearest-training-image pairs shown. */
const PAIRS = 24;
/** A sample closer than this (per √D, in the data's units) to a training image is counted as a copy. */
const COPY_DISTANCE = 1e-3;

const rangeText = (s: ImageShape) => `${s.width}×${s.height} pixels, ${fmt(s.range[0])} white to ${fmt(s.range[1])} black`;

function clippedText(stats: ImageGridStats, shape: ImageShape): string {
  const parts: string[] = [];
  if (stats.outside) parts.push(`${fmt((100 * stats.outside) / stats.pixels)}% of these pixels lie outside [${fmt(shape.range[0])}, ${fmt(shape.range[1])}] (drawn clipped)`);
  if (stats.nonfinite) parts.push(`${stats.nonfinite} pixels are not finite (red)`);
  return parts.length ? `${parts.join('; ')}.` : '';
}

/** The model's samples and fresh data as two image grids side by side. */
export function imageSamplesCard(shape: ImageShape, model: number[] | null, data: number[] | null): DrawnCard {
  const note = h('p', { class: 'small muted', id: 'samples-images-note' });
  const figure = (id: string, what: string, flat: number[]) =>
    h('figure', {}, h('canvas', { id, class: 'images' }), h('figcaption', {}, `${what}: the first ${Math.min(GRID_IMAGES, imageCount(flat, shape))} of ${imageCount(flat, shape)}.`));
  const card = h(
    'div',
    { class: 'card', id: 'image-samples' },
    h('h2', {}, 'Samples as images'),
    h('p', { class: 'hint' }, `Each sample drawn as an image (${rangeText(shape)}), the model’s beside fresh images of the data.`),
    h('div', { class: 'pair images-pair' }, model ? figure('samples-images', 'Final samples of the model', model) : null, data ? figure('data-images', 'Data images', data) : null),
    note,
  );
  const draw = () => {
    if (model) note.textContent = clippedText(drawImageGrid(canvasById('samples-images'), model, shape, { cols: 8, scale: 5, count: GRID_IMAGES }), shape);
    if (data) drawImageGrid(canvasById('data-images'), data, shape, { cols: 8, scale: 5, count: GRID_IMAGES });
  };
  return { card, draw };
}

/** The same samples after each noise level (or stage of the sampler), one small grid per snapshot. */
export function imageTrajectoryCard(shape: ImageShape, tr: TrajectoryArtifact, samplerKind: string | undefined): DrawnCard {
  const m = Math.min(SNAPSHOT_IMAGES, tr.snapshots[0].length);
  const title = samplerKind === 'ald' ? 'Annealed Langevin trajectory' : 'Sampler trajectory';
  const card = h(
    'div',
    { class: 'card', id: 'image-trajectory' },
    h('h2', {}, title),
    h('p', { class: 'hint' }, `The same ${m} samples at each stage of the sampler${samplerKind === 'ald' ? ' (after each noise level, largest σ first)' : ''}, left to right.`),
    h(
      'div',
      { class: 'strip', id: 'trajectory-images' },
      tr.snapshots.map((_, i) => h('figure', {}, h('figcaption', {}, tr.labels[i] ?? `#${i}`), h('canvas', { id: `traj-images-${i}`, class: 'images' }))),
    ),
  );
  const draw = () => tr.snapshots.forEach((snap, i) => drawImageGrid(canvasById(`traj-images-${i}`), snap.slice(0, m).flat(), shape, { cols: 4, scale: 3, gap: 1 }));
  return { card, draw };
}

/** Euclidean distances between row i of a and row i of b ([M, D] flat). */
export function rowDistances(a: readonly number[], b: readonly number[], d: number): number[] {
  const m = Math.min(a.length, b.length) / d;
  return Array.from({ length: m }, (_, i) => {
    let s = 0;
    for (let k = i * d; k < (i + 1) * d; k++) s += (a[k] - b[k]) ** 2;
    return Math.sqrt(s);
  });
}

/** Each of the first samples beside its nearest training image, with the distances and nn_dist vs its floor. */
export function nearestCard(view: RunView, shape: ImageShape, samples: number[], nearest: number[]): DrawnCard {
  const d = shape.width * shape.height;
  const dist = rowDistances(samples, nearest, d);
  const copies = dist.filter((x) => x < COPY_DISTANCE * Math.sqrt(d)).length;
  const shown = Math.min(PAIRS, dist.length);
  const latest = view.data.run.latest;
  const nn = num(latest['sample/nn_dist']);
  const ref = num(latest['ref/nn_dist']);
  const facts: HTMLElement[] = [];
  if (nn !== undefined) {
    facts.push(
      h(
        'li',
        { id: 'nn-dist' },
        h('b', {}, `sample/nn_dist = ${fmt(nn, 4)}`),
        ref !== undefined ? [' vs ', h('b', {}, `ref/nn_dist = ${fmt(ref, 4)}`), ` (held-out data): the samples are ${fmt(nn / ref)}× as far from their nearest training image as new images of the data are.`] : '',
        ' Well below 1: samples close to training images (memorised); about 1: as new data; well above 1: samples off the data.',
      ),
    );
  }
  facts.push(h('li', { id: 'nn-copies' }, `${copies} of the ${dist.length} samples checked are copies of a training image (distance < ${fmt(COPY_DISTANCE * Math.sqrt(d))}); median distance ${fmt([...dist].sort((a, b) => a - b)[Math.floor(dist.length / 2)])}.`));
  const card = h(
    'div',
    { class: 'card', id: 'nearest' },
    h('h2', {}, 'Samples beside their nearest training images'),
    h('p', { class: 'hint' }, `Left: a sample; right: the training image nearest to it (Euclidean distance under each pair). The first ${shown} samples.`),
    h('ul', { class: 'facts' }, facts),
    h(
      'div',
      { class: 'strip', id: 'nearest-pairs' },
      Array.from({ length: shown }, (_, i) => h('figure', {}, h('canvas', { id: `nearest-${i}`, class: 'images' }), h('figcaption', {}, `d = ${fmt(dist[i])}`))),
    ),
  );
  const draw = () => {
    for (let i = 0; i < shown; i++) drawImageGrid(canvasById(`nearest-${i}`), [...samples.slice(i * d, (i + 1) * d), ...nearest.slice(i * d, (i + 1) * d)], shape, { cols: 2, scale: 4, gap: 3 });
  };
  return { card, draw };
}
