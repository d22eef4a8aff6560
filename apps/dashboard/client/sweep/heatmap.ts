// The heatmap: a final metric over two swept parameters (rows and columns selectable), one cell per
// pair of values with its mean over seeds, range and run count; ★ on the best cell. Clicking a cell
// compares its runs' curves.
import type { HeatmapCell } from '../../src/api-types';
import { fetchHeatmap } from '../api';
import { h } from '../dom';
import { directionWord, fmt } from '../format';
import { paramPaths, type SweepPage } from './context';
import { floorText, verdictLine } from './summary';

type Rgb = [number, number, number];

/** Colour of a cell: t = 0 best .. 1 worst, from a saturated green-teal to a pale yellow. */
export function heatColor(t: number): { bg: string; ink: string } {
  const stops: [number, Rgb][] = [
    [0, [26, 128, 96]],
    [0.5, [134, 196, 150]],
    [1, [250, 240, 200]],
  ];
  let k = 0;
  while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
  const [t0, c0] = stops[k];
  const [t1, c1] = stops[k + 1];
  const f = Math.min(1, Math.max(0, (t - t0) / (t1 - t0)));
  const c = c0.map((v, i) => Math.round(v + f * (c1[i] - v)));
  return { bg: `rgb(${c.join(',')})`, ink: t < 0.35 ? '#fff' : '#1d2330' };
}

/** The small print of a cell: range and n, diverged runs, runs not finished. */
function cellNote(cell: HeatmapCell): string {
  const extra: string[] = [];
  if (cell.n > 1) extra.push(`${fmt(cell.min)}–${fmt(cell.max)} · n=${cell.n}`);
  else if (cell.n === 1) extra.push('n=1');
  if (cell.nonfinite > 0) extra.push(`${cell.nonfinite} diverged`);
  for (const [status, n] of Object.entries(cell.notFinished)) if (n > 0) extra.push(`${n} ${status}`);
  return extra.join(' · ');
}

export async function renderHeatmap(page: SweepPage): Promise<void> {
  const s = page.summary;
  const { heat } = page.state;
  const section = page.sections.heatmap;
  const params = new URLSearchParams({ metric: s.metric ?? '' });
  if (!s.metric) params.delete('metric');
  if (heat.x) params.set('x', heat.x);
  if (heat.y !== null) params.set('y', heat.y);
  const hm = await fetchHeatmap(s.sweep.id, params);
  if (!hm.available) {
    section.replaceChildren(h('h2', {}, 'Heatmap'), h('p', { class: 'muted' }, `Not available: ${hm.reason}.`));
    return;
  }
  heat.x = hm.x.path;
  heat.y = hm.y ? hm.y.path : '';
  const paths = paramPaths(page);
  const finite = hm.cells.flat().flatMap((c) => (c.mean === null ? [] : [c.mean]));
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  // Values spanning more than a factor 20 (all positive) are coloured on a log scale.
  const useLog = lo > 0 && hi / lo > 20;
  const tOf = (v: number) => {
    if (hi === lo) return 0;
    const f = useLog ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
    return hm.direction === 'higher' ? 1 - f : f;
  };
  const rows = hm.cells.map((cols, r) =>
    h(
      'tr',
      {},
      h('th', { class: 'axis' }, hm.y ? hm.y.values[r].label : ''),
      cols.map((cell, c) => {
        const isBest = hm.best !== null && hm.best.row === r && hm.best.col === c;
        // The star only for a best that is distinguishable; ≈ on every cell tied with it otherwise.
        const clear = !hm.verdict || hm.verdict.distinguishable;
        const mark = isBest ? (clear ? '★ ' : '≈ ') : !clear && cell.tied ? '≈ ' : '';
        if (cell.mean === null) {
          return h('td', { class: 'empty', title: 'no finished run with a finite value' }, h('span', { class: 'v' }, cell.nonfinite > 0 ? 'NaN' : '—'), h('span', { class: 's' }, cellNote(cell)));
        }
        const { bg, ink } = heatColor(tOf(cell.mean));
        return h(
          'td',
          {
            class: isBest && clear ? 'best' : isBest ? 'best unclear' : '',
            style: { background: bg, color: ink },
            title: `runs ${cell.runIds.map((id) => `#${id}`).join(', ')} — click to compare their curves`,
            onclick: () => page.selectRuns(cell.runIds),
          },
          h('span', { class: 'v' }, `${mark}${fmt(cell.mean)}`),
          h('span', { class: 's' }, cellNote(cell)),
          cell.fromData ? h('span', { class: 's' }, '≈ data') : null,
        );
      }),
    ),
  );
  const axisSelect = (id: string, value: string | null, allowNone: boolean, onchange: (path: string) => void) =>
    h(
      'select',
      { id, onchange: (e) => onchange(e.currentTarget.value) },
      allowNone ? h('option', { value: '', selected: value === '' }, '(none)') : null,
      paths.map((p) => h('option', { value: p, selected: p === value }, p)),
    );
  const ramp = h('span', { class: 'ramp', style: { background: `linear-gradient(90deg, ${heatColor(0).bg}, ${heatColor(0.5).bg}, ${heatColor(1).bg})` } });
  section.replaceChildren(
    h('h2', {}, `${hm.metric} by ${hm.y ? `${hm.y.path} × ` : ''}${hm.x.path}`),
    h('p', { class: 'hint' }, `Mean over seeds${hm.pooled.length ? ` and ${hm.pooled.join(', ')}` : ''} of the final value (finished runs). ★ = best cell (${directionWord(hm.direction)}), ≈ = not distinguishable from the best. Click a cell to compare its runs' curves.`),
    h(
      'div',
      { class: 'controls' },
      h(
        'label',
        {},
        'rows',
        axisSelect('heat-y', heat.y, true, (v) => {
          heat.y = v;
          if (v === heat.x) heat.x = paths.find((p) => p !== v) ?? null;
          void renderHeatmap(page);
        }),
      ),
      h(
        'label',
        {},
        'columns',
        axisSelect('heat-x', heat.x, false, (v) => {
          heat.x = v;
          if (v === heat.y) heat.y = paths.find((p) => p !== v) ?? '';
          void renderHeatmap(page);
        }),
      ),
    ),
    h(
      'table',
      { class: 'heatmap', id: 'heatmap-table' },
      h('thead', {}, h('tr', {}, h('th', { class: 'muted small' }, hm.y ? `${hm.y.path} ↓  ${hm.x.path} →` : `${hm.x.path} →`), hm.x.values.map((v) => h('th', { class: 'axis' }, v.label)))),
      h('tbody', {}, rows),
    ),
    h('div', { class: 'legendbar', id: 'heatmap-legend' }, 'best', ramp, 'worst', useLog ? ' (log scale)' : '', ` · ${fmt(hm.direction === 'higher' ? hi : lo)} … ${fmt(hm.direction === 'higher' ? lo : hi)}`, hm.floor ? ` · ${floorText(hm.floor)}; "≈ data" marks such cells` : ''),
    ...(hm.verdict ? [verdictLine(hm.verdict, 'heatmap-verdict')] : []),
  );
}
