// The run's metric curves: the main keys, plus any other key chosen in a select. A run that sampled a
// model another run trained logs no training curves: those of the source run are shown, labelled so.
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

/** A figure's key for a curve of the model's source run. */
const SOURCE = 'source:';

/** The source run's training curves this run has not logged itself (main keys first). */
function sourceKeys(view: RunView): string[] {
  const { metricKeys, model } = view.data;
  if (!model) return [];
  const keys = model.trainingKeys.filter((k) => !metricKeys.includes(k));
  const rank = (k: string) => (MAIN_CURVES.includes(k) ? MAIN_CURVES.indexOf(k) : MAIN_CURVES.length);
  return keys.sort((a, b) => rank(a) - rank(b));
}

export async function renderCurves(view: RunView): Promise<void> {
  const { metricKeys, model } = view.data;
  const section = view.sections.curves;
  const fromSource = sourceKeys(view);
  const keys = MAIN_CURVES.filter((k) => metricKeys.includes(k));
  const others = metricKeys.filter((k) => !keys.includes(k));
  if (!view.extraCurve || !metricKeys.includes(view.extraCurve)) view.extraCurve = others.find((k) => k.startsWith(METRIC.modeWeightPrefix)) ?? others[0] ?? null;
  const extra = view.extraCurve;
  let grid = section.querySelector('.grid3');
  let note = section.querySelector<HTMLElement>('#model-curves-note');
  if (!grid || !note) {
    grid = h('div', { class: 'grid3' });
    note = h('p', { class: 'small muted', id: 'model-curves-note' });
    section.replaceChildren(h('h2', {}, 'Metric curves'), note, grid);
  }
  const source = model && fromSource.length > 0 ? model.sourceRunId : null;
  note.hidden = source === null;
  note.replaceChildren(
    ...(source === null ? [] : ['Training curves (', fromSource.join(', '), ') of ', h('a', { href: `/runs/${source}` }, `run #${source}`), `, which trained model #${model?.id}: this run sampled it without training.`]),
  );
  const shown = [...fromSource.map((k) => SOURCE + k), ...keys, ...(extra ? [EXTRA] : [])];
  const series = await Promise.all(
    shown.map((k) =>
      source !== null && k.startsWith(SOURCE) ? fetchRunSeries(String(source), k.slice(SOURCE.length), MAX_POINTS) : fetchRunSeries(view.runId, k === EXTRA && extra ? extra : k, MAX_POINTS),
    ),
  );
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
          : k.startsWith(SOURCE)
            ? h('h3', {}, k.slice(SOURCE.length), h('span', { class: 'muted small' }, ` · run #${source} (trained the model)`))
            : h('h3', {}, k);
      const canvasId = k.startsWith(SOURCE) ? `curve-source-${k.slice(SOURCE.length)}` : `curve-${k}`;
      fig = h('figure', { dataset: { key: k } }, head, h('div', { class: 'chartbox short' }, h('canvas', { id: canvasId })));
      grid.append(fig);
    }
    const canvas = fig.querySelector('canvas');
    if (!canvas) return;
    const s = series[i];
    const label = k.startsWith(SOURCE) ? `${s.key} (run #${s.runId}, trained the model)` : s.key;
    lineChart(canvas, [{ label, points: s.points, color: color(i) }], { yLabel: s.key, legend: true });
  });
}
