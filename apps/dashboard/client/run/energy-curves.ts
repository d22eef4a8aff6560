// Maximum-likelihood training of an energy model, as people watch it: the mean energy of the
// positives (data) and of the negatives, and their gap, in one chart (train/energy_pos, _neg, _gap),
// and the negatives' distance to the data (train/neg_mmd) beside it. A run that sampled a model
// another run trained shows that run's curves.
import { METRIC } from '@scorelab/config';
import { fetchRunSeries } from '../api';
import { lineChart } from '../charts';
import { h } from '../dom';
import type { RunView } from './context';

const ENERGY_KEYS = [METRIC.energyPos, METRIC.energyNeg, METRIC.energyGap] as const;
const LABELS: Record<(typeof ENERGY_KEYS)[number], string> = {
  [METRIC.energyPos]: 'E(x⁺), data',
  [METRIC.energyNeg]: 'E(x⁻), negatives',
  [METRIC.energyGap]: 'gap E(x⁺) − E(x⁻)',
};
const COLOURS = ['#17803d', '#e67300', '#1d2330'];
const MAX_POINTS = 600;

export async function renderEnergyCurves(view: RunView, section: HTMLElement): Promise<void> {
  const { metricKeys, model } = view.data;
  // Logged by this run, or by the run that trained its model.
  const own = ENERGY_KEYS.some((k) => metricKeys.includes(k));
  const source = !own && model && ENERGY_KEYS.some((k) => model.trainingKeys.includes(k)) ? String(model.sourceRunId) : null;
  const logged = own ? metricKeys : source && model ? model.trainingKeys : [];
  const keys = ENERGY_KEYS.filter((k) => logged.includes(k));
  section.hidden = keys.length === 0;
  if (keys.length === 0) return;
  const runId = source ?? view.runId;
  const mmd = logged.includes(METRIC.negMmd);
  let energyCanvas = section.querySelector<HTMLCanvasElement>('#energy-curves');
  let mmdCanvas = section.querySelector<HTMLCanvasElement>('#negatives-mmd');
  if (!energyCanvas || (mmd && !mmdCanvas)) {
    energyCanvas = h('canvas', { id: 'energy-curves' });
    mmdCanvas = mmd ? h('canvas', { id: 'negatives-mmd' }) : null;
    section.replaceChildren(
      h('h2', {}, 'Energies during maximum-likelihood training'),
      h(
        'p',
        { class: 'hint' },
        'Batch means of the energy of the data (positives) and of the Langevin negatives, and their gap (the contrastive-divergence surrogate without its regulariser). ',
        'Near the optimum the negatives are model samples that look like data and the gap is about 0; a gap that keeps falling below 0 while the energies spread apart means the short-run negatives no longer follow the model (the energy regulariser alpha counters it).',
        source ? [' Logged by ', h('a', { href: `/runs/${source}` }, `run #${source}`), ', which trained this run’s model.'] : '',
      ),
      h(
        'div',
        { class: 'grid2' },
        h('figure', {}, h('div', { class: 'chartbox' }, energyCanvas)),
        mmdCanvas ? h('figure', {}, h('div', { class: 'chartbox' }, mmdCanvas), h('figcaption', {}, 'train/neg_mmd: MMD² between the step’s negatives and its data batch (0 = negatives like data).')) : null,
      ),
    );
  }
  const series = await Promise.all(keys.map((k) => fetchRunSeries(runId, k, MAX_POINTS)));
  lineChart(
    energyCanvas,
    series.map((s, i) => ({ label: `${LABELS[keys[i]]} (${s.key})`, points: s.points, color: COLOURS[ENERGY_KEYS.indexOf(keys[i])] })),
    { yLabel: 'energy', legend: true },
  );
  if (mmdCanvas) {
    const s = await fetchRunSeries(runId, METRIC.negMmd, MAX_POINTS);
    lineChart(mmdCanvas, [{ label: s.key, points: s.points, color: '#b07aa1' }], { yLabel: 'MMD²', legend: true });
  }
}
