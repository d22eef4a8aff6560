// Run page: status and error, final metrics, samples over the true density's contours, learned vs
// exact score field, the sampler's trajectory, metric curves, resolved config and its diff.
import { lineChart } from './charts.js';
import { boundsOfPoints, Plot2D } from './plots.js';
import { api, color, directionWord, errorCard, fmt, fmtDuration, fmtTime, h, livePoller, num, paramChips, setCrumbs, statusBadge, valueLabel } from './util.js';

const main = document.getElementById('main');
const runId = location.pathname.split('/')[2];

const state = { data: null, artifactsStamp: null, diffWith: '' };
const el = {
  header: h('section', { id: 'header' }),
  error: h('section', { id: 'error' }),
  metrics: h('section', { class: 'card', id: 'final-metrics' }),
  samples: h('section', { id: 'samples-section' }),
  curves: h('section', { class: 'card', id: 'curves' }),
  config: h('section', { class: 'card', id: 'config' }),
  events: h('section', { class: 'card', id: 'events' }),
};

const MAIN_CURVES = ['train/loss', 'eval/fisher', 'eval/nll', 'sample/mmd', 'sample/swd', 'sample/mode_weight_tv', 'train/grad_norm', 'perf/steps_per_sec'];

function renderHeader() {
  const { run, sweep } = state.data;
  setCrumbs(sweep ? h('a', { href: `/sweeps/${sweep.id}` }, sweep.name) : h('span', {}, `sweep ${run.sweepId}`), h('span', {}, `run #${run.id}`));
  document.title = `Run #${run.id} · ${run.sweepName} · Scorelab`;
  const progress =
    run.status === 'running' && run.totalSteps
      ? h('span', {}, h('span', { class: 'progress' }, h('span', { style: { width: `${(100 * (run.currentStep ?? 0)) / run.totalSteps}%` } })), ` step ${run.currentStep ?? 0} / ${run.totalSteps}`)
      : null;
  el.header.replaceChildren(
    h('h1', {}, `Run #${run.id}`, statusBadge(run.status), progress),
    h('p', { style: { margin: '2px 0 8px' } }, paramChips(run.params), h('span', { class: 'chip' }, 'seed = ', h('b', {}, String(run.seed)))),
    h(
      'p',
      { class: 'small muted', style: { margin: 0 } },
      `#${run.idx + 1} of sweep ${run.sweepName} · started ${fmtTime(run.startedAt)} · duration ${fmtDuration(run.durationMs)}`,
      run.backend ? ` · backend ${run.backend}` : '',
      run.gitCommit ? ` · commit ${run.gitCommit}` : '',
      run.host ? ` · ${run.host}` : '',
      run.attempt > 1 ? ` · attempt ${run.attempt}` : '',
      ` · config ${run.configHash}`,
    ),
  );
  if ((run.status === 'failed' || run.status === 'killed') && run.error) {
    el.error.replaceChildren(
      h(
        'div',
        { class: 'card errorbox', id: 'error-text' },
        h('b', {}, run.status === 'failed' ? `Failed${run.errorStep !== null ? ` at step ${run.errorStep}` : ''}` : 'Killed'),
        h('pre', {}, run.error),
      ),
    );
  } else el.error.replaceChildren();
}

function renderMetrics() {
  const { run, metricKeys, directions } = state.data;
  if (metricKeys.length === 0) {
    el.metrics.replaceChildren(h('h2', {}, 'Final metrics'), h('p', { class: 'muted' }, 'Nothing logged yet.'));
    return;
  }
  const main = metricKeys.filter((k) => !k.startsWith('eval/fisher@'));
  // eval/fisher@<sigma> (noise levels) or eval/fisher@t=<t> (score SDEs).
  const times = metricKeys.filter((k) => k.startsWith('eval/fisher@t='));
  const levels = metricKeys.filter((k) => k.startsWith('eval/fisher@') && !times.includes(k));
  const table = (keys) =>
    h(
      'table',
      { class: 'data' },
      h('thead', {}, h('tr', {}, h('th', {}, 'metric'), h('th', { class: 'num' }, 'final value'), h('th', {}, ''))),
      h('tbody', {}, keys.map((k) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, fmt(run.latest[k], 4)), h('td', { class: 'muted small' }, directions[k] === 'none' ? '' : directionWord(directions[k]))))),
    );
  const fisherBox = h('div', { class: 'chartbox short' }, h('canvas', { id: 'fisher-levels' }));
  const caption = times.length
    ? 'Final eval/fisher per time t of the SDE (log y); eval/fisher is the mean of s(t)² F(t) over these times.'
    : 'Final eval/fisher per noise level σ (log–log); the weighted mean is eval/fisher.';
  el.metrics.replaceChildren(
    h('h2', {}, 'Final metrics'),
    h('div', { class: 'grid2' }, table(main), levels.length || times.length ? h('figure', {}, fisherBox, h('figcaption', {}, caption)) : null),
  );
  if (times.length) {
    const pts = times.map((k) => ({ step: Number(k.slice('eval/fisher@t='.length)), value: num(run.latest[k]) })).sort((a, b) => a.step - b.step);
    lineChart(fisherBox.firstChild, [{ label: 'eval/fisher@t', points: pts }], { xLabel: 't', yLabel: 'fisher divergence', logY: true, legend: true });
  } else if (levels.length) {
    const pts = levels.map((k) => ({ step: Number(k.slice('eval/fisher@'.length)), value: num(run.latest[k]) })).sort((a, b) => a.step - b.step);
    lineChart(fisherBox.firstChild, [{ label: 'eval/fisher@σ', points: pts }], { xLabel: 'σ', yLabel: 'fisher divergence', logY: true, logX: true, legend: true });
  }
}

