// The pictures of a run (artifacts written by the runner, types in @scorelab/config). 2-D: samples
// over the true density's contours, the learned score field next to the exact one, the sampler's
// trajectory as small multiples, and for energy models the learned density and ML's negatives
// (energy.ts). Image datasets: image grids instead (images.ts).
import type { DensityArtifact, ResolvedRunConfig, ScoreFieldArtifact, TrajectoryArtifact } from '@scorelab/config';
import { METRIC } from '@scorelab/config';
import type { DrawnArtifactName, DrawnArtifacts, FloatArtifact } from '../../src/api-types';
import { fetchArtifact, fetchNegatives } from '../api';
import { canvasById } from '../canvas';
import { h } from '../dom';
import { fmt } from '../format';
import { boundsOfPoints, Plot2D } from '../plots';
import type { RunView } from './context';
import type { DrawnCard } from './drawn-card';
import { learnedDensityCard, negativesCard, negativesNames } from './energy';
import { imageSamplesCard, imageTrajectoryCard, nearestCard } from './images';

const plotCanvas = (id: string, cls = 'plot') => h('canvas', { id, class: cls });

function keyline(items: readonly [string, string][]): HTMLElement {
  return h('div', { class: 'keyline' }, items.map(([c, t]) => h('span', {}, h('span', { class: 'swatch', style: { background: c } }), t)));
}

/** The flat [x0, y0, ...] data of a 2-D samples artifact, else null. */
function flatOf(a: FloatArtifact | null): number[] | null {
  return a && a.shape?.length === 2 && a.shape[1] === 2 ? a.data : null;
}

/** Relative error and mean cosine similarity of the learned field against the exact one. */
function fieldAgreement(sf: ScoreFieldArtifact & { model: number[][] }): string {
  let num2 = 0;
  let den = 0;
  let cos = 0;
  let n = 0;
  sf.model.forEach(([u, v], i) => {
    const [a, b] = sf.exact[i];
    num2 += (u - a) ** 2 + (v - b) ** 2;
    den += a * a + b * b;
    const m = Math.hypot(u, v) * Math.hypot(a, b);
    if (m > 0) {
      cos += (u * a + v * b) / m;
      n++;
    }
  });
  return `On this grid: relative error ‖s − ∇log p‖ / ‖∇log p‖ = ${fmt(Math.sqrt(num2 / den))}, mean cosine similarity ${(cos / Math.max(1, n)).toFixed(3)}.`;
}

function samplesCard(view: RunView, modelXY: number[] | null, dataXY: number[] | null, dens: DensityArtifact | null): HTMLElement {
  const figs: HTMLElement[] = [];
  const w = view.data.run.latest;
  const modeKeys = Object.keys(w).filter((k) => k.startsWith(METRIC.modeWeightPrefix)).sort();
  const tv = w[METRIC.modeWeightTv];
  const modeText = modeKeys.length ? `Mode weights of the samples: ${modeKeys.map((k) => `${k.split('/').pop()}: ${fmt(w[k])}`).join(', ')}${tv !== undefined ? ` (TV to the truth ${fmt(tv)})` : ''}.` : '';
  if (modelXY) figs.push(h('figure', {}, plotCanvas('samples-plot'), h('figcaption', {}, `Final samples of the model (${modelXY.length / 2}). ${modeText}`)));
  if (dataXY) figs.push(h('figure', {}, plotCanvas('data-samples-plot'), h('figcaption', {}, `Fresh samples of the true distribution (${dataXY.length / 2}), for comparison.`)));
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, 'Samples over the true density'),
    h('p', { class: 'hint' }, dens ? 'Grey lines: contours of the true log density at (max − ½d²) for d = 1, 2, 3, 4.' : 'No density grid was saved for this run.'),
    h('div', { class: 'pair' }, figs),
    keyline([
      ['#1f5fbf', 'model samples'],
      ['#17803d', 'data samples'],
      ['#8a93a5', 'true density contours'],
    ]),
  );
}

