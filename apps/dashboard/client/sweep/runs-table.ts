// The runs table: swept values, seed, status, duration and final metrics; sort by any column
// (missing values last), filter by words and status, select runs to compare, download as CSV.
import { METRIC, parameterValueLabel, referenceKey } from '@scorelab/config';
import type { RunRow } from '../../src/api-types';
import { runsCsvUrl } from '../api';
import { crowned, extremeWord } from '../best-run';
import { h, type Child } from '../dom';
import { fmt, fmtDuration, num } from '../format';
import { statusBadge } from '../ui';
import { paramPaths, type SweepPage } from './context';

/** Metric columns shown unless "all metric columns" is ticked. */
const MAIN_COLUMNS: readonly string[] = [METRIC.mmd, METRIC.swd, METRIC.modeWeightTv, METRIC.nll, METRIC.fisher, METRIC.nfe, METRIC.trainLoss, METRIC.stepsPerSec];

interface Column {
  id: string;
  label: string;
  num?: boolean;
  cls?: string;
  /** The value sorted by. */
  get(r: RunRow): unknown;
  cell(r: RunRow): Child;
}

/** Each sample/<name> followed by its floor ref/<name> (and sample/mmd by sample/mmd_p), when logged. */
function withFloors(page: SweepPage, shown: readonly string[]): string[] {
  const logged = new Set(page.summary.metricKeys);
  const beside = (k: string) => [referenceKey(k), k === METRIC.mmd ? METRIC.mmdP : null].filter((x): x is string => x !== null && logged.has(x));
  const placed = new Set(shown.flatMap((k) => (shown.includes(k) ? beside(k) : [])));
  return shown.filter((k) => !placed.has(k)).flatMap((k) => [k, ...beside(k)]);
}

/** "mmd (ref)" for ref/mmd: the floor beside its metric. */
function columnLabel(k: string): string {
  return k.startsWith(METRIC.refPrefix) ? `${k.slice(METRIC.refPrefix.length)} (ref)` : k;
}

/** sample/mmd_p >= 0.05: "≈ data" (not distinguishable from data at 5%). */
function metricCell(r: RunRow, k: string): Child {
  const v = num(r.latest[k]);
  if (k === METRIC.mmdP && v !== undefined && v >= 0.05) return h('span', { class: 'from-data', title: 'permutation test: not distinguishable from data at 5%' }, `${fmt(r.latest[k])} ≈ data`);
  return fmt(r.latest[k]);
}

function metricColumns(page: SweepPage): string[] {
  const keys = page.summary.metricKeys;
  return page.state.allColumns ? keys : keys.filter((k) => MAIN_COLUMNS.includes(k));
}

function columns(page: SweepPage): Column[] {
  return [
    { id: 'idx', label: 'Run', get: (r) => r.idx, cell: (r) => h('a', { href: `/runs/${r.id}` }, `#${r.id}`) },
    {
      id: 'status',
      label: 'Status',
      get: (r) => r.status,
      cell: (r) => [
        statusBadge(r.status),
        r.status === 'running' && r.totalSteps ? h('span', { class: 'progress', style: { marginLeft: '6px' } }, h('span', { style: { width: `${(100 * (r.currentStep ?? 0)) / r.totalSteps}%` } })) : null,
      ],
    },
    ...paramPaths(page).map((p): Column => ({ id: `param:${p}`, label: p, get: (r) => r.params[p], cell: (r) => parameterValueLabel(r.params[p]) })),
    { id: 'seed', label: 'seed', num: true, get: (r) => r.seed, cell: (r) => String(r.seed) },
    // The run that trained the model this run sampled; "×N": N runs of the sweep share that model.
    ...(page.runs.some((r) => r.model)
      ? [
          {
            id: 'model',
            label: 'model',
            get: (r: RunRow) => r.model?.sourceRunId,
            cell: (r: RunRow) =>
              r.model
                ? h(
                    'span',
                    { class: r.sharedWith.length ? 'shared-model' : '', title: `model #${r.model.id}, trained by run #${r.model.sourceRunId} (step ${r.model.step})${r.sharedWith.length ? `; shared with runs ${r.sharedWith.map((id) => `#${id}`).join(', ')}` : ''}` },
                    h('a', { href: `/runs/${r.model.sourceRunId}` }, `#${r.model.sourceRunId}`),
                    r.sharedWith.length ? ` ×${r.sharedWith.length + 1}` : '',
                  )
                : '',
          },
        ]
      : []),
    { id: 'duration', label: 'duration', num: true, get: (r) => r.durationMs, cell: (r) => fmtDuration(r.durationMs) },
    ...withFloors(page, metricColumns(page)).map((k): Column => ({ id: `m:${k}`, label: columnLabel(k), num: true, get: (r) => num(r.latest[k]), cell: (r) => metricCell(r, k) })),
    { id: 'error', label: 'error', get: (r) => r.error ?? '', cell: (r) => (r.error ? h('span', { title: r.error }, r.error) : ''), cls: 'err' },
  ];
}

