// Curves of any logged key against the step: one mean line with a min–max band over seeds per
// configuration, grouped by one parameter, or the runs selected in the table (or a heatmap cell).
import { METRIC } from '@scorelab/config';
import { fetchGroupedCurves, fetchRunCurves } from '../api';
import { bandChart, lineChart } from '../charts';
import { color } from '../colors';
import { h } from '../dom';
import { paramsShort } from '../format';
import { metricSelect, paramPaths, valueColor, type CurveMode, type SweepPage } from './context';

const MAX_POINTS = 400;

/** Parameter values are JSON; equal values have equal keys (the server's value keys). */
const valueKeyOf = (v: unknown) => JSON.stringify(v);

const isCurveMode = (v: string): v is CurveMode => v === 'config' || v === 'param' || v === 'selected';

export async function renderCurves(page: SweepPage): Promise<void> {
  const section = page.sections.curves;
  const keys = page.summary.metricKeys;
  if (keys.length === 0) {
    section.replaceChildren(h('h2', {}, 'Curves'), h('p', { class: 'muted' }, 'No metrics logged yet.'));
    return;
  }
  const { selected } = page.state;
  const c = page.state.curves;
  const paths = paramPaths(page);
  // One line per configuration is readable up to a dozen; beyond that, group by one parameter.
  if (c.mode === null) c.mode = new Set(page.runs.map((r) => JSON.stringify(r.params))).size <= 12 || paths.length === 0 ? 'config' : 'param';
  if (!c.key || !keys.includes(c.key)) c.key = keys.includes(METRIC.trainLoss) ? METRIC.trainLoss : keys[0];
  if (!c.param || !paths.includes(c.param)) c.param = paths.includes('loss.kind') ? 'loss.kind' : (paths[0] ?? null);
  const key = c.key;
  const modes: [CurveMode, string][] = [
    ['config', 'each configuration: mean and min–max over seeds'],
    ...(paths.length ? [['param', 'grouped by one parameter'] as [CurveMode, string]] : []),
    ['selected', `selected runs (${selected.size})`],
  ];
  const modeSelect = h(
    'select',
    {
      id: 'curve-mode',
      onchange: (e) => {
        const v = e.currentTarget.value;
        if (isCurveMode(v)) c.mode = v;
        void renderCurves(page);
      },
    },
    modes.map(([v, t]) => h('option', { value: v, selected: v === c.mode }, t)),
  );
  const controls = h(
    'div',
    { class: 'controls' },
    h(
      'label',
      {},
      'metric',
      metricSelect('curve-key', key, keys, (v) => {
        c.key = v;
        void renderCurves(page);
      }),
    ),
    h('label', {}, 'show', modeSelect),
    c.mode === 'param'
      ? h(
          'label',
          {},
          'parameter',
          h(
            'select',
            {
              id: 'curve-param',
              onchange: (e) => {
                c.param = e.currentTarget.value;
                void renderCurves(page);
              },
            },
            paths.map((p) => h('option', { value: p, selected: p === c.param }, p)),
          ),
        )
      : null,
    h(
      'label',
      {},
      h('input', {
        type: 'checkbox',
        id: 'curve-logy',
        checked: c.logY,
        onchange: (e) => {
          c.logY = e.currentTarget.checked;
          void renderCurves(page);
        },
      }),
      'log y',
    ),
  );
  const box = page.canvas(h('div'), 'curves-chart', 'chartbox tall');
  const note = h('p', { class: 'hint', id: 'curves-note' });
  section.replaceChildren(h('h2', {}, 'Curves'), controls, box.parentElement ?? box, note);
  const sweepId = page.summary.sweep.id;
  if (c.mode === 'selected') {
    if (selected.size === 0) {
      note.textContent = 'Select runs in the table below (or click a heatmap cell) to compare their curves.';
      lineChart(box, [], { yLabel: key });
      return;
    }
    const data = await fetchRunCurves(sweepId, key, MAX_POINTS, [...selected]);
    const byIdx = [...page.runs].sort((a, b) => a.idx - b.idx).map((r) => r.id);
    lineChart(
      box,
      data.series.map((sr) => ({ label: `#${sr.runId} ${paramsShort(sr.params, paths)} · seed ${sr.seed}`, points: sr.points, color: color(byIdx.indexOf(sr.runId)) })),
      { yLabel: key, logY: c.logY },
    );
    note.textContent = `${data.series.length} runs; ${data.series.some((sr) => sr.downsampled) ? 'long series downsampled (LTTB) to 400 points' : 'every logged point'}.`;
    return;
  }
  const param = c.param;
  const byParam = c.mode === 'param' && param !== null;
  const data = await fetchGroupedCurves(sweepId, key, MAX_POINTS, c.mode === 'config' ? '@config' : (param ?? ''));
  bandChart(
    box,
    data.groups.map((g, i) => ({ label: `${g.label} (n=${g.runIds.length})`, points: g.points, color: byParam ? valueColor(page, param, valueKeyOf(g.params[param])) : color(i) })),
    { yLabel: key, logY: c.logY },
  );
  note.textContent = `Line = mean over the ${c.mode === 'config' ? 'seeds' : `runs with each ${c.param}`}, band = min–max; every run of the sweep that logged ${key}.`;
}
