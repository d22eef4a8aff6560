// The pictures of an energy model in 2-D: the learned log-density log p̂ = −E − log Z next to the
// true one (one colour scale, one box; the samples optionally on top) with the density metrics
// under them, and for maximum-likelihood training a strip of its Langevin negatives over the data.
import type { DensityArtifact, ResolvedRunConfig } from '@scorelab/config';
import { METRIC } from '@scorelab/config';
import type { NegativesArtifactName } from '../../src/api-types';
import { DensityMap, gridEntropy, LOG_SPAN, RAMP_CSS, sharedLogScale, type LogScale } from '../density-map';
import { canvasById } from '../canvas';
import { h } from '../dom';
import { fmt } from '../format';
import { Plot2D, type Bounds } from '../plots';
import type { RunView } from './context';
import type { DrawnCard } from './drawn-card';

/** The artifact names of ml training's negatives: negatives/<step>. */
export const NEGATIVES_PREFIX = 'negatives/';
/** Snapshots drawn at most (evenly picked, first and last kept). */
const MAX_SNAPSHOTS = 8;

/** The step of a negatives/<step> name, or null for another name. */
export function negativesStep(name: string): number | null {
  if (!name.startsWith(NEGATIVES_PREFIX)) return null;
  const rest = name.slice(NEGATIVES_PREFIX.length);
  return /^[0-9]+$/.test(rest) ? Number(rest) : null;
}

/** The negatives/<step> names of a run, by step, at most MAX_SNAPSHOTS of them (evenly spaced). */
export function negativesNames(names: readonly string[]): { name: NegativesArtifactName; step: number }[] {
  const all = names.flatMap((n) => {
    const step = negativesStep(n);
    return step === null ? [] : [{ name: `${NEGATIVES_PREFIX}${step}` as const, step }];
  });
  all.sort((a, b) => a.step - b.step);
  if (all.length <= MAX_SNAPSHOTS) return all;
  const picked = new Set(Array.from({ length: MAX_SNAPSHOTS }, (_, k) => Math.round((k * (all.length - 1)) / (MAX_SNAPSHOTS - 1))));
  return all.filter((_, i) => picked.has(i));
}

/** What the density metrics say, in the order stated under the heatmaps (those logged). */
const DENSITY_METRICS: readonly [string, string][] = [
  [METRIC.nll, 'nats per held-out point'],
  [METRIC.kl, 'KL(p_data ‖ p̂) on the grid, nats'],
  [METRIC.logZError, 'halving-check bound on the quadrature’s log Z (and so on every log p̂), nats'],
  [METRIC.boxOuterMass, 'share of p̂’s mass on the outer ring of the box: large = the box does not hold the density'],
  [METRIC.nllPath, 'nats per held-out point of the density integrated from the score along paths'],
  [METRIC.klPath, 'KL(p_data ‖ p̂) on the grid of that density'],
  [METRIC.curl, 'relative curl of the learned score, in [0, 1]: 0 for a gradient field, 1 for a rotation'],
  [METRIC.pathDependence, 'mean difference of the line integrals x-first and y-first, nats (0 for a gradient field)'],
];

function colourBar(scale: LogScale): HTMLElement {
  return h(
    'div',
    { class: 'legendbar', id: 'density-scale' },
    h('span', {}, `log p ≤ ${fmt(scale.lo)}`),
    h('span', { class: 'ramp', style: { background: RAMP_CSS } }),
    h('span', {}, fmt(scale.hi)),
    h('span', {}, `(one scale for both panels; ${LOG_SPAN} nats below the highest value, lower values in the darkest colour; grey: p = 0)`),
  );
}

