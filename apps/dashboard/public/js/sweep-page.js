// Sweep page: which objective and which step size did best (summary line + heatmap), the objectives
// side by side (ablation), metric curves, and the runs table (sort, filter, select, CSV).
import { bandChart, lineChart, spreadBarChart } from './charts.js';
import { api, color, directionWord, errorCard, fmt, fmtDuration, fmtTime, h, livePoller, num, paramsShort, setCrumbs, statusBadge, valueLabel } from './util.js';

const main = document.getElementById('main');
const ref = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const query = new URLSearchParams(location.search);

const state = {
  metric: query.get('metric') ?? '',
  summary: null,
  runs: [],
  selected: new Set(),
  sort: { col: 'idx', dir: 1 },
  filter: '',
  status: '',
  allColumns: false,
  heat: { x: null, y: null },
  ablationParam: null,
  curves: { key: null, mode: null, param: null, logY: false },
};

// Sections are built once; each render fills its own.
const el = {
  header: h('section', { id: 'header' }),
  summary: h('section', { class: 'card summary', id: 'summary' }),
  heatmap: h('section', { class: 'card', id: 'heatmap' }),
  ablation: h('section', { class: 'card', id: 'ablation' }),
  curves: h('section', { class: 'card', id: 'curves' }),
  runs: h('section', { class: 'card', id: 'runs' }),
};

const sweepId = () => state.summary.sweep.id;
const paramPaths = () => state.summary.parameters.map((p) => p.path);
const directionOf = (key) => state.summary.directions[key] ?? 'lower';

/** A stable colour per value of a parameter (by its position in the sweep's value list). */
function valueColor(path, key) {
  const p = state.summary.parameters.find((q) => q.path === path);
  const i = p ? p.values.findIndex((v) => v.key === key) : 0;
  return color(Math.max(0, i));
}

function metricSelect(id, value, keys, onchange) {
  return h(
    'select',
    { id, onchange: (e) => onchange(e.target.value) },
    keys.map((k) => h('option', { value: k, selected: k === value }, k)),
  );
}

// ------------------------------------------------------------------ header and summary

