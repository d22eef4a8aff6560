// The run's final metrics, with eval/fisher per noise level σ (log–log) or per time t of an SDE.
import { METRIC } from '@scorelab/config';
import { lineChart } from '../charts';
import { h } from '../dom';
import { directionWord, fmt, num } from '../format';
import type { RunView } from './context';

// eval/fisher@<sigma> and eval/fisher@t=<t> (fisherAtKey, fisherAtTimeKey of @scorelab/config).
const FISHER_AT = `${METRIC.fisher}@`;
const FISHER_AT_TIME = `${METRIC.fisher}@t=`;

export function renderFinalMetrics(view: RunView): void {
  const { run, metricKeys, directions } = view.data;
  const section = view.sections.metrics;
  if (metricKeys.length === 0) {
    section.replaceChildren(h('h2', {}, 'Final metrics'), h('p', { class: 'muted' }, 'Nothing logged yet.'));
    return;
  }
  const main = metricKeys.filter((k) => !k.startsWith(FISHER_AT));
  const times = metricKeys.filter((k) => k.startsWith(FISHER_AT_TIME));
  const levels = metricKeys.filter((k) => k.startsWith(FISHER_AT) && !times.includes(k));
  const table = (keys: readonly string[]) =>
    h(
      'table',
      { class: 'data' },
      h('thead', {}, h('tr', {}, h('th', {}, 'metric'), h('th', { class: 'num' }, 'final value'), h('th', {}, ''))),
      h(
        'tbody',
        {},
        keys.map((k) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, fmt(run.latest[k], 4)), h('td', { class: 'muted small' }, directions[k] === 'none' ? '' : directionWord(directions[k])))),
      ),
    );
  const canvas = h('canvas', { id: 'fisher-levels' });
  const caption = times.length
    ? 'Final eval/fisher per time t of the SDE (log y); eval/fisher is the mean of s(t)² F(t) over these times.'
    : 'Final eval/fisher per noise level σ (log–log); the weighted mean is eval/fisher.';
  section.replaceChildren(
    h('h2', {}, 'Final metrics'),
    h('div', { class: 'grid2' }, table(main), levels.length || times.length ? h('figure', {}, h('div', { class: 'chartbox short' }, canvas), h('figcaption', {}, caption)) : null),
  );
  const at = (keys: readonly string[], prefix: string) => keys.map((k) => ({ step: Number(k.slice(prefix.length)), value: num(run.latest[k]) ?? NaN })).sort((a, b) => a.step - b.step);
  if (times.length) {
    lineChart(canvas, [{ label: 'eval/fisher@t', points: at(times, FISHER_AT_TIME) }], { xLabel: 't', yLabel: 'fisher divergence', logY: true, legend: true });
  } else if (levels.length) {
    lineChart(canvas, [{ label: 'eval/fisher@σ', points: at(levels, FISHER_AT) }], { xLabel: 'σ', yLabel: 'fisher divergence', logY: true, logX: true, legend: true });
  }
}
