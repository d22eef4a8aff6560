// Sweeps list (/): name, description, when, runs by status, and the best run by a chosen metric.
import { METRIC } from '@scorelab/config';
import type { StatusCounts, SweepList } from '../../src/api-types';
import { fetchSweeps } from '../api';
import { crowned, extremeWord, floorShort, tiedText, valueWithScatter } from '../best-run';
import { byId, h } from '../dom';
import { directionWord, fmtTime, paramsShort } from '../format';
import { startPage } from '../live';
import { statusBadge } from '../ui';

const main = byId('main');
const state: { metric: string; data: SweepList | null } = { metric: new URLSearchParams(location.search).get('metric') ?? '', data: null };

function statusBar(counts: StatusCounts): HTMLElement {
  const parts = (['finished', 'failed', 'killed', 'running'] as const).filter((s) => counts[s] > 0);
  return h(
    'div',
    { class: 'statusbar', title: Object.entries(counts).filter(([k, v]) => k !== 'total' && v > 0).map(([k, v]) => `${v} ${k}`).join(', ') },
    parts.map((s) => h('span', { class: s, style: { width: `${(100 * counts[s]) / Math.max(1, counts.total)}%` } })),
  );
}

function countsText(counts: StatusCounts): string {
  const parts = (['finished', 'failed', 'killed', 'running', 'queued'] as const).filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return `${counts.total} runs${parts.length ? ': ' + parts.join(', ') : ''}`;
}

/** The best run of a sweep, crowned only when distinguishable from its other runs and from the floor
 * (the sweep page's rules), with its value ± the floor's scatter and the floor beside it. */
function bestCell(s: SweepList['sweeps'][number]): HTMLElement {
  const best = s.best;
  if (!best) return h('span', { class: 'muted' }, s.metric ? `no finished run has ${s.metric}` : 'no metrics yet');
  const v = best.verdict;
  return h(
    'span',
    {},
    crowned(best) ? '★ ' : h('span', { class: 'muted' }, `no clear best; ${extremeWord(best)}: `),
    h('a', { href: `/runs/${best.runId}` }, `run #${best.runId}`),
    ` · ${paramsShort(best.params)} · seed ${best.seed} · `,
    valueWithScatter(best.value, s.floor),
    h('span', { class: 'muted small' }, ` ${s.metric}`),
    s.floor ? h('div', { class: 'muted small' }, floorShort(s.floor), ' (true data samples)') : null,
    v && !crowned(best) ? h('div', { class: 'small' }, `${tiedText(v)}: ${v.reason.replace(/^not distinguishable: /, '')}`) : null,
  );
}

function render(data: SweepList): void {
  const { sweeps } = data;
  if (sweeps.length === 0) {
    main.replaceChildren(
      h('h1', {}, 'Sweeps'),
      h('div', { class: 'card notice' }, 'This store has no sweeps yet. Start one with ', h('code', {}, 'npx nx run runner:sweep'), '; this page updates itself while it runs.'),
    );
    return;
  }
  // Floors (ref/*) and the p-value describe the data, not the run: nothing to pick a best by.
  const allKeys = [...new Set(sweeps.flatMap((s) => s.metricKeys))].filter((k) => !k.startsWith(METRIC.refPrefix) && k !== METRIC.mmdP && !k.startsWith(METRIC.modeWeightPrefix));
  const select = h(
    'select',
    {
      id: 'metric',
      onchange: (e) => {
        state.metric = e.currentTarget.value;
        history.replaceState(null, '', state.metric ? `?metric=${encodeURIComponent(state.metric)}` : '/');
        void load();
      },
    },
    h('option', { value: '' }, 'default of each sweep'),
    allKeys.map((k) => h('option', { value: k, selected: k === state.metric }, k)),
  );
  const rows = sweeps.map((s) =>
    h(
      'tr',
      {},
      h('td', {}, h('a', { href: `/sweeps/${s.id}`, class: 'sweep-link' }, h('b', {}, s.name))),
      h('td', { class: 'muted', style: { whiteSpace: 'normal', maxWidth: '420px' } }, s.description ?? ''),
      h('td', {}, fmtTime(s.createdAt)),
      h('td', {}, statusBadge(s.status)),
      h('td', {}, h('div', { class: 'row', style: { gap: '8px' } }, statusBar(s.counts), h('span', { class: 'small' }, countsText(s.counts)))),
      h('td', { class: 'best-run', style: { whiteSpace: 'normal', maxWidth: '520px' } }, bestCell(s)),
    ),
  );
  main.replaceChildren(
    h('h1', {}, 'Sweeps'),
    h(
      'div',
      { class: 'controls' },
      h('label', {}, 'Best run by', select),
      h('span', { class: 'muted small' }, state.metric ? directionWord(sweeps.find((s) => s.direction)?.direction) : `each sweep’s main metric (${METRIC.mmd} when logged)`),
    ),
    h(
      'div',
      { class: 'card', style: { padding: '0' } },
      h('table', { class: 'data', id: 'sweeps' }, h('thead', {}, h('tr', {}, ['Sweep', 'Description', 'Created', 'Status', 'Runs', 'Best run'].map((t) => h('th', {}, t)))), h('tbody', {}, rows)),
    ),
  );
}

async function load(): Promise<void> {
  state.data = await fetchSweeps(state.metric);
  render(state.data);
}

startPage(main, load, () => state.data?.sweeps.some((s) => s.live) ?? false);
