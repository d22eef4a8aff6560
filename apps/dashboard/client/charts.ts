// chart.js 4 wrappers: line charts of metric series, mean +- min-max bands, and bar charts with
// min-max whiskers and one dot per run. chart.js is the UMD build the pages load from /vendor
// (window.Chart, every controller registered); only its types are imported here.
import type { Chart as ChartJs, ChartConfiguration, ChartDataset, ChartOptions, ChartType, Plugin } from 'chart.js';
import { color, withAlpha } from './colors';
import type { BandPoint, Floor, GroupPoint, Stats, StepValue } from '../src/api-types';
import { floorBand } from './floor-band';
import { fmt, num } from './format';

declare global {
  interface Window {
    Chart: typeof ChartJs;
  }
}

// Our two extra dataset fields, typed on every chart.js dataset.
declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- a merged declaration repeats chart.js's type parameters
  interface ChartDatasetProperties<TType extends ChartType, TData> {
    /** An edge of a min-max band (bandChart): no legend entry, no tooltip. */
    band?: boolean;
    /** Per bar, [min, max] drawn as a whisker with caps (spreadBarChart). */
    whiskers?: [number | null, number | null][];
  }
}

const Chart = window.Chart;
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#5d6678';
Chart.defaults.plugins.legend.labels.boxWidth = 12;
Chart.defaults.plugins.legend.labels.boxHeight = 12;