const missing = (v: unknown) => v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v));

function compareValues(a: unknown, b: unknown): number {
  // Missing and NaN values sort last whatever the direction.
  if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return parameterValueLabel(a).localeCompare(parameterValueLabel(b), undefined, { numeric: true });
}

function visibleRuns(page: SweepPage, cols: readonly Column[]): RunRow[] {
  const { state } = page;
  const tokens = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const col = cols.find((c) => c.id === state.sort.col) ?? cols[0];
  return page.runs
    .filter((r) => !state.status || r.status === state.status)
    .filter((r) => {
      if (tokens.length === 0) return true;
      const text = `#${r.id} ${r.status} seed ${r.seed} ${Object.entries(r.params).map(([k, v]) => `${k}=${parameterValueLabel(v)} ${parameterValueLabel(v)}`).join(' ')}`.toLowerCase();
      return tokens.every((t) => text.includes(t));
    })
    .sort((a, b) => {
      const c = compareValues(col.get(a), col.get(b));
      // Keep missing last in both directions.
      if (missing(col.get(a)) !== missing(col.get(b))) return c;
      return c * state.sort.dir || a.idx - b.idx;
    });
}

/** ★ on the best run when it is distinguishable; else ≈ on every run not distinguishable from the lowest. */
function bestMarks(page: SweepPage): Map<number, string> {
  const best = page.summary.best;
  if (!best) return new Map();
  if (crowned(best)) return new Map([[best.runId, '★']]);
  return new Map((best.verdict?.tiedRunIds ?? [best.runId]).map((id) => [id, '≈']));
}

function countText(page: SweepPage, shown: number): string {
  const best = page.summary.best;
  const n = best?.verdict?.tiedRunIds.length ?? 1;
  const legend = !best
    ? ''
    : crowned(best)
      ? ` · ★ best run by ${best.metric}`
      : ` · no best run by ${best.metric}: ≈ marks the ${extremeWord(best)} and the ${n - 1} run${n === 2 ? '' : 's'} not distinguishable from it${best.verdict?.fromData ? ' (it is indistinguishable from data)' : ''}`;
  return `${shown} of ${page.runs.length} runs shown · final (latest) metric values${legend}`;
}

/** The controls above the table, built once (and again after "all metric columns" changes). */
interface Controls {
  count: HTMLElement;
  csv: HTMLAnchorElement;
  compare: HTMLButtonElement;
}
const controlsOf = new WeakMap<HTMLElement, Controls>();