// ------------------------------------------------------------------ artifacts

async function artifact(name) {
  return api(`/api/runs/${runId}/artifacts/${encodeURIComponent(name)}`);
}

function plotCanvas(id, cls = 'plot') {
  return h('canvas', { id, class: cls });
}

function keyline(items) {
  return h('div', { class: 'keyline' }, items.map(([c, t]) => h('span', {}, h('span', { class: 'swatch', style: { background: c } }), t)));
}

async function renderArtifacts() {
  const { artifacts, run } = state.data;
  const stamp = artifacts.map((a) => `${a.name}@${a.createdAt}`).join(',');
  if (stamp === state.artifactsStamp) return;
  state.artifactsStamp = stamp;
  const has = new Set(artifacts.map((a) => a.name));
  if (has.size === 0) {
    el.samples.replaceChildren(
      h('div', { class: 'card' }, h('h2', {}, 'Samples and score field'), h('p', { class: 'muted' }, run.status === 'finished' ? 'This run saved no artifacts (they are written for 2-D datasets).' : 'Artifacts appear when the run ends.')),
    );
    return;
  }
  const [density, samples, dataSamples, field, trajectory] = await Promise.all(
    ['density', 'samples', 'data-samples', 'score-field', 'trajectory'].map((n) => (has.has(n) ? artifact(n) : Promise.resolve(null))),
  );
  const dens = density?.value ?? null;
  const flatOf = (a) => (a && a.shape?.length === 2 && a.shape[1] === 2 ? a.data : null);
  const modelXY = flatOf(samples);
  const dataXY = flatOf(dataSamples);
  const bounds = dens ? dens.grid : boundsOfPoints([...(modelXY ?? []), ...(dataXY ?? [])]);
  const cards = [];

  // Samples over the density's contour lines.
  if (modelXY || dataXY) {
    const figs = [];
    const w = run.latest;
    const modeKeys = Object.keys(w).filter((k) => k.startsWith('sample/mode_weight/')).sort();
    const modeText = modeKeys.length ? `Mode weights of the samples: ${modeKeys.map((k) => `${k.split('/').pop()}: ${fmt(w[k])}`).join(', ')}${w['sample/mode_weight_tv'] !== undefined ? ` (TV to the truth ${fmt(w['sample/mode_weight_tv'])})` : ''}.` : '';
    if (modelXY) figs.push(h('figure', {}, plotCanvas('samples-plot'), h('figcaption', {}, `Final samples of the model (${modelXY.length / 2}). ${modeText}`)));
    if (dataXY) figs.push(h('figure', {}, plotCanvas('data-samples-plot'), h('figcaption', {}, `Fresh samples of the true distribution (${dataXY.length / 2}), for comparison.`)));
    cards.push(
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Samples over the true density'),
        h('p', { class: 'hint' }, dens ? 'Grey lines: contours of the true log density at (max − ½d²) for d = 1, 2, 3, 4.' : 'No density grid was saved for this run.'),
        h('div', { class: 'pair' }, figs),
        keyline([['#1f5fbf', 'model samples'], ['#17803d', 'data samples'], ['#8a93a5', 'true density contours']]),
      ),
    );
  }

  // Learned score field next to the exact one.
  const sf = field?.value ?? null;
  if (sf) {
    const figs = [];
    // A noise-level model's field is drawn at σ (or unconditional); a score SDE's at t = eps, where its samplers end.
    const hasTime = sf.time !== null && sf.time !== undefined;
    const hasSigma = sf.sigma !== null && sf.sigma !== undefined;
    const atText = hasTime ? ` at t = ${fmt(sf.time)}` : hasSigma ? ` at σ = ${fmt(sf.sigma)}` : '';
    const arg = hasTime ? ', t' : hasSigma ? ', σ' : '';
    const sub = hasTime ? '_t' : hasSigma ? '_σ' : '';
    if (sf.model) figs.push(h('figure', {}, plotCanvas('score-model'), h('figcaption', {}, `Learned score s(x${arg})${atText}`)));
    figs.push(h('figure', {}, plotCanvas('score-exact'), h('figcaption', {}, `Exact score ∇ₓ log p${sub}(x)${atText}`)));
    let errText = sf.model ? '' : 'Analytic model: the sampler used the exact score, so there is no learned field.';
    if (sf.model) {
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
      errText = `On this grid: relative error ‖s − ∇log p‖ / ‖∇log p‖ = ${fmt(Math.sqrt(num2 / den))}, mean cosine similarity ${(cos / Math.max(1, n)).toFixed(3)}.`;
    }
    cards.push(
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Score field: learned vs exact'),
        h('p', { class: 'hint' }, 'Arrow direction = score direction; arrow length grows with the score’s magnitude and saturates (same scale on both panels). ', errText),
        h('div', { class: 'pair' }, figs),
      ),
    );
  }

  // The sampler's trajectory: annealed Langevin after each noise level, Langevin every few steps, or a
  // score SDE's sampler from the prior at t = 1 down to eps (labels t=...).
  const tr = trajectory?.value ?? null;
  if (tr && tr.snapshots?.length) {
    const kind = run.config?.sampler?.kind;
    const n = tr.snapshots[0].length;
    const [title, hint] = run.config?.sde
      ? [`Reverse-time trajectory (${kind})`, `The same ${n} samples from the prior at t = 1 down to t = eps, where the sampler stops (before any denoising).`]
      : kind === 'langevin'
        ? ['Langevin trajectory', `The same ${n} samples from their start, at evenly spaced steps.`]
        : ['Annealed Langevin trajectory', `The same ${n} samples after each noise level, largest σ first.`];
    cards.push(
      h(
        'div',
        { class: 'card' },
        h('h2', {}, title),
        h('p', { class: 'hint' }, hint),
        h('div', { class: 'multiples', id: 'trajectory' }, tr.snapshots.map((_, i) => h('figure', {}, h('figcaption', {}, tr.labels[i] ?? `#${i}`), plotCanvas(`traj-${i}`)))),
      ),
    );
  }
  // Samples and score field side by side (two panels each), the trajectory below.
  const trajCard = tr && tr.snapshots?.length ? cards.pop() : null;
  el.samples.replaceChildren(h('div', { class: 'cards2' }, cards), trajCard);

  // Draw after layout, so the canvases know their size.
  await new Promise((r) => requestAnimationFrame(r));
  if (modelXY) {
    const p = new Plot2D(document.getElementById('samples-plot'), bounds);
    if (dens) p.contours(dens);
    p.points(modelXY, { color: 'rgba(31, 95, 191, 0.5)' });
  }
  if (dataXY) {
    const p = new Plot2D(document.getElementById('data-samples-plot'), bounds);
    if (dens) p.contours(dens);
    p.points(dataXY, { color: 'rgba(23, 128, 61, 0.5)' });
  }
  if (sf) {
    const mags = sf.exact.map(([u, v]) => Math.hypot(u, v)).filter(Number.isFinite).sort((a, b) => a - b);
    const ref = mags[Math.floor(mags.length / 2)] || 1;
    const fieldBounds = sf.grid;
    const draw = (id, vectors, c) => {
      const p = new Plot2D(document.getElementById(id), fieldBounds);
      if (dens) p.contours(dens, { color: '170, 178, 192' });
      p.arrows(sf.points, vectors, { ref, maxLen: p.cell(sf.grid) * 0.95, color: c });
    };
    if (sf.model) draw('score-model', sf.model, '#b54708');
    draw('score-exact', sf.exact, '#1d2330');
  }
  if (tr && tr.snapshots?.length) {
    const last = tr.snapshots[tr.snapshots.length - 1].flat();
    const tb = dens ? dens.grid : boundsOfPoints([...tr.snapshots[0].flat(), ...last]);
    tr.snapshots.forEach((snap, i) => {
      const p = new Plot2D(document.getElementById(`traj-${i}`), tb, { axes: false, size: 150 });
      if (dens) p.contours(dens, { color: '170, 178, 192' });
      p.points(snap, { color: 'rgba(31, 95, 191, 0.55)', radius: 1.4 });
    });
  }
}

