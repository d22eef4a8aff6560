// Sweeps list: name, description, when, runs by status, and the best run by a chosen metric.
import { api, directionWord, errorCard, fmt, fmtTime, h, livePoller, paramsShort, statusBadge } from './util.js';

const main = document.getElementById('main');
const state = { metric: new URLSearchParams(location.search).get('metric') ?? '', data: null };

function statusBar(counts) {
  const parts = ['finished', 'failed', 'killed', 'running'].filter((s) => counts[s] > 0);
  return h(
    'div',
    { class: 'statusbar', title: Object.entries(counts).filter(([k, v]) => k !== 'total' && v > 0).map(([k, v]) => `${v} ${k}`).join(', ') },
    parts.map((s) => h('span', { class: s, style: { width: `${(100 * counts[s]) / Math.max(1, counts.total)}%` } })),
  );
}

function countsText(counts) {
  const parts = ['finished', 'failed', 'killed', 'running', 'queued'].filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return `${counts.total} runs${parts.length ? ': ' + parts.join(', ') : ''}`;
}

function render() {
  const { sweeps } = state.data;
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
    { id: 'metric', onchange: (e) => { state.metric = e.target.value; history.replaceState(null, '', state.metric ? `?metric=${encodeURIComponent(state.metric)}` : '/'); void load(); } },
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
    h('div', { class: 'controls' }, h('label', {}, 'Best run by', select), h('span', { class: 'muted small' }, state.metric ? directionWord(state.data.sweeps.find((s) => s.direction)?.direction) : 'each sweep’s main metric (sample/mmd when logged)')),
    h(
      'div',
      { class: 'card', style: { padding: '0' } },
      h('table', { class: 'data', id: 'sweeps' }, h('thead', {}, h('tr', {}, ['Sweep', 'Description', 'Created', 'Status', 'Runs', 'Best run'].map((t) => h('th', {}, t)))), h('tbody', {}, rows)),
    ),
  );
}

async function load() {
  state.data = await api(`/api/sweeps${state.metric ? `?metric=${encodeURIComponent(state.metric)}` : ''}`);
  render();
}

const poller = livePoller(load, () => state.data?.sweeps.some((s) => s.live) ?? false);
load().then(
  () => {
    document.body.dataset.ready = '1';
    poller.schedule();
  },
  (e) => main.replaceChildren(errorCard(e.message)),
);
