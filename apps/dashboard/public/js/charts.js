// chart.js 4 (window.Chart, served from node_modules) wrappers: line charts of metric series, mean
// +- min-max bands, and bar charts with min-max whiskers and one dot per run.
import { color, fmt, num, withAlpha } from './util.js';

const Chart = window.Chart;
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#5d6678';
Chart.defaults.plugins.legend.labels.boxWidth = 12;
Chart.defaults.plugins.legend.labels.boxHeight = 12;

/** Draws dataset.whiskers[i] = [min, max] as a vertical line with caps over bar i. */
const whiskers = {
  id: 'whiskers',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((ds, di) => {
      if (!ds.whiskers) return;
      const meta = chart.getDatasetMeta(di);
      const y = chart.scales[meta.yAxisID];
      ctx.save();
      ctx.strokeStyle = '#1d2330';
      ctx.lineWidth = 1.5;
      meta.data.forEach((bar, i) => {
        const w = ds.whiskers[i];
        if (!w || w[0] === null || w[1] === null || w[0] === w[1]) return;
        const top = y.getPixelForValue(w[1]);
        const bottom = y.getPixelForValue(w[0]);
        const cap = Math.min(10, bar.width / 4);
        ctx.beginPath();
        ctx.moveTo(bar.x, top);
        ctx.lineTo(bar.x, bottom);
        ctx.moveTo(bar.x - cap, top);
        ctx.lineTo(bar.x + cap, top);
        ctx.moveTo(bar.x - cap, bottom);
        ctx.lineTo(bar.x + cap, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};
Chart.register(whiskers);

/** Creates the chart, or updates the one already on this canvas in place (no flicker when live). */
export function renderChart(canvas, config) {
  const existing = Chart.getChart(canvas);
  if (existing && existing.config.type === config.type) {
    existing.data = config.data;
    existing.options = config.options;
    existing.update('none');
    return existing;
  }
  existing?.destroy();
  return new Chart(canvas, config);
}

function allPositive(datasets) {
  return datasets.every((d) => d.data.every((p) => p.y === null || Number.isNaN(p.y) || p.y > 0));
}

function lineOptions({ xLabel = 'step', yLabel, logY, logX = false, datasets, legend = true }) {
  const canLog = logY && allPositive(datasets);
  return {
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false, axis: 'x' },
    scales: {
      x: { type: logX ? 'logarithmic' : 'linear', title: { display: true, text: xLabel }, grid: { color: '#eef0f4' } },
      y: { type: canLog ? 'logarithmic' : 'linear', title: { display: !!yLabel, text: yLabel + (logY && !canLog ? ' (log scale off: values <= 0)' : '') }, grid: { color: '#eef0f4' } },
    },
    plugins: {
      legend: { display: legend, position: 'bottom', labels: { filter: (item, data) => !data.datasets[item.datasetIndex].band } },
      tooltip: {
        filter: (item) => !item.dataset.band,
        callbacks: { label: (item) => `${item.dataset.label}: ${fmt(item.raw.y, 4)}${item.raw.n !== undefined ? ` (n=${item.raw.n})` : ''}` },
      },
    },
  };
}

function nonfiniteNote(points) {
  const bad = points.find((p) => !Number.isFinite(num(p.value)));
  return bad ? ` (${fmt(bad.value)} at step ${bad.step})` : '';
}

/** series: [{ label, points: [{step, value}], color? }] */
export function lineChart(canvas, series, opts = {}) {
  const datasets = series.map((s, i) => ({
    // A diverged value (NaN, +-Infinity) cannot be drawn: say where it happened.
    label: s.label + nonfiniteNote(s.points),
    data: s.points.map((p) => ({ x: p.step, y: num(p.value) })),
    borderColor: s.color ?? color(i),
    backgroundColor: s.color ?? color(i),
    borderWidth: s.width ?? 1.8,
    pointRadius: s.points.length <= 12 ? 2.5 : 0,
    spanGaps: false,
    tension: 0,
  }));
  return renderChart(canvas, { type: 'line', data: { datasets }, options: lineOptions({ ...opts, datasets }) });
}

/** groups: [{ label, points: [{step, mean, min, max, n}], color? }] -> mean line with a min-max band. */
export function bandChart(canvas, groups, opts = {}) {
  const datasets = [];
  groups.forEach((g, i) => {
    const c = g.color ?? color(i);
    const at = (f) => g.points.map((p) => ({ x: p.step, y: p[f] === null ? NaN : num(p[f]), n: p.n }));
    datasets.push({ label: `${g.label} min`, band: true, data: at('min'), borderWidth: 0, pointRadius: 0, fill: false, borderColor: 'transparent', backgroundColor: 'transparent' });
    datasets.push({ label: `${g.label} max`, band: true, data: at('max'), borderWidth: 0, pointRadius: 0, fill: '-1', borderColor: 'transparent', backgroundColor: withAlpha(c, 0.16) });
    datasets.push({ label: g.label, data: at('mean'), borderColor: c, backgroundColor: c, borderWidth: 2, pointRadius: g.points.length <= 12 ? 2.5 : 0, tension: 0 });
  });
  return renderChart(canvas, { type: 'line', data: { datasets }, options: lineOptions({ ...opts, datasets }) });
}

/**
 * groups: [{ label, mean, min, max, points: [{ value, runId, seed }], color, best }]
 * Bars = means, whiskers = min..max, dots = the individual runs (seeds), jittered sideways.
 */
export function spreadBarChart(canvas, groups, { yLabel, title }) {
  const labels = groups.map((g) => (g.best ? `${g.label} ★` : g.label));
  const dots = [];
  // Many runs per bar (a large sweep): smaller, translucent dots spread wider.
  const many = Math.max(0, ...groups.map((g) => g.points.length)) > 30;
  groups.forEach((g, i) => {
    g.points.forEach((p, k) => {
      const jitter = g.points.length > 1 ? (k / (g.points.length - 1) - 0.5) * (many ? 0.6 : 0.3) : 0;
      dots.push({ x: i + jitter, y: num(p.value), runId: p.runId, seed: p.seed });
    });
  });
  const datasets = [
    {
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
    },
    {
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
    },
  ];
  return renderChart(canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      scales: {
        x: { type: 'category', grid: { display: false }, ticks: { color: '#1d2330', font: { weight: '600' } } },
        // The dots' own axis: index i of the linear axis on [-0.5, n - 0.5] falls on the centre of bar i,
        // and fractional values let the seeds of one bar sit side by side.
        xDots: { type: 'linear', display: false, offset: false, min: -0.5, max: groups.length - 0.5 },
        y: { beginAtZero: true, title: { display: !!yLabel, text: yLabel }, grid: { color: '#eef0f4' } },
      },
      plugins: {
        title: { display: !!title, text: title, color: '#1d2330', font: { size: 13, weight: '600' } },
        legend: { display: true, position: 'bottom', labels: { boxWidth: 10, font: { size: 11 } } },
        tooltip: {
          callbacks: {
            label: (item) =>
              item.dataset.type === 'bar'
                ? `mean ${fmt(item.raw, 4)} (min ${fmt(groups[item.dataIndex].min)}, max ${fmt(groups[item.dataIndex].max)}, n=${groups[item.dataIndex].n})`
                : `run #${item.raw.runId} (seed ${item.raw.seed}): ${fmt(item.raw.y, 4)}`,
          },
        },
      },
    },
  });
}