function renderHeader() {
  const { sweep, seeds } = state.summary;
  setCrumbs(h('span', {}, sweep.name));
  document.title = `${sweep.name} · Scorelab`;
  const c = sweep.counts;
  el.header.replaceChildren(
    h('h1', {}, sweep.name, statusBadge(sweep.status)),
    sweep.description ? h('p', { class: 'muted', style: { margin: '0 0 4px' } }, sweep.description) : null,
    h(
      'p',
      { class: 'small muted', style: { margin: 0 } },
      `Created ${fmtTime(sweep.createdAt)}`,
      sweep.filePath ? ` from ${sweep.filePath}` : '',
      ` · ${c.total} runs (${['finished', 'failed', 'killed', 'running', 'queued'].filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`).join(', ') || 'none'})`,
      ` · swept: ${paramPaths().join(', ') || 'nothing'} · seeds ${seeds.join(', ')}`,
    ),
  );
}

function renderSummary() {
  const s = state.summary;
  const keys = s.metricKeys.filter((k) => s.directions[k] !== 'none');
  if (!s.metric) {
    el.summary.replaceChildren(h('h2', {}, 'Best run'), h('p', { class: 'muted' }, 'No metrics logged yet.'));
    return;
  }
  const dir = directionWord(s.directions[s.metric]);
  const lines = [];
  const cfg = s.bestConfiguration;
  if (cfg) {
    lines.push(
      h(
        'p',
        { class: 'headline', id: 'best-line' },
        '★ Best configuration: ',
        h('b', {}, Object.entries(cfg.params).map(([k, v]) => `${k} = ${valueLabel(v)}`).join(', ') || 'the only one'),
        ` — ${s.metric} `,
        h('b', {}, fmt(cfg.mean)),
        cfg.n > 1 ? ` (mean of ${cfg.n} seeds, range ${fmt(cfg.min)}–${fmt(cfg.max)})` : '',
        h('span', { class: 'muted' }, ` · ${dir}`),
      ),
    );
  } else {
    lines.push(h('p', { class: 'headline', id: 'best-line' }, `No finished run has a finite ${s.metric} yet.`));
  }
  const perParam = s.marginals.filter((m) => m.best !== null && m.values.length > 1);
  if (perParam.length > 0) {
    // Values of each parameter, best first: "which objective did best, which step size did best".
    const better = (a, b) => (s.directions[s.metric] === 'higher' ? b.mean - a.mean : a.mean - b.mean);
    lines.push(
      h('p', { class: 'small muted', style: { marginBottom: 0 } }, `Each parameter on its own (${s.metric} averaged over the other parameters and the seeds):`),
      h(
        'table',
        { class: 'marginals', id: 'best-per-param' },
        h(
          'tbody',
          {},
          perParam.map((m) =>
            h(
              'tr',
              {},
              h('td', { class: 'path' }, m.path),
              m.values
                .filter((v) => v.mean !== null)
                .sort(better)
                .map((v) => h('td', { class: v.key === m.best ? 'win' : '' }, `${v.key === m.best ? '★ ' : ''}${v.label}  `, h('span', { class: v.key === m.best ? '' : 'muted' }, fmt(v.mean)))),
            ),
          ),
        ),
      ),
    );
  }
  if (s.best) {
    lines.push(
      h('p', {}, 'Best single run: ', h('a', { href: `/runs/${s.best.runId}` }, `run #${s.best.runId}`), ` (${paramsShort(s.best.params, paramPaths())}, seed ${s.best.seed}): `, h('b', {}, fmt(s.best.value))),
    );
  }
  if (s.failedRuns.length > 0) {
    lines.push(
      h(
        'p',
        { class: 'fail' },
        `${s.failedRuns.length} run${s.failedRuns.length > 1 ? 's' : ''} failed: `,
        s.failedRuns.slice(0, 5).map((r, i) => [i > 0 ? '; ' : '', h('a', { href: `/runs/${r.id}` }, `#${r.id}`), ` (${paramsShort(r.params, paramPaths())}, seed ${r.seed}) ${r.error ?? ''}`]),
        s.failedRuns.length > 5 ? ` … and ${s.failedRuns.length - 5} more` : '',
      ),
    );
  }
  el.summary.replaceChildren(
    h(
      'div',
      { class: 'controls', style: { marginTop: 0 } },
      h('h2', { style: { margin: 0 } }, 'Which did best?'),
      h('label', {}, 'judged by', metricSelect('metric', s.metric, keys, (v) => {
        state.metric = v;
        history.replaceState(null, '', `?metric=${encodeURIComponent(v)}`);
        void refresh();
      })),
      h('span', { class: 'muted small' }, `final values of finished runs; ${dir}`),
    ),
    ...lines,
  );
}

// ------------------------------------------------------------------ heatmap

/** Colour of a cell: t = 0 best .. 1 worst, from a saturated green-teal to a pale yellow. */
function heatColor(t) {
  const stops = [
    [0, [26, 128, 96]],
    [0.5, [134, 196, 150]],
    [1, [250, 240, 200]],
  ];
  let k = 0;
  while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
  const [t0, c0] = stops[k];
  const [t1, c1] = stops[k + 1];
  const f = Math.min(1, Math.max(0, (t - t0) / (t1 - t0)));
  const c = c0.map((v, i) => Math.round(v + f * (c1[i] - v)));
  return { bg: `rgb(${c.join(',')})`, ink: t < 0.35 ? '#fff' : '#1d2330' };
}