// ------------------------------------------------------------------ curves

const curveState = { extra: null };

async function renderCurves() {
  const { metricKeys } = state.data;
  const keys = MAIN_CURVES.filter((k) => metricKeys.includes(k));
  const others = metricKeys.filter((k) => !keys.includes(k));
  if (!curveState.extra || !metricKeys.includes(curveState.extra)) curveState.extra = others.find((k) => k.startsWith('sample/mode_weight/')) ?? others[0] ?? null;
  let grid = el.curves.querySelector('.grid3');
  if (!grid) {
    grid = h('div', { class: 'grid3' });
    el.curves.replaceChildren(h('h2', {}, 'Metric curves'), grid);
  }
  const shown = [...keys, ...(curveState.extra ? ['__extra'] : [])];
  const series = await Promise.all(
    shown.map((k) => api(`/api/runs/${runId}/series?key=${encodeURIComponent(k === '__extra' ? curveState.extra : k)}&maxPoints=600`)),
  );
  shown.forEach((k, i) => {
    const id = `curve-${k}`;
    let fig = grid.querySelector(`[data-key="${CSS.escape(k)}"]`);
    if (!fig) {
      const head =
        k === '__extra'
          ? h('label', { class: 'small muted' }, 'other metric ', h('select', { id: 'extra-key', onchange: (e) => { curveState.extra = e.target.value; void renderCurves(); } }, others.map((o) => h('option', { value: o, selected: o === curveState.extra }, o))))
          : h('h3', {}, k);
      fig = h('figure', { dataset: { key: k } }, head, h('div', { class: 'chartbox short' }, h('canvas', { id })));
      grid.append(fig);
    }
    const s = series[i];
    lineChart(fig.querySelector('canvas'), [{ label: s.key, points: s.points, color: color(i) }], { yLabel: s.key, legend: true });
  });
}