/** Learned vs true log-density on the same grid; `samples` (flat [x, y, ...]) drawn on top when ticked. */
export function learnedDensityCard(view: RunView, learned: DensityArtifact, truth: DensityArtifact | null, samples: number[] | null): DrawnCard {
  const { run } = view.data;
  // The stored config is JSON; the runner writes a ResolvedRunConfig (a section may be missing).
  const kind = (run.config as Partial<ResolvedRunConfig>).model?.kind;
  const [title, how, caption] =
    kind === 'energy'
      ? ['Learned density vs true density', 'log p̂ = −E − log Z, Z by quadrature', 'learned log p̂ = −E − log Z']
      : kind === 'analytic'
        ? ['Model density vs true density', 'The analytic model’s log-density, normalised by quadrature', 'model log p̂ (the exact score)']
        : ['Density of the learned score vs true density', 'log p̂ from integrating the learned score along paths (a learned score need not be a gradient field: see eval/curl), normalised by quadrature', 'learned log p̂ (integrated score)'];
  const scale = sharedLogScale(truth ? [learned, truth] : [learned]);
  const g = learned.grid;
  const entropy = truth ? gridEntropy(truth) : null;
  const stated = DENSITY_METRICS.filter(([k]) => run.latest[k] !== undefined);
  const toggle = h('input', { type: 'checkbox', id: 'density-samples', checked: false, onchange: () => draw() });
  const figure = (id: string, caption: string) => h('figure', {}, h('canvas', { id, class: 'plot' }), h('figcaption', {}, caption));
  const card = h(
    'div',
    { class: 'card', id: 'learned-density' },
    h('h2', {}, title),
    h(
      'p',
      { class: 'hint' },
      how,
      ` on the ${g.nx} × ${g.ny} grid of [${fmt(g.xmin)}, ${fmt(g.xmax)}] × [${fmt(g.ymin)}, ${fmt(g.ymax)}] (the box drawn), beside the true log p on the same grid.`,
    ),
    h('div', { class: 'pair density-pair' }, figure('learned-density-plot', caption), truth ? figure('true-density-plot', 'true log p') : null),
    scale ? colourBar(scale) : h('p', { class: 'muted' }, 'The learned log-density has no finite value on the grid.'),
    samples ? h('div', { class: 'controls' }, h('label', {}, toggle, `the model’s samples on top (${samples.length / 2})`)) : null,
    h(
      'ul',
      { class: 'facts', id: 'density-metrics' },
      stated.map(([k, what]) => h('li', { dataset: { key: k } }, h('b', {}, `${k} = ${fmt(run.latest[k], 4)}`), ` — ${what}`, k === METRIC.nll && entropy !== null ? `; the true density’s entropy on this grid is ${fmt(entropy, 4)} (what a perfect model averages to)` : '')),
      stated.length === 0 ? h('li', { class: 'muted' }, 'No density metrics (eval/nll, eval/kl) were logged.') : null,
    ),
  );
  function draw(): void {
    if (!scale) return;
    const on = toggle.checked && samples;
    const panels: [string, DensityArtifact][] = [['learned-density-plot', learned], ...(truth ? [['true-density-plot', truth] as [string, DensityArtifact]] : [])];
    for (const [id, d] of panels) {
      const map = new DensityMap(canvasById(id), d, scale);
      if (on) map.points(samples, { color: '#ff7f0e', radius: 1.6 });
    }
  }
  return { card, draw };
}

/** A strip of small scatter plots: the negatives at each snapshot step over data samples. */
export function negativesCard(snapshots: readonly { step: number; flat: number[] }[], dataXY: number[] | null, bounds: Bounds): DrawnCard {
  const n = snapshots[0]?.flat.length / 2;
  const card = h(
    'div',
    { class: 'card', id: 'negatives' },
    h('h2', {}, 'Negatives during maximum-likelihood training'),
    h(
      'p',
      { class: 'hint' },
      `The short-run Langevin negatives x⁻ (orange, ${n} per snapshot) at ${snapshots.length} training steps${dataXY ? ', over data samples (green)' : ''}: ML lowers the energy of the data and raises it where the negatives are, so negatives that stay far from the data (or cover one mode) show what the model gets wrong.`,
    ),
    h(
      'div',
      { class: 'multiples', id: 'negatives-strip' },
      snapshots.map((s, i) => h('figure', {}, h('figcaption', {}, `step ${s.step}`), h('canvas', { id: `negatives-${i}`, class: 'plot' }))),
    ),
  );
  const draw = () =>
    snapshots.forEach((s, i) => {
      const p = new Plot2D(canvasById(`negatives-${i}`), bounds, { axes: false, size: 150 });
      if (dataXY) p.points(dataXY, { color: 'rgba(23, 128, 61, 0.35)', radius: 1.2 });
      p.points(s.flat, { color: 'rgba(230, 115, 0, 0.75)', radius: 1.4 });
    });
  return { card, draw };
}
