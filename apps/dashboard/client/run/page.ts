// Run page (/runs/<id>): status and error, final metrics, samples over the true density's contours,
// learned vs exact score field, the sampler's trajectory (or image grids for image datasets), an
// energy model's learned density and ML negatives, ML's energy curves, metric curves, resolved
// config and its diff.
import type { RunPage } from '../../src/api-types';
import { fetchRun } from '../api';
import { byId, h } from '../dom';
import { startPage } from '../live';
import { renderArtifacts } from './artifacts';
import { renderConfig } from './config';
import type { RunSections, RunView } from './context';
import { renderCurves } from './curves';
import { renderEnergyCurves } from './energy-curves';
import { renderFinalMetrics } from './final-metrics';
import { renderHeader, renderHistory } from './header';

const main = byId('main');
const sections: RunSections = {
  header: h('section', { id: 'header' }),
  error: h('section', { id: 'error' }),
  metrics: h('section', { class: 'card', id: 'final-metrics' }),
  samples: h('section', { id: 'samples-section' }),
  curves: h('section', { class: 'card', id: 'curves' }),
  config: h('section', { class: 'card', id: 'config' }),
  events: h('section', { class: 'card', id: 'events' }),
};

// ML training's energy curves, together in one chart (hidden for other runs).
const energyCurves = h('section', { class: 'card', id: 'energy-section' });
energyCurves.hidden = true;

let loaded: RunPage | null = null;
const view: RunView = {
  runId: location.pathname.split('/')[2],
  sections,
  get data() {
    if (!loaded) throw new Error('the run is not loaded yet');
    return loaded;
  },
  artifactsStamp: null,
  diffWith: '',
  extraCurve: null,
};

async function refresh(): Promise<void> {
  const first = loaded === null;
  loaded = await fetchRun(view.runId);
  renderHeader(view);
  renderFinalMetrics(view);
  if (first) await renderConfig(view);
  renderHistory(view);
  await Promise.all([renderArtifacts(view), renderEnergyCurves(view, energyCurves), renderCurves(view)]);
}

main.replaceChildren(sections.header, sections.error, sections.metrics, sections.samples, energyCurves, sections.curves, sections.config, sections.events);
startPage(main, refresh, () => !!loaded && (loaded.run.status === 'running' || (loaded.run.status === 'queued' && !!loaded.sweep?.live)));