function scoreFieldCard(sf: ScoreFieldArtifact): HTMLElement {
  const figs: HTMLElement[] = [];
  // A noise-level model's field is drawn at σ (or unconditional); a score SDE's at t = eps, where its samplers end.
  const hasTime = sf.time !== null && sf.time !== undefined;
  const hasSigma = sf.sigma !== null && sf.sigma !== undefined;
  const atText = hasTime ? ` at t = ${fmt(sf.time)}` : hasSigma ? ` at σ = ${fmt(sf.sigma)}` : '';
  const arg = hasTime ? ', t' : hasSigma ? ', σ' : '';
  const sub = hasTime ? '_t' : hasSigma ? '_σ' : '';
  if (sf.model) figs.push(h('figure', {}, plotCanvas('score-model'), h('figcaption', {}, `Learned score s(x${arg})${atText}`)));
  figs.push(h('figure', {}, plotCanvas('score-exact'), h('figcaption', {}, `Exact score ∇ₓ log p${sub}(x)${atText}`)));
  const model = sf.model;
  const errText = model ? fieldAgreement({ ...sf, model }) : 'Analytic model: the sampler used the exact score, so there is no learned field.';
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, 'Score field: learned vs exact'),
    h('p', { class: 'hint' }, 'Arrow direction = score direction; arrow length grows with the score’s magnitude and saturates (same scale on both panels). ', errText),
    h('div', { class: 'pair' }, figs),
  );
}

/** Annealed Langevin after each noise level, Langevin every few steps, or a score SDE's sampler
 * from the prior at t = 1 down to eps (labels t=...). */
function trajectoryCard(view: RunView, tr: TrajectoryArtifact): HTMLElement {
  // The stored config is JSON; the runner writes a ResolvedRunConfig (a section may be missing).
  const config = view.data.run.config as Partial<ResolvedRunConfig>;
  const kind = config.sampler?.kind;
  const n = tr.snapshots[0].length;
  const [title, hint] = config.sde
    ? [`Reverse-time trajectory (${kind})`, `The same ${n} samples from the prior at t = 1 down to t = eps, where the sampler stops (before any denoising).`]
    : kind === 'langevin'
      ? ['Langevin trajectory', `The same ${n} samples from their start, at evenly spaced steps.`]
      : ['Annealed Langevin trajectory', `The same ${n} samples after each noise level, largest σ first.`];
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, title),
    h('p', { class: 'hint' }, hint),
    h('div', { class: 'multiples', id: 'trajectory' }, tr.snapshots.map((_, i) => h('figure', {}, h('figcaption', {}, tr.labels[i] ?? `#${i}`), plotCanvas(`traj-${i}`)))),
  );
}

/** Fills the section with the cards and draws them after layout, so the canvases know their size. */
async function drawCards(section: HTMLElement, cards: readonly DrawnCard[]): Promise<void> {
  section.replaceChildren(...cards.map((c) => c.card));
  await new Promise((r) => requestAnimationFrame(r));
  for (const c of cards) c.draw();
}