async function renderHeatmap() {
  const s = state.summary;
  const params = new URLSearchParams({ metric: s.metric ?? '' });
  if (!s.metric) params.delete('metric');
  if (state.heat.x) params.set('x', state.heat.x);
  if (state.heat.y !== null) params.set('y', state.heat.y);
  const hm = await api(`/api/sweeps/${sweepId()}/heatmap?${params}`);
  if (!hm.available) {
    el.heatmap.replaceChildren(h('h2', {}, 'Heatmap'), h('p', { class: 'muted' }, `Not available: ${hm.reason}.`));
    return;
  }
  state.heat.x = hm.x.path;
  state.heat.y = hm.y ? hm.y.path : '';
  const paths = paramPaths();
  const finite = hm.cells.flat().filter((c) => c.mean !== null).map((c) => c.mean);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  // Values spanning more than a factor 20 (all positive) are coloured on a log scale.
  const useLog = lo > 0 && hi / lo > 20;
  const tOf = (v) => {
    if (hi === lo) return 0;
    const f = useLog ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
    return hm.direction === 'higher' ? 1 - f : f;
  };
  const rows = hm.cells.map((cols, r) =>
    h(
      'tr',
      {},
      h('th', { class: 'axis' }, hm.y ? hm.y.values[r].label : ''),
      cols.map((cell, c) => {
        const isBest = hm.best && hm.best.row === r && hm.best.col === c;
        const extra = [];
        if (cell.n > 1) extra.push(`${fmt(cell.min)}–${fmt(cell.max)} · n=${cell.n}`);
        else if (cell.n === 1) extra.push('n=1');
        if (cell.nonfinite > 0) extra.push(`${cell.nonfinite} diverged`);
        for (const [status, n] of Object.entries(cell.notFinished)) if (n > 0) extra.push(`${n} ${status}`);
        if (cell.mean === null) {
          return h('td', { class: 'empty', title: 'no finished run with a finite value' }, h('span', { class: 'v' }, cell.nonfinite > 0 ? 'NaN' : '—'), h('span', { class: 's' }, extra.join(' · ')));
        }
        const { bg, ink } = heatColor(tOf(cell.mean));
        return h(
          'td',
          {
            class: isBest ? 'best' : '',
            style: { background: bg, color: ink },
            title: `runs ${cell.runIds.map((id) => `#${id}`).join(', ')} — click to compare their curves`,
            onclick: () => selectRuns(cell.runIds),
          },
          h('span', { class: 'v' }, `${isBest ? '★ ' : ''}${fmt(cell.mean)}`),
          h('span', { class: 's' }, extra.join(' · ')),
        );
      }),
    ),
  );
  const axisSelect = (id, value, allowNone, onchange) =>
    h(
      'select',
      { id, onchange: (e) => onchange(e.target.value) },
      allowNone ? h('option', { value: '', selected: value === '' }, '(none)') : null,
      paths.map((p) => h('option', { value: p, selected: p === value }, p)),
    );
  const ramp = h('span', { class: 'ramp', style: { background: `linear-gradient(90deg, ${heatColor(0).bg}, ${heatColor(0.5).bg}, ${heatColor(1).bg})` } });
  el.heatmap.replaceChildren(
    h('h2', {}, `${hm.metric} by ${hm.y ? `${hm.y.path} × ` : ''}${hm.x.path}`),
    h('p', { class: 'hint' }, `Mean over seeds${hm.pooled.length ? ` and ${hm.pooled.join(', ')}` : ''} of the final value (finished runs). ★ = best cell (${directionWord(hm.direction)}). Click a cell to compare its runs' curves.`),
    h(
      'div',
      { class: 'controls' },
      h('label', {}, 'rows', axisSelect('heat-y', state.heat.y, true, (v) => { state.heat.y = v; if (v === state.heat.x) state.heat.x = paths.find((p) => p !== v); void renderHeatmap(); })),
      h('label', {}, 'columns', axisSelect('heat-x', state.heat.x, false, (v) => { state.heat.x = v; if (v === state.heat.y) state.heat.y = paths.find((p) => p !== v) ?? ''; void renderHeatmap(); })),
    ),
    h(
      'table',
      { class: 'heatmap', id: 'heatmap-table' },
      h('thead', {}, h('tr', {}, h('th', { class: 'muted small' }, hm.y ? `${hm.y.path} ↓  ${hm.x.path} →` : `${hm.x.path} →`), hm.x.values.map((v) => h('th', { class: 'axis' }, v.label)))),
      h('tbody', {}, rows),
    ),
    h('div', { class: 'legendbar' }, 'best', ramp, 'worst', useLog ? ' (log scale)' : '', ` · ${fmt(hm.direction === 'higher' ? hi : lo)} … ${fmt(hm.direction === 'higher' ? lo : hi)}`),
  );
}

