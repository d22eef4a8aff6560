// The sweep's configurations by eye: one small sample grid per configuration on an image dataset,
// or one learned-density thumbnail per configuration of energy models, a row per dataset beside its
// true density, on one colour scale per row. Hidden for other sweeps.
import type { GalleryResponse, GalleryTile } from '../../src/api-types';
import { fetchGallery } from '../api';
import { canvasById } from '../canvas';
import { DensityMap, LOG_SPAN, RAMP_CSS, sharedLogScale } from '../density-map';
import { h } from '../dom';
import { fmt } from '../format';
import { drawImageGrid } from '../image-grid';
import type { SweepPage } from './context';

/** What each kind of tile states under its picture (the first of these the run logged). */
const TILE_METRICS = { images: ['sample/nn_dist', 'sample/mmd'], density: ['eval/kl', 'eval/nll'] } as const;

export async function renderGallery(page: SweepPage, section: HTMLElement): Promise<void> {
  // Redrawn only when the set of finished runs changes (the page polls while the sweep is live).
  const stamp = page.runs
    .filter((r) => r.status === 'finished')
    .map((r) => r.id)
    .join(',');
  if (section.dataset.stamp === stamp) return;
  section.dataset.stamp = stamp;
  const g = await fetchGallery(page.summary.sweep.id);
  section.hidden = !g.available;
  if (!g.available) {
    section.replaceChildren();
    return;
  }
  const tile = (t: GalleryTile, i: number) =>
    h(
      'figure',
      { class: 'tile', dataset: { key: t.key } },
      h('h3', { title: JSON.stringify(t.params) }, t.label),
      h('canvas', { id: `gallery-${i}`, class: g.kind === 'images' ? 'images' : 'thumb' }),
      h('figcaption', {}, h('a', { href: `/runs/${t.runId}` }, `run #${t.runId}`), ` · seed ${t.seed}`, t.runIds.length > 1 ? ` · 1 of ${t.runIds.length} runs` : '', tileMetric(g, t.latest)),
    );
  const head = (title: string, hint: string) => [h('h2', {}, title), h('p', { class: 'hint' }, hint, g.omitted ? ` ${g.omitted} more configurations are not shown.` : '')];
  if (g.kind === 'images') {
    section.replaceChildren(
      ...head(
        'Samples per configuration',
        `The first ${g.rows} samples of each configuration’s finished run with the lowest seed (${g.shape.width}×${g.shape.height} pixels, ${fmt(g.shape.range[0])} white to ${fmt(g.shape.range[1])} black).`,
      ),
      h('div', { class: 'gallery', id: 'gallery-tiles' }, g.tiles.map(tile)),
    );
    await new Promise((r) => requestAnimationFrame(r));
    g.tiles.forEach((t, i) => drawImageGrid(canvasById(`gallery-${i}`), t.samples, g.shape, { cols: 4, scale: 4, gap: 1 }));
    return;
  }
  // One row per dataset: its true density, then its configurations, on one colour scale per row.
  const rows = [...new Set(g.tiles.map((t) => t.truth))].map((truth) => ({ truth, members: g.tiles.flatMap((t, i) => (t.truth === truth ? [{ t, i }] : [])) }));
  const scales = rows.map((r) => sharedLogScale([...r.members.map((m) => m.t.density), ...(r.truth === null ? [] : [g.truths[r.truth]])]));
  section.replaceChildren(
    ...head('Learned densities per configuration', `Each configuration’s learned log p̂ (its finished run with the lowest seed) beside the true density of its data, one colour scale per row: ${LOG_SPAN} nats below the highest value, darkest below.`),
    ...rows.map((r, k) => {
      const scale = scales[k];
      return h(
        'div',
        { class: 'gallery-row' },
        h(
          'div',
          { class: 'gallery', id: k === 0 ? 'gallery-tiles' : undefined },
          r.truth === null ? null : h('figure', { class: 'tile' }, h('h3', {}, 'true density'), h('canvas', { id: `gallery-truth-${r.truth}`, class: 'thumb' })),
          r.members.map((m) => tile(m.t, m.i)),
        ),
        scale ? h('div', { class: 'legendbar' }, h('span', {}, `log p ≤ ${fmt(scale.lo)}`), h('span', { class: 'ramp', style: { background: RAMP_CSS } }), h('span', {}, fmt(scale.hi))) : null,
      );
    }),
  );
  await new Promise((r) => requestAnimationFrame(r));
  rows.forEach((r, k) => {
    const scale = scales[k];
    if (!scale) return;
    for (const m of r.members) new DensityMap(canvasById(`gallery-${m.i}`), m.t.density, scale, { axes: false, size: 150 });
    if (r.truth !== null) new DensityMap(canvasById(`gallery-truth-${r.truth}`), g.truths[r.truth], scale, { axes: false, size: 150 });
  });
}

function tileMetric(g: Extract<GalleryResponse, { available: true }>, latest: GalleryTile['latest']): string {
  const key = TILE_METRICS[g.kind].find((k) => latest[k] !== undefined);
  return key ? ` · ${key} ${fmt(latest[key])}` : '';
}