// ------------------------------------------------------------------ config and diff

async function renderConfig() {
  const { run, siblings } = state.data;
  const select = h(
    'select',
    { id: 'diff-with', onchange: (e) => { state.diffWith = e.target.value; void renderDiff(); } },
    h('option', { value: '' }, '— choose a run —'),
    siblings.filter((s) => s.id !== run.id).map((s) => h('option', { value: String(s.id), selected: String(s.id) === state.diffWith }, `#${s.id} ${Object.values(s.params).map(valueLabel).join(', ')} · seed ${s.seed} (${s.status})`)),
  );
  el.config.replaceChildren(
    h('h2', {}, 'Resolved config'),
    h('div', { class: 'controls' }, h('label', {}, 'compare with', select)),
    h('div', { id: 'diff' }),
    h('details', { open: true }, h('summary', {}, 'full config (JSON)'), h('pre', { class: 'config', id: 'config-json' }, JSON.stringify(run.config, null, 2))),
  );
  await renderDiff();
}

async function renderDiff() {
  const box = el.config.querySelector('#diff');
  if (!state.diffWith) {
    box.replaceChildren();
    return;
  }
  const d = await api(`/api/runs/${runId}/diff?other=${encodeURIComponent(state.diffWith)}`);
  box.replaceChildren(
    d.differences.length === 0
      ? h('p', { class: 'muted' }, `Same config as run #${d.b} (only the seed may differ).`)
      : h(
          'table',
          { class: 'data', id: 'diff-table', style: { marginBottom: '10px' } },
          h('thead', {}, h('tr', {}, h('th', {}, 'path'), h('th', {}, `this run (#${d.a})`), h('th', {}, `run #${d.b}`))),
          h('tbody', {}, d.differences.map((x) => h('tr', {}, h('td', { class: 'mono' }, x.path), h('td', { class: 'mono' }, JSON.stringify(x.a)), h('td', { class: 'mono' }, JSON.stringify(x.b))))),
        ),
  );
}

function renderEvents() {
  const { run } = state.data;
  el.events.replaceChildren(
    h('h2', {}, 'History'),
    h(
      'table',
      { class: 'data' },
      h('thead', {}, h('tr', {}, h('th', {}, 'when'), h('th', {}, 'status'), h('th', {}, 'note'))),
      h('tbody', {}, run.events.map((e) => h('tr', {}, h('td', {}, new Date(e.at).toLocaleString()), h('td', {}, e.from ? `${e.from} → ${e.to}` : e.to), h('td', { class: 'muted', style: { whiteSpace: 'normal' } }, e.message ?? '')))),
    ),
  );
}

async function refresh() {
  const first = state.data === null;
  state.data = await api(`/api/runs/${encodeURIComponent(runId)}`);
  renderHeader();
  renderMetrics();
  if (first) await renderConfig();
  renderEvents();
  await Promise.all([renderArtifacts(), renderCurves()]);
}

main.replaceChildren(el.header, el.error, el.metrics, el.samples, el.curves, el.config, el.events);
const poller = livePoller(refresh, () => {
  const d = state.data;
  return !!d && (d.run.status === 'running' || (d.run.status === 'queued' && !!d.sweep?.live));
});
refresh().then(
  () => {
    document.body.dataset.ready = '1';
    poller.schedule();
  },
  (e) => main.replaceChildren(errorCard(e.message)),
);