// ------------------------------------------------------------------ ablation

const charts = new Map();
function canvasFor(container, id, cls = 'chartbox') {
  let box = charts.get(id);
  if (!box) {
    box = h('div', { class: cls }, h('canvas', { id }));
    charts.set(id, box);
  }
  container.append(box);
  return box.firstChild;
}

async function renderAblation() {
  const paths = paramPaths();
  const p = state.ablationParam ?? (paths.includes('loss.kind') ? 'loss.kind' : paths[0]);
  if (!p) {
    el.ablation.replaceChildren(h('h2', {}, 'Ablation'), h('p', { class: 'muted' }, 'Nothing was swept.'));
    return;
  }
  const ab = await api(`/api/sweeps/${sweepId()}/ablation?param=${encodeURIComponent(p)}`);
  state.ablationParam = ab.param;
  const grid = h('div', { class: 'grid3', id: 'ablation-charts' });
  const select = h(
    'select',
    { id: 'ablation-param', onchange: (e) => { state.ablationParam = e.target.value; void renderAblation(); } },
    paths.map((q) => h('option', { value: q, selected: q === ab.param }, q)),
  );
  el.ablation.replaceChildren(
    h('h2', {}, ab.param === 'loss.kind' ? 'Objectives side by side: SM vs SSM(-VR) vs DSM' : `Side by side by ${ab.param}`),
    h('p', { class: 'hint' }, `Final metrics of finished runs grouped by ${ab.param}${ab.pooled.length ? ` (pooled over ${ab.pooled.join(', ')} and seeds)` : ' (pooled over seeds)'}: bar = mean, whiskers = min–max, dots = single runs. ★ marks the best group; the last chart is the time per training step.`),
    h('div', { class: 'controls' }, h('label', {}, 'group by', select)),
    grid,
  );
  const groupColor = (g) => valueColor(ab.param, g.key);
  if (ab.metrics.length === 0 && !ab.groups.some((g) => g.msPerStep.n > 0)) {
    grid.replaceWith(h('p', { class: 'muted' }, 'No finished run has eval/fisher, eval/nll, sample/* or perf/steps_per_sec yet.'));
    return;
  }
  for (const m of ab.metrics) {
    const canvas = canvasFor(grid, `ablation-${m}`, 'chartbox short');
    spreadBarChart(
      canvas,
      ab.groups.map((g) => ({ label: g.label, ...g.metrics[m], color: groupColor(g), best: ab.best[m] === g.key })),
      { title: `${m} (${directionWord(ab.directions[m])})` },
    );
  }
  if (ab.groups.some((g) => g.msPerStep.n > 0)) {
    const canvas = canvasFor(grid, 'ablation-msPerStep', 'chartbox short');
    spreadBarChart(
      canvas,
      ab.groups.map((g) => ({ label: g.label, ...g.msPerStep, color: groupColor(g), best: ab.best.msPerStep === g.key })),
      { title: 'ms per training step (from perf/steps_per_sec; lower is better)', yLabel: 'ms / step' },
    );
  }
}

// ------------------------------------------------------------------ curves

