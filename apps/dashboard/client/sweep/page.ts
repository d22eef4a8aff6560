// Sweep page (/sweeps/<id or name>): which objective and which step size did best (summary line and
// heatmap), the objectives side by side (ablation), pictures per configuration (gallery: image and
// energy sweeps), metric curves with seed bands, and the runs table.
import type { RunRow, SweepSummary } from '../../src/api-types';
import { fetchSweep, fetchSweepRuns } from '../api';
import { byId, h } from '../dom';
import { startPage } from '../live';
import { renderAblation } from './ablation';
import type { Sections, SweepPage, SweepState } from './context';
import { renderCurves } from './curves';
import { renderGallery } from './gallery';
import { renderHeatmap } from './heatmap';
import { renderRunsTable } from './runs-table';
import { renderHeader, renderSummary } from './summary';

const main = byId('main');
const ref = decodeURIComponent(location.pathname.split('/')[2] ?? '');

const state: SweepState = {
  metric: new URLSearchParams(location.search).get('metric') ?? '',
  selected: new Set(),
  sort: { col: 'idx', dir: 1 },
  filter: '',
  status: '',
  allColumns: false,
  heat: { x: null, y: null },
  ablationParam: null,
  curves: { key: null, mode: null, param: null, logY: false },
};

// Sections are built once; each view fills its own.
const sections: Sections = {
  header: h('section', { id: 'header' }),
  summary: h('section', { class: 'card summary', id: 'summary' }),
  heatmap: h('section', { class: 'card', id: 'heatmap' }),
  ablation: h('section', { class: 'card', id: 'ablation' }),
  curves: h('section', { class: 'card', id: 'curves' }),
  runs: h('section', { class: 'card', id: 'runs' }),
};

// One picture per configuration, for image datasets and energy models (hidden otherwise).
const gallery = h('section', { class: 'card', id: 'gallery' });
gallery.hidden = true;

let loaded: { summary: SweepSummary; runs: RunRow[] } | null = null;
const canvases = new Map<string, HTMLElement>();

const page: SweepPage = {
  state,
  sections,
  get summary() {
    if (!loaded) throw new Error('the sweep is not loaded yet');
    return loaded.summary;
  },
  get runs() {
    if (!loaded) throw new Error('the sweep is not loaded yet');
    return loaded.runs;
  },
  refresh,
  selectRuns(ids) {
    state.selected = new Set(ids);
    state.curves.mode = 'selected';
    renderRunsTable(page);
    void renderCurves(page);
    sections.curves.scrollIntoView({ behavior: 'smooth', block: 'start' });
  },
  selectionChanged() {
    renderRunsTable(page);
    if (state.curves.mode === 'selected') void renderCurves(page);
    else {
      const opt = sections.curves.querySelector('#curve-mode option[value=selected]');
      if (opt) opt.textContent = `selected runs (${state.selected.size})`;
    }
  },
  canvas(container, id, cls = 'chartbox') {
    let box = canvases.get(id);
    if (!box) {
      box = h('div', { class: cls }, h('canvas', { id }));
      canvases.set(id, box);
    }
    container.append(box);
    const canvas = box.firstElementChild;
    if (!(canvas instanceof HTMLCanvasElement)) throw new Error(`chart box ${id} lost its canvas`);
    return canvas;
  },
};

async function refresh(): Promise<void> {
  const [summary, runs] = await Promise.all([fetchSweep(ref, state.metric), fetchSweepRuns(ref)]);
  loaded = { summary, runs: runs.runs };
  state.metric = summary.metric ?? '';
  renderHeader(page);
  renderSummary(page);
  renderRunsTable(page);
  await Promise.all([renderHeatmap(page), renderAblation(page), renderGallery(page, gallery), renderCurves(page)]);
}

main.replaceChildren(sections.header, sections.summary, sections.heatmap, sections.ablation, gallery, sections.curves, sections.runs);
startPage(main, refresh, () => loaded?.summary.sweep.live ?? false);