/** Draws dataset.whiskers[i] = [min, max] as a vertical line with caps over bar i. */
const whiskers: Plugin = {
  id: 'whiskers',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((ds, di) => {
      if (!ds.whiskers) return;
      const meta = chart.getDatasetMeta(di);
      const y = chart.scales[meta.yAxisID ?? 'y'];
      ctx.save();
      ctx.strokeStyle = '#1d2330';
      ctx.lineWidth = 1.5;
      meta.data.forEach((bar, i) => {
        const w = ds.whiskers?.[i];
        if (!w || w[0] === null || w[1] === null || w[0] === w[1]) return;
        const { x, width } = bar.getProps(['x', 'width']);
        const top = y.getPixelForValue(w[1]);
        const bottom = y.getPixelForValue(w[0]);
        const cap = Math.min(10, width / 4);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - cap, top);
        ctx.lineTo(x + cap, top);
        ctx.moveTo(x - cap, bottom);
        ctx.lineTo(x + cap, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};
Chart.register(whiskers);

/** Creates the chart, or updates the one already on this canvas in place (no flicker when live). */
function renderChart(canvas: HTMLCanvasElement, config: ChartConfiguration): ChartJs {
  const existing = Chart.getChart(canvas);
  if (existing && 'type' in existing.config && existing.config.type === config.type) {
    existing.data = config.data;
    existing.options = config.options ?? {};
    existing.update('none');
    return existing;
  }
  existing?.destroy();
  return new Chart(canvas, config);
}

/** A point of a line chart; n = runs behind a band's mean (in the tooltip). */
interface XY {
  x: number;
  /** NaN: nothing to draw (a gap). */
  y: number;
  n?: number;
}
type LineDataset = ChartDataset<'line', XY[]>;

function allPositive(datasets: readonly LineDataset[]): boolean {
  return datasets.every((d) => d.data.every((p) => Number.isNaN(p.y) || p.y > 0));
}

export interface LineOptions {
  xLabel?: string;
  yLabel?: string;
  /** Log y axis, when every value is positive (else linear, and the axis title says why). */
  logY?: boolean;
  logX?: boolean;
  legend?: boolean;
}

function lineOptions(datasets: readonly LineDataset[], { xLabel = 'step', yLabel, logY = false, logX = false, legend = true }: LineOptions): ChartOptions<'line'> {
  const canLog = logY && allPositive(datasets);
  const isBand = (i: number | undefined) => i !== undefined && !!datasets[i]?.band;
  return {
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false, axis: 'x' },
    scales: {
      x: { type: logX ? 'logarithmic' : 'linear', title: { display: true, text: xLabel }, grid: { color: '#eef0f4' } },
      y: { type: canLog ? 'logarithmic' : 'linear', title: { display: !!yLabel, text: yLabel + (logY && !canLog ? ' (log scale off: values <= 0)' : '') }, grid: { color: '#eef0f4' } },
    },
    plugins: {
      legend: { display: legend, position: 'bottom', labels: { filter: (item) => !isBand(item.datasetIndex) } },
      tooltip: {
        filter: (item) => !isBand(item.datasetIndex),
        callbacks: {
          label: (item) => {
            const p = datasets[item.datasetIndex].data[item.dataIndex];
            return `${item.dataset.label}: ${fmt(p.y, 4)}${p.n !== undefined ? ` (n=${p.n})` : ''}`;
          },
        },
      },
    },
  };
}

function nonfiniteNote(points: readonly StepValue[]): string {
  const bad = points.find((p) => !Number.isFinite(num(p.value)));
  return bad ? ` (${fmt(bad.value)} at step ${bad.step})` : '';
}

export interface Series {
  label: string;
  points: readonly StepValue[];
  color?: string;
  width?: number;
}

export function lineChart(canvas: HTMLCanvasElement, series: readonly Series[], opts: LineOptions = {}): ChartJs {
  const datasets = series.map(
    (s, i): LineDataset => ({
      // A diverged value (NaN, +-Infinity) cannot be drawn: say where it happened.
      label: s.label + nonfiniteNote(s.points),
      data: s.points.map((p) => ({ x: p.step, y: num(p.value) ?? NaN })),
      borderColor: s.color ?? color(i),
      backgroundColor: s.color ?? color(i),
      borderWidth: s.width ?? 1.8,
      pointRadius: s.points.length <= 12 ? 2.5 : 0,
      spanGaps: false,
      tension: 0,
    }),
  );
  return renderChart(canvas, { type: 'line', data: { datasets }, options: lineOptions(datasets, opts) });
}

export interface BandGroup {
  label: string;
  points: readonly BandPoint[];
  color?: string;
}

/** A mean line per group with a min-max band. */
export function bandChart(canvas: HTMLCanvasElement, groups: readonly BandGroup[], opts: LineOptions = {}): ChartJs {
  const datasets: LineDataset[] = [];
  groups.forEach((g, i) => {
    const c = g.color ?? color(i);
    const at = (f: 'mean' | 'min' | 'max') => g.points.map((p): XY => ({ x: p.step, y: p[f] ?? NaN, n: p.n }));
    datasets.push({ label: `${g.label} min`, band: true, data: at('min'), borderWidth: 0, pointRadius: 0, fill: false, borderColor: 'transparent', backgroundColor: 'transparent' });
    datasets.push({ label: `${g.label} max`, band: true, data: at('max'), borderWidth: 0, pointRadius: 0, fill: '-1', borderColor: 'transparent', backgroundColor: withAlpha(c, 0.16) });
    datasets.push({ label: g.label, data: at('mean'), borderColor: c, backgroundColor: c, borderWidth: 2, pointRadius: g.points.length <= 12 ? 2.5 : 0, tension: 0 });
  });
  return renderChart(canvas, { type: 'line', data: { datasets }, options: lineOptions(datasets, opts) });
}

export interface SpreadGroup extends Stats {
  label: string;
  points: readonly GroupPoint[];
  color: string;
  /** The best group: darker, framed, starred. */
  best: boolean;
}

/** A bar's label as its tick: up to 24 characters, else the part before " (" (or the first 20 and
 * an ellipsis), keeping a trailing ★ or ≈. */
export function shortTick(label: string): string {
  if (label.length <= 24) return label;
  const mark = / [★≈]$/.exec(label)?.[0] ?? '';
  const text = label.slice(0, label.length - mark.length);
  const cut = text.indexOf(' (');
  return `${cut > 0 && cut <= 24 ? text.slice(0, cut) : `${text.slice(0, 20)}…`}${mark}`;
}

/** A run's dot in a spread bar chart: x = bar index + jitter. */
interface Dot {
  x: number;
  y: number;
  runId: number;
  seed: number;
}

/** Bars = means, whiskers = min..max, dots = the individual runs (seeds), jittered sideways. */
export function spreadBarChart(canvas: HTMLCanvasElement, groups: readonly SpreadGroup[], { yLabel, title, floor }: { yLabel?: string; title?: string; floor?: Floor | null }): ChartJs {
  const labels = groups.map((g) => (g.best ? `${g.label} ★` : g.label));
  const dots: Dot[] = [];
  // Many runs per bar (a large sweep): smaller, translucent dots spread wider.
  const many = Math.max(0, ...groups.map((g) => g.points.length)) > 30;
  groups.forEach((g, i) => {
    g.points.forEach((p, k) => {
      const jitter = g.points.length > 1 ? (k / (g.points.length - 1) - 0.5) * (many ? 0.6 : 0.3) : 0;
      dots.push({ x: i + jitter, y: num(p.value) ?? NaN, runId: p.runId, seed: p.seed });
    });
  });
  const bars: ChartDataset<'bar', (number | null)[]> = {
    type: 'bar',
    // One bar per category, centred on it (the dot dataset must not take a slot beside it).
    grouped: false,
    label: 'mean over runs (whiskers: min–max)',
    data: groups.map((g) => g.mean),
    whiskers: groups.map((g) => [g.min, g.max]),
    backgroundColor: groups.map((g) => withAlpha(g.color, g.best ? 0.85 : 0.45)),
    borderColor: groups.map((g) => (g.best ? '#1d2330' : g.color)),
    borderWidth: groups.map((g) => (g.best ? 2 : 1)),
    maxBarThickness: 70,
  };
  const runs: ChartDataset<'line', Dot[]> = {
    type: 'line',
    label: 'one run (seed)',
    xAxisID: 'xDots',
    data: dots,
    showLine: false,
    pointRadius: many ? 1.6 : 3.5,
    pointHoverRadius: 5,
    pointBorderWidth: 0,
    pointBackgroundColor: many ? 'rgba(29, 35, 48, 0.35)' : '#1d2330',
    borderColor: '#1d2330',
    backgroundColor: '#1d2330',
  };
  // The noise floor: a grey band from (floor mean - scatter) to its upper edge, across all bars, and a
  // dashed line at its mean (what true data samples of the same size score).
  const floorSets: ChartDataset<'line', { x: number; y: number }[]>[] = [];
  const band = floor ? floorBand(floor) : null;
  if (floor && band) {
    // Clipped at 0 (floor-band.ts): an MMD² estimate below 0 is noise around 0, not a better value.
    const edge = (y: number) => [{ x: -0.5, y }, { x: groups.length - 0.5, y }];
    floorSets.push(
      { type: 'line', label: `${floor.key} band`, band: true, xAxisID: 'xDots', data: edge(band.lo), borderWidth: 0, pointRadius: 0, fill: false, borderColor: 'transparent', backgroundColor: 'transparent' },
      { type: 'line', label: `${floor.key} band top`, band: true, xAxisID: 'xDots', data: edge(band.hi), borderWidth: 0, pointRadius: 0, fill: '-1', borderColor: 'transparent', backgroundColor: 'rgba(120, 128, 145, 0.22)' },
      {
        type: 'line',
        label: `floor ${floor.key} ${fmt(floor.mean)}${floor.scatter !== null ? ` ± ${fmt(floor.scatter)}` : ' (1 draw)'}${band.clipped ? ', drawn from 0' : ''}`,
        xAxisID: 'xDots',
        data: edge(band.line),
        borderWidth: 1.5,
        borderDash: [5, 4],
        pointRadius: 0,
        borderColor: '#5d6678',
        backgroundColor: 'rgba(120, 128, 145, 0.4)',
      },
    );
  }
  const config: ChartConfiguration = {
    type: 'bar',
    data: { labels, datasets: [bars, runs, ...floorSets] },
    options: {
      scales: {
        x: {
          type: 'category',
          grid: { display: false },
          // Long values (a swept section: "ve (sigmaMin=0.01, sigmaMax=100)") shortened to their kind; the tooltip has them whole.
          ticks: {
            color: '#1d2330',
            font: { weight: 600 },
            callback(value) {
              return shortTick(this.getLabelForValue(Number(value)));
            },
          },
        },
        // The dots' own axis: index i of the linear axis on [-0.5, n - 0.5] falls on the centre of bar i,
        // and fractional values let the seeds of one bar sit side by side.
        xDots: { type: 'linear', display: false, offset: false, min: -0.5, max: groups.length - 0.5 },
        y: { beginAtZero: true, title: { display: !!yLabel, text: yLabel }, grid: { color: '#eef0f4' } },
      },
      plugins: {
        title: { display: !!title, text: title, color: '#1d2330', font: { size: 13, weight: 600 } },
        legend: { display: true, position: 'bottom', labels: { boxWidth: 10, font: { size: 11 }, filter: (item) => !(item.datasetIndex !== undefined && config.data.datasets[item.datasetIndex]?.band) } },
        tooltip: {
          filter: (item) => item.datasetIndex < 2,
          callbacks: {
            label: (item) => {
              if (item.datasetIndex === 0) {
                const g = groups[item.dataIndex];
                return `mean ${fmt(g.mean, 4)} (min ${fmt(g.min)}, max ${fmt(g.max)}, n=${g.n})`;
              }
              const d = dots[item.dataIndex];
              return `run #${d.runId} (seed ${d.seed}): ${fmt(d.y, 4)}`;
            },
          },
        },
      },
    },
  };
  return renderChart(canvas, config);
}