function selectRuns(ids) {
  state.selected = new Set(ids);
  state.curves.mode = 'selected';
  renderRunsTable();
  void renderCurves();
  el.curves.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

async function renderCurves() {
  const s = state.summary;
  const keys = s.metricKeys;
  if (keys.length === 0) {
    el.curves.replaceChildren(h('h2', {}, 'Curves'), h('p', { class: 'muted' }, 'No metrics logged yet.'));
    return;
  }
  const c = state.curves;
  // One line per configuration is readable up to a dozen; beyond that, group by one parameter.
  if (c.mode === null) c.mode = new Set(state.runs.map((r) => JSON.stringify(r.params))).size <= 12 || paramPaths().length === 0 ? 'config' : 'param';
  if (!c.key || !keys.includes(c.key)) c.key = keys.includes('train/loss') ? 'train/loss' : keys[0];
  const paths = paramPaths();
  if (!c.param || !paths.includes(c.param)) c.param = paths.includes('loss.kind') ? 'loss.kind' : paths[0] ?? null;
  const modeSelect = h(
    'select',
    { id: 'curve-mode', onchange: (e) => { c.mode = e.target.value; void renderCurves(); } },
    [
      ['config', 'each configuration: mean and min–max over seeds'],
      ...(paths.length ? [['param', 'grouped by one parameter']] : []),
      ['selected', `selected runs (${state.selected.size})`],
    ].map(([v, t]) => h('option', { value: v, selected: v === c.mode }, t)),
  );
  const controls = h(
    'div',
    { class: 'controls' },
    h('label', {}, 'metric', metricSelect('curve-key', c.key, keys, (v) => { c.key = v; void renderCurves(); })),
    h('label', {}, 'show', modeSelect),
    c.mode === 'param'
      ? h('label', {}, 'parameter', h('select', { id: 'curve-param', onchange: (e) => { c.param = e.target.value; void renderCurves(); } }, paths.map((p) => h('option', { value: p, selected: p === c.param }, p))))
      : null,
    h('label', {}, h('input', { type: 'checkbox', id: 'curve-logy', checked: c.logY, onchange: (e) => { c.logY = e.target.checked; void renderCurves(); } }), 'log y'),
  );
  const box = canvasFor(h('div'), 'curves-chart', 'chartbox tall');
  const note = h('p', { class: 'hint', id: 'curves-note' });
  el.curves.replaceChildren(h('h2', {}, 'Curves'), controls, box.parentElement, note);
  const base = `/api/sweeps/${sweepId()}/curves?key=${encodeURIComponent(c.key)}&maxPoints=400`;
  if (c.mode === 'selected') {
    if (state.selected.size === 0) {
      note.textContent = 'Select runs in the table below (or click a heatmap cell) to compare their curves.';
      lineChart(box, [], { yLabel: c.key });
      return;
    }
    const data = await api(`${base}&runs=${[...state.selected].join(',')}`);
    const byIdx = [...state.runs].sort((a, b) => a.idx - b.idx).map((r) => r.id);
    lineChart(
      box,
      data.series.map((sr) => ({ label: `#${sr.runId} ${paramsShort(sr.params, paths)} · seed ${sr.seed}`, points: sr.points, color: color(byIdx.indexOf(sr.runId)) })),
      { yLabel: c.key, logY: c.logY },
    );
    note.textContent = `${data.series.length} runs; ${data.series.some((sr) => sr.downsampled) ? 'long series downsampled (LTTB) to 400 points' : 'every logged point'}.`;
    return;
  }
  const groupBy = c.mode === 'config' ? '@config' : c.param;
  const data = await api(`${base}&groupBy=${encodeURIComponent(groupBy)}`);
  bandChart(
    box,
    data.groups.map((g, i) => ({ label: `${g.label} (n=${g.runIds.length})`, points: g.points, color: c.mode === 'param' ? valueColor(c.param, valueKeyOf(g.params[c.param])) : color(i) })),
    { yLabel: c.key, logY: c.logY },
  );
  note.textContent = `Line = mean over the ${c.mode === 'config' ? 'seeds' : `runs with each ${c.param}`}, band = min–max; every run of the sweep that logged ${c.key}.`;
}

function valueKeyOf(v) {
  return JSON.stringify(v);
}

// ------------------------------------------------------------------ runs table

function metricColumns() {
  const keys = state.summary.metricKeys;
  if (state.allColumns) return keys;
  const main = ['sample/mmd', 'sample/swd', 'sample/mode_weight_tv', 'eval/nll', 'eval/fisher', 'perf/nfe', 'train/loss', 'perf/steps_per_sec'];
  return keys.filter((k) => main.includes(k));
}

function columns() {
  const paths = paramPaths();
  return [
    { id: 'idx', label: 'Run', get: (r) => r.idx, cell: (r) => h('a', { href: `/runs/${r.id}` }, `#${r.id}`) },
    { id: 'status', label: 'Status', get: (r) => r.status, cell: (r) => [statusBadge(r.status), r.status === 'running' && r.totalSteps ? h('span', { class: 'progress', style: { marginLeft: '6px' } }, h('span', { style: { width: `${(100 * (r.currentStep ?? 0)) / r.totalSteps}%` } })) : null] },
    ...paths.map((p) => ({ id: `param:${p}`, label: p, get: (r) => r.params[p], cell: (r) => valueLabel(r.params[p]) })),
    { id: 'seed', label: 'seed', num: true, get: (r) => r.seed, cell: (r) => String(r.seed) },
    { id: 'duration', label: 'duration', num: true, get: (r) => r.durationMs, cell: (r) => fmtDuration(r.durationMs) },
    ...metricColumns().map((k) => ({ id: `m:${k}`, label: k, num: true, get: (r) => num(r.latest[k]), cell: (r) => fmt(r.latest[k]) })),
    { id: 'error', label: 'error', get: (r) => r.error ?? '', cell: (r) => (r.error ? h('span', { title: r.error }, r.error) : ''), cls: 'err' },
  ];
}

function compareValues(a, b) {
  // Missing and NaN values sort last whatever the direction.
  const missing = (v) => v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v));
  if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(valueLabel(a)).localeCompare(String(valueLabel(b)), undefined, { numeric: true });
}

