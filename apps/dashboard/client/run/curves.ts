// The run's metric curves: the main keys, plus any other key chosen in a select.
import { METRIC } from '@scorelab/config';
import { fetchRunSeries } from '../api';
import { lineChart } from '../charts';
import { color } from '../colors';
import { h } from '../dom';
import type { RunView } from './context';

const MAIN_CURVES: readonly string[] = [METRIC.trainLoss, METRIC.fisher, METRIC.nll, METRIC.mmd, METRIC.swd, METRIC.modeWeightTv, METRIC.gradNorm, METRIC.stepsPerSec];
/** The figure of the "other metric" select. */
const EXTRA = '__extra';
const MAX_POINTS = 600;

export async function renderCurves(view: RunView): Promise<void> {
  const { metricKeys } = view.data;
  const section = view.sections.curves;
  const keys = MAIN_CURVES.filter((k) => metricKeys.includes(k));
  const others = metricKeys.filter((k) => !keys.includes(k));
  if (!view.extraCurve || !metricKeys.includes(view.extraCurve)) view.extraCurve = others.find((k) => k.startsWith(METRIC.modeWeightPrefix)) ?? others[0] ?? null;
  const extra = view.extraCurve;
  let grid = section.querySelector('.grid3');
  if (!grid) {
    grid = h('div', { class: 'grid3' });
    section.replaceChildren(h('h2', {}, 'Metric curves'), grid);
  }
  const shown = [...keys, ...(extra ? [EXTRA] : [])];
  const series = await Promise.all(shown.map((k) => fetchRunSeries(view.runId, k === EXTRA && extra ? extra : k, MAX_POINTS)));
  shown.forEach((k, i) => {
    let fig = grid.querySelector(`[data-key="${CSS.escape(k)}"]`);
    if (!fig) {
      const head =
        k === EXTRA
          ? h(
              'label',
              { class: 'small muted' },
              'other metric ',
              h(
                'select',
                {
                  id: 'extra-key',
                  onchange: (e) => {
                    view.extraCurve = e.currentTarget.value;
                    void renderCurves(view);
                  },
                },
                others.map((o) => h('option', { value: o, selected: o === extra }, o)),
              ),
            )
          : h('h3', {}, k);
      fig = h('figure', { dataset: { key: k } }, head, h('div', { class: 'chartbox short' }, h('canvas', { id: `curve-${k}` })));
      grid.append(fig);
    }
    const canvas = fig.querySelector('canvas');
    if (!canvas) return;
    const s = series[i];
    lineChart(canvas, [{ label: s.key, points: s.points, color: color(i) }], { yLabel: s.key, legend: true });
  });
}
