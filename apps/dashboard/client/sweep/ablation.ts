// Objectives side by side (SM vs SSM(-VR) vs DSM, or grouped by any swept parameter): one bar chart
// per final metric — bar = mean, whiskers = min–max, dots = single runs — and the ms per step.
import type { AblationGroup, GroupStats } from '../../src/api-types';
import { fetchAblation } from '../api';
import { spreadBarChart } from '../charts';
import { h } from '../dom';
import { directionWord } from '../format';
import { paramPaths, valueColor, type SweepPage } from './context';

export async function renderAblation(page: SweepPage): Promise<void> {
  const section = page.sections.ablation;
  const paths = paramPaths(page);
  const p = page.state.ablationParam ?? (paths.includes('loss.kind') ? 'loss.kind' : paths[0]);
  if (!p) {
    section.replaceChildren(h('h2', {}, 'Ablation'), h('p', { class: 'muted' }, 'Nothing was swept.'));
    return;
  }
  const ab = await fetchAblation(page.summary.sweep.id, p);
  // The server answers unavailable only without swept parameters, which was handled above.
  if (!ab.available) return;
  page.state.ablationParam = ab.param;
  const grid = h('div', { class: 'grid3', id: 'ablation-charts' });
  const select = h(
    'select',
    {
      id: 'ablation-param',
      onchange: (e) => {
        page.state.ablationParam = e.currentTarget.value;
        void renderAblation(page);
      },
    },
    paths.map((q) => h('option', { value: q, selected: q === ab.param }, q)),
  );
  section.replaceChildren(
    h('h2', {}, ab.param === 'loss.kind' ? 'Objectives side by side: SM vs SSM(-VR) vs DSM' : `Side by side by ${ab.param}`),
    h(
      'p',
      { class: 'hint' },
      `Final metrics of finished runs grouped by ${ab.param}${ab.pooled.length ? ` (pooled over ${ab.pooled.join(', ')} and seeds)` : ' (pooled over seeds)'}: bar = mean, whiskers = min–max, dots = single runs. ★ marks the best group (≈: groups not distinguishable from the best, none starred); the grey band is the floor ref/<name> ± its scatter (what true data samples of the same size score), cut at 0: every floored metric is ≥ 0, and an unbiased MMD² estimate below 0 only means no difference was detected, so the band is one-sided there ("drawn from 0" in the legend); the last chart is the time per training step.`,
    ),
    h('div', { class: 'controls' }, h('label', {}, 'group by', select)),
    grid,
  );
  const hasTimes = ab.groups.some((g) => g.msPerStep.n > 0);
  if (ab.metrics.length === 0 && !hasTimes) {
    grid.replaceWith(h('p', { class: 'muted' }, 'No finished run has eval/fisher, eval/nll, sample/* or perf/steps_per_sec yet.'));
    return;
  }
  const bars = (stats: (g: AblationGroup) => GroupStats, best: string | null) =>
    ab.groups.map((g) => ({ label: g.label, ...stats(g), color: valueColor(page, ab.param, g.key), best: best === g.key }));
  for (const m of ab.metrics) {
    const v = ab.verdicts[m];
    // Not distinguishable: no group is crowned; the tied ones are marked ≈ instead.
    const clear = !v || v.distinguishable;
    const groups = bars((g) => g.metrics[m], clear ? ab.best[m] : null).map((g, i) => {
      const tied = !clear && v?.ranking.some((c) => c.key === ab.groups[i].key && c.tied);
      return tied ? { ...g, label: `${g.label} ≈` } : g;
    });
    spreadBarChart(page.canvas(grid, `ablation-${m}`, 'chartbox short'), groups, {
      title: `${m} (${directionWord(ab.directions[m])})${clear ? '' : ' · not distinguishable'}`,
      floor: ab.floors[m] ?? null,
    });
  }
  const notes = ab.metrics.flatMap((m) => {
    const v = ab.verdicts[m];
    return v && !v.distinguishable ? [`${m}: ${v.reason}`] : [];
  });
  if (notes.length > 0) grid.before(h('p', { class: 'notice small', id: 'ablation-verdicts' }, notes.join(' · ')));
  if (hasTimes) {
    spreadBarChart(page.canvas(grid, 'ablation-msPerStep', 'chartbox short'), bars((g) => g.msPerStep, ab.best.msPerStep), {
      title: 'ms per training step (from perf/steps_per_sec; lower is better)',
      yLabel: 'ms / step',
    });
  }
}