function visibleRuns() {
  const tokens = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const cols = columns();
  const col = cols.find((c) => c.id === state.sort.col) ?? cols[0];
  return state.runs
    .filter((r) => !state.status || r.status === state.status)
    .filter((r) => {
      if (tokens.length === 0) return true;
      const text = `#${r.id} ${r.status} seed ${r.seed} ${Object.entries(r.params).map(([k, v]) => `${k}=${valueLabel(v)} ${valueLabel(v)}`).join(' ')}`.toLowerCase();
      return tokens.every((t) => text.includes(t));
    })
    .sort((a, b) => {
      const c = compareValues(col.get(a), col.get(b));
      const missing = (v) => v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v));
      // Keep missing last in both directions.
      if (missing(col.get(a)) !== missing(col.get(b))) return c;
      return c * state.sort.dir || a.idx - b.idx;
    });
}

function renderRunsTable() {
  const cols = columns();
  const rows = visibleRuns();
  const bestId = state.summary.best?.runId;
  const allSelected = rows.length > 0 && rows.every((r) => state.selected.has(r.id));
  const head = h(
    'tr',
    {},
    h('th', {}, h('input', { type: 'checkbox', title: 'select all shown', checked: allSelected, onchange: (e) => { rows.forEach((r) => (e.target.checked ? state.selected.add(r.id) : state.selected.delete(r.id))); afterSelection(); } })),
    cols.map((c) =>
      h(
        'th',
        {
          class: `sortable${c.num ? ' num' : ''}`,
          title: 'sort',
          onclick: () => {
            state.sort = { col: c.id, dir: state.sort.col === c.id ? -state.sort.dir : 1 };
            renderRunsTable();
          },
        },
        c.label,
        state.sort.col === c.id ? (state.sort.dir > 0 ? ' ▲' : ' ▼') : '',
      ),
    ),
  );
  const body = rows.map((r) =>
    h(
      'tr',
      { class: [state.selected.has(r.id) ? 'selected' : '', r.id === bestId ? 'best' : ''].join(' '), dataset: { runId: String(r.id) } },
      h('td', {}, h('input', { type: 'checkbox', class: 'select-run', checked: state.selected.has(r.id), onchange: (e) => { e.target.checked ? state.selected.add(r.id) : state.selected.delete(r.id); afterSelection(); } })),
      cols.map((c) => h('td', { class: [c.num ? 'num' : '', c.cls ?? ''].join(' ') }, c.cell(r), c.id === 'idx' && r.id === bestId ? ' ★' : '')),
    ),
  );
  const filtered = rows.length !== state.runs.length;
  const csv = `/api/sweeps/${sweepId()}/runs.csv${filtered ? `?ids=${rows.map((r) => r.id).join(',')}` : ''}`;
  const table = el.runs.querySelector('#runs-table');
  const newTable = h('table', { class: 'data', id: 'runs-table' }, h('thead', {}, head), h('tbody', {}, body));
  if (table) {
    table.replaceWith(newTable);
    el.runs.querySelector('#runs-count').textContent = countText(rows.length);
    el.runs.querySelector('#csv').href = csv;
    el.runs.querySelector('#compare').textContent = `Compare ${state.selected.size} selected`;
    return;
  }
  el.runs.replaceChildren(
    h('h2', {}, 'Runs'),
    h(
      'div',
      { class: 'controls' },
      h('input', { type: 'search', id: 'filter', placeholder: 'filter, e.g. dsm 0.1', value: state.filter, oninput: (e) => { state.filter = e.target.value; renderRunsTable(); } }),
      h(
        'select',
        { id: 'status-filter', onchange: (e) => { state.status = e.target.value; renderRunsTable(); } },
        ['', 'finished', 'failed', 'running', 'queued', 'killed'].map((s) => h('option', { value: s, selected: s === state.status }, s || 'any status')),
      ),
      h('label', {}, h('input', { type: 'checkbox', id: 'all-columns', checked: state.allColumns, onchange: (e) => { state.allColumns = e.target.checked; el.runs.replaceChildren(); renderRunsTable(); } }), 'all metric columns'),
      h('button', { id: 'compare', onclick: () => selectRuns([...state.selected]) }, `Compare ${state.selected.size} selected`),
      h('button', { onclick: () => { state.selected.clear(); afterSelection(); } }, 'Clear selection'),
      h('a', { class: 'button', id: 'csv', href: csv, download: '' }, 'Download CSV'),
      h('span', { class: 'muted small', id: 'runs-count' }, countText(rows.length)),
    ),
    h('div', { class: 'scroll' }, newTable),
  );
}