export async function renderArtifacts(view: RunView): Promise<void> {
  const { artifacts, run } = view.data;
  const section = view.sections.samples;
  const stamp = artifacts.map((a) => `${a.name}@${a.createdAt}`).join(',');
  if (stamp === view.artifactsStamp) return;
  view.artifactsStamp = stamp;
  const has = new Set(artifacts.map((a) => a.name));
  if (has.size === 0) {
    section.replaceChildren(
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Samples and score field'),
        h('p', { class: 'muted' }, run.status === 'finished' ? 'This run saved no artifacts (they are written for 2-D and image datasets).' : 'Artifacts appear when the run ends.'),
      ),
    );
    return;
  }
  const get = <N extends DrawnArtifactName>(name: N): Promise<DrawnArtifacts[N] | null> => (has.has(name) ? fetchArtifact(view.runId, name) : Promise.resolve(null));
  const negNames = negativesNames([...has]);
  const [density, samples, dataSamples, field, trajectory, learned, learnedTrue, nearest, negatives] = await Promise.all([
    get('density'),
    get('samples'),
    get('data-samples'),
    get('score-field'),
    get('trajectory'),
    get('learned-density'),
    get('learned-density-true'),
    get('nearest-train'),
    Promise.all(negNames.map((n) => fetchNegatives(view.runId, n.name))),
  ]);
  const config = run.config as Partial<ResolvedRunConfig>;
  const shape = view.data.imageShape;
  const dim = samples?.shape?.[1] ?? dataSamples?.shape?.[1];
  if (shape && dim === shape.width * shape.height) {
    const tr = trajectory?.value?.snapshots?.[0]?.[0]?.length === dim ? trajectory.value : null;
    const near = samples && nearest?.shape?.[1] === dim ? nearest.data : null;
    await drawCards(section, [
      imageSamplesCard(shape, samples?.data ?? null, dataSamples?.data ?? null),
      ...(tr ? [imageTrajectoryCard(shape, tr, config.sampler?.kind)] : []),
      ...(samples && near ? [nearestCard(view, shape, samples.data, near)] : []),
    ]);
    return;
  }
  const dens = density?.value ?? null;
  const modelXY = flatOf(samples);
  const dataXY = flatOf(dataSamples);
  const bounds = dens ? dens.grid : boundsOfPoints([...(modelXY ?? []), ...(dataXY ?? [])]);
  const sf = field?.value ?? null;
  // Trajectories of 2-D points only (an image dataset's are drawn as images above).
  const tr = trajectory?.value?.snapshots?.[0]?.[0]?.length === 2 ? trajectory.value : null;
  const learnedCard = learned ? learnedDensityCard(view, learned.value, learnedTrue?.value ?? null, modelXY) : null;
  const snapshots = negatives.flatMap((a, i) => {
    const flat = flatOf(a);
    return flat ? [{ step: negNames[i].step, flat }] : [];
  });
  const negCard = snapshots.length ? negativesCard(snapshots, dataXY, learned?.value.grid ?? dens?.grid ?? boundsOfPoints(snapshots.flatMap((x) => x.flat))) : null;

  // Samples and score field side by side (two panels each), the trajectory below.
  const cards: HTMLElement[] = [];
  if (modelXY || dataXY) cards.push(samplesCard(view, modelXY, dataXY, dens));
  if (sf) cards.push(scoreFieldCard(sf));
  section.replaceChildren(...(learnedCard ? [learnedCard.card] : []), h('div', { class: 'cards2' }, cards), ...(negCard ? [negCard.card] : []), ...(tr ? [trajectoryCard(view, tr)] : []));

  // Draw after layout, so the canvases know their size.
  await new Promise((r) => requestAnimationFrame(r));
  learnedCard?.draw();
  negCard?.draw();
  if (modelXY) {
    const p = new Plot2D(canvasById('samples-plot'), bounds);
    if (dens) p.contours(dens);
    p.points(modelXY, { color: 'rgba(31, 95, 191, 0.5)' });
  }
  if (dataXY) {
    const p = new Plot2D(canvasById('data-samples-plot'), bounds);
    if (dens) p.contours(dens);
    p.points(dataXY, { color: 'rgba(23, 128, 61, 0.5)' });
  }
  if (sf) {
    const mags = sf.exact
      .map(([u, v]) => Math.hypot(u, v))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const ref = mags[Math.floor(mags.length / 2)] || 1;
    const draw = (id: string, vectors: number[][], c: string) => {
      const p = new Plot2D(canvasById(id), sf.grid);
      if (dens) p.contours(dens, { color: '170, 178, 192' });
      p.arrows(sf.points, vectors, { ref, maxLen: p.cell(sf.grid) * 0.95, color: c });
    };
    if (sf.model) draw('score-model', sf.model, '#b54708');
    draw('score-exact', sf.exact, '#1d2330');
  }
  if (tr) {
    const last = tr.snapshots[tr.snapshots.length - 1].flat();
    const tb = dens ? dens.grid : boundsOfPoints([...tr.snapshots[0].flat(), ...last]);
    tr.snapshots.forEach((snap, i) => {
      const p = new Plot2D(canvasById(`traj-${i}`), tb, { axes: false, size: 150 });
      if (dens) p.contours(dens, { color: '170, 178, 192' });
      p.points(snap.flat(), { color: 'rgba(31, 95, 191, 0.55)', radius: 1.4 });
    });
  }
}