export function renderRunsTable(page: SweepPage): void {
  const { state } = page;
  const section = page.sections.runs;
  const cols = columns(page);
  const rows = visibleRuns(page, cols);
  const marks = bestMarks(page);
  const allSelected = rows.length > 0 && rows.every((r) => state.selected.has(r.id));
  const head = h(
    'tr',
    {},
    h(
      'th',
      {},
      h('input', {
        type: 'checkbox',
        title: 'select all shown',
        checked: allSelected,
        onchange: (e) => {
          const on = e.currentTarget.checked;
          rows.forEach((r) => (on ? state.selected.add(r.id) : state.selected.delete(r.id)));
          page.selectionChanged();
        },
      }),
    ),
    cols.map((c) =>
      h(
        'th',
        {
          class: `sortable${c.num ? ' num' : ''}`,
          title: 'sort',
          onclick: () => {
            state.sort = { col: c.id, dir: state.sort.col === c.id && state.sort.dir === 1 ? -1 : 1 };
            renderRunsTable(page);
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
      { class: [state.selected.has(r.id) ? 'selected' : '', marks.get(r.id) === '★' ? 'best' : marks.has(r.id) ? 'tied' : ''].join(' '), dataset: { runId: String(r.id) } },
      h(
        'td',
        {},
        h('input', {
          type: 'checkbox',
          class: 'select-run',
          checked: state.selected.has(r.id),
          onchange: (e) => {
            if (e.currentTarget.checked) state.selected.add(r.id);
            else state.selected.delete(r.id);
            page.selectionChanged();
          },
        }),
      ),
      cols.map((c) => h('td', { class: [c.num ? 'num' : '', c.cls ?? ''].join(' ') }, c.cell(r), c.id === 'idx' && marks.has(r.id) ? ` ${marks.get(r.id)}` : '')),
    ),
  );
  const filtered = rows.length !== page.runs.length;
  const csv = runsCsvUrl(page.summary.sweep.id, filtered ? rows.map((r) => r.id) : null);
  const table = h('table', { class: 'data', id: 'runs-table' }, h('thead', {}, head), h('tbody', {}, body));
  const old = section.querySelector('#runs-table');
  const controls = controlsOf.get(section);
  if (old && controls) {
    old.replaceWith(table);
    controls.count.textContent = countText(page, rows.length);
    controls.csv.href = csv;
    controls.compare.textContent = `Compare ${state.selected.size} selected`;
    return;
  }
  const fresh: Controls = {
    count: h('span', { class: 'muted small', id: 'runs-count' }, countText(page, rows.length)),
    csv: h('a', { class: 'button', id: 'csv', href: csv, download: '' }, 'Download CSV'),
    compare: h('button', { id: 'compare', onclick: () => page.selectRuns([...state.selected]) }, `Compare ${state.selected.size} selected`),
  };
  controlsOf.set(section, fresh);
  section.replaceChildren(
    h('h2', {}, 'Runs'),
    h(
      'div',
      { class: 'controls' },
      h('input', {
        type: 'search',
        id: 'filter',
        placeholder: 'filter, e.g. dsm 0.1',
        value: state.filter,
        oninput: (e) => {
          state.filter = e.currentTarget.value;
          renderRunsTable(page);
        },
      }),
      h(
        'select',
        {
          id: 'status-filter',
          onchange: (e) => {
            state.status = e.currentTarget.value;
            renderRunsTable(page);
          },
        },
        ['', 'finished', 'failed', 'running', 'queued', 'killed'].map((s) => h('option', { value: s, selected: s === state.status }, s || 'any status')),
      ),
      h(
        'label',
        {},
        h('input', {
          type: 'checkbox',
          id: 'all-columns',
          checked: state.allColumns,
          onchange: (e) => {
            state.allColumns = e.currentTarget.checked;
            section.replaceChildren();
            renderRunsTable(page);
          },
        }),
        'all metric columns',
      ),
      fresh.compare,
      h(
        'button',
        {
          onclick: () => {
            state.selected.clear();
            page.selectionChanged();
          },
        },
        'Clear selection',
      ),
      fresh.csv,
      fresh.count,
    ),
    h('div', { class: 'scroll' }, table),
  );
}