function countText(shown) {
  return `${shown} of ${state.runs.length} runs shown · final (latest) metric values · ★ best run`;
}

function afterSelection() {
  renderRunsTable();
  if (state.curves.mode === 'selected') void renderCurves();
  else {
    const opt = el.curves.querySelector('#curve-mode option[value=selected]');
    if (opt) opt.textContent = `selected runs (${state.selected.size})`;
  }
}

// ------------------------------------------------------------------ loading and live updates

async function refresh() {
  const q = state.metric ? `?metric=${encodeURIComponent(state.metric)}` : '';
  const [summary, runs] = await Promise.all([api(`/api/sweeps/${encodeURIComponent(ref)}${q}`), api(`/api/sweeps/${encodeURIComponent(ref)}/runs`)]);
  state.summary = summary;
  state.metric = summary.metric ?? '';
  state.runs = runs.runs;
  renderHeader();
  renderSummary();
  renderRunsTable();
  await Promise.all([renderHeatmap(), renderAblation(), renderCurves()]);
}

main.replaceChildren(el.header, el.summary, el.heatmap, el.ablation, el.curves, el.runs);
const poller = livePoller(refresh, () => state.summary?.sweep.live ?? false);
refresh().then(
  () => {
    document.body.dataset.ready = '1';
    poller.schedule();
  },
  (e) => main.replaceChildren(errorCard(e.message)),
);
