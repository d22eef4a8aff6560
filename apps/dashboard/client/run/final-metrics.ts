// The run's final metrics, each sample metric beside its floor (ref/<name>), with eval/fisher per
// noise level σ (log–log) or per time t of an SDE.

import { METRIC, referenceKey } from '@scorelab/config';
import { lineChart } from '../charts';
import { h } from '../dom';
import { directionWord, fmt, num } from '../format';
import type { RunView } from './context';

/** sample/mmd_p at or above this: not distinguishable from data (the server's MMD_P_ALPHA). */
const MMD_P_ALPHA = 0.05;

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
  // Beside each sample/<name>, its floor ref/<name>: what true data samples of the same size score
  // against the same data (this run's reference draw); the ref/ rows themselves are not repeated.
  const floorOf = (k: string) => {
    const ref = referenceKey(k);
    return ref !== null && run.latest[ref] !== undefined ? ref : null;
  };
  const beside = new Set(metricKeys.flatMap((k) => floorOf(k) ?? []));
  const rows = main.filter((k) => !beside.has(k));
  const hasFloors = beside.size > 0;
  const note = (k: string): string => {
    if (k === METRIC.mmdP) {
      const p = num(run.latest[k]);
      return p === undefined || Number.isNaN(p) ? '' : p >= MMD_P_ALPHA ? `≈ data: not distinguishable from data at ${MMD_P_ALPHA}` : `distinguishable from data (p < ${MMD_P_ALPHA})`;
    }
    return directions[k] === 'none' ? '' : directionWord(directions[k]);
  };
  const table = (keys: readonly string[]) =>
    h(
      'table',
      { class: 'data', id: 'final-metrics' },
      h('thead', {}, h('tr', {}, h('th', {}, 'metric'), h('th', { class: 'num' }, 'final value'), hasFloors ? h('th', { class: 'num', title: 'ref/<name>: the same metric of true data samples of the same size' }, 'floor (true samples)') : null, h('th', {}, ''))),
      h(
        'tbody',
        {},
        keys.map((k) => {
          const ref = floorOf(k);
          return h(
            'tr',
            { dataset: { key: k } },
            h('td', {}, k),
            h('td', { class: 'num' }, fmt(run.latest[k], 4)),
            hasFloors ? h('td', { class: 'num floor', title: ref ?? '' }, ref ? fmt(run.latest[ref], 4) : '') : null,
            h('td', { class: 'muted small' }, note(k)),
          );
        }),
      ),
    );
  const canvas = h('canvas', { id: 'fisher-levels' });
  const caption = times.length
    ? 'Final eval/fisher per time t of the SDE (log y); eval/fisher is the mean of s(t)² F(t) over these times.'
    : 'Final eval/fisher per noise level σ (log–log); the weighted mean is eval/fisher.';
  section.replaceChildren(
    h('h2', {}, 'Final metrics'),
    ...(hasFloors ? [h('p', { class: 'hint' }, 'floor: ref/<name>, the same metric between fresh true data samples (as many as the model drew) and the same data: what a perfect sampler scores. One draw; how much it scatters shows across seeds on the sweep page.')] : []),
    h('div', { class: 'grid2' }, table(rows), levels.length || times.length ? h('figure', {}, h('div', { class: 'chartbox short' }, canvas), h('figcaption', {}, caption)) : null),
  );
  const at = (keys: readonly string[], prefix: string) => keys.map((k) => ({ step: Number(k.slice(prefix.length)), value: num(run.latest[k]) ?? NaN })).sort((a, b) => a.step - b.step);
  if (times.length) {
    lineChart(canvas, [{ label: 'eval/fisher@t', points: at(times, FISHER_AT_TIME) }], { xLabel: 't', yLabel: 'fisher divergence', logY: true, legend: true });
  } else if (levels.length) {
    lineChart(canvas, [{ label: 'eval/fisher@σ', points: at(levels, FISHER_AT) }], { xLabel: 'σ', yLabel: 'fisher divergence', logY: true, logX: true, legend: true });
  }
}
