// Sweeps list (/): name, description, when, runs by status, and the best run by a chosen metric.
import { METRIC } from '@scorelab/config';
import type { StatusCounts, SweepList } from '../../src/api-types';
import { fetchSweeps } from '../api';
import { byId, h } from '../dom';
import { directionWord, fmt, fmtTime, paramsShort } from '../format';
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

function render(data: SweepList): void {
  const { sweeps } = data;
  if (sweeps.length === 0) {
    main.replaceChildren(
      h('h1', {}, 'Sweeps'),
      h('div', { class: 'card notice' }, 'This store has no sweeps yet. Start one with ', h('code', {}, 'npx nx run runner:sweep'), '; this page updates itself while it runs.'),
    );
    return;
  }
  const allKeys = [...new Set(sweeps.flatMap((s) => s.metricKeys))];
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
      h(
        'td',
        {},
        s.best
          ? h('span', {}, h('a', { href: `/runs/${s.best.runId}` }, `run #${s.best.runId}`), ` · ${paramsShort(s.best.params)} · seed ${s.best.seed} · `, h('b', {}, fmt(s.best.value)), h('span', { class: 'muted small' }, ` ${s.metric}`))
          : h('span', { class: 'muted' }, s.metric ? `no finished run has ${s.metric}` : 'no metrics yet'),
      ),
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
