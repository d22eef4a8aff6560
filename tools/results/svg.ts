/**
 * A small dependency-free SVG chart writer for docs/results.md: line charts (optionally without
 * lines, i.e. scatter plots, with vertical error bars) and grouped bar charts, with axes, ticks, a
 * legend and linear or log10 scales. The output is a standalone SVG string (no scripts, no fonts
 * to load) that GitHub renders inline.
 */

export interface Axis {
  label: string;
  /** log10 scale; every plotted value on this axis must then be > 0. */
  log?: boolean;
  /** Range; by default the data range (padded to nice ticks on a linear axis, to decades on a log axis). */
  min?: number;
  max?: number;
  /** Fixed ticks with their labels (a categorical axis: values 0, 1, 2, ... labelled by name). */
  ticks?: { value: number; label: string }[];
}

export interface Point {
  x: number;
  y: number;
  /** Optional vertical error bar from yLow to yHigh (e.g. min and max over seeds). */
  yLow?: number;
  yHigh?: number;
}

export interface LineSeries {
  label: string;
  points: Point[];
  /** Draw the connecting line (default true); false gives a scatter plot. */
  line?: boolean;
  dashed?: boolean;
  /** Overrides the palette colour. */
  color?: string;
  /** Draw yLow..yHigh as a translucent band around the line instead of error bars. */
  band?: boolean;
}

export interface ReferenceLine {
  /** Horizontal line at this y value. */
  y: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  x: Axis;
  y: Axis;
  series: LineSeries[];
  references?: ReferenceLine[];
  width?: number;
  height?: number;
}

export interface BarSeries {
  label: string;
  /** One value per group; null leaves a gap. */
  values: (number | null)[];
  color?: string;
}

export interface BarChartOptions {
  title: string;
  /** Category labels along the x axis. */
  groups: string[];
  xLabel?: string;
  series: BarSeries[];
  y: Axis;
  references?: ReferenceLine[];
  width?: number;
  height?: number;
  /** Legend entries; default true. Off when each group is one bar and the labels say it all. */
  legend?: boolean;
}

/** Tableau 10: distinguishable, and readable for the common colour-vision deficiencies. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Shortest readable label of a tick value: 0.001, 0.5, 20, 1e+4 -> '1e4'. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = v.toExponential().split('e');
    return `${Number(Number(m).toPrecision(3))}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(6)));
}

/** "Nice" linear ticks (steps of 1, 2 or 5 times a power of ten) covering [lo, hi]. */
export function linearTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const first = Math.ceil(lo / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = first; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Ticks of a log10 axis on [lo, hi] (both > 0): the decades, plus 2 and 5 times them when the range spans at most two decades. */
export function logTicks(lo: number, hi: number): number[] {
  const e0 = Math.floor(Math.log10(lo) + 1e-9);
  const e1 = Math.ceil(Math.log10(hi) - 1e-9);
  const mults = Math.log10(hi / lo) <= 2 + 1e-9 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = e0; e <= e1; e++) {
    for (const m of mults) {
      const t = Number((m * 10 ** e).toPrecision(12));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks;
}

/** The nearest value of the form {1, 2, 5} x 10^k below (down) or above (up) v > 0. */
export function niceLogBound(v: number, dir: 'down' | 'up'): number {
  const e = Math.floor(Math.log10(v) + 1e-9);
  const candidates = [-1, 0, 1].flatMap((de) => [1, 2, 5].map((m) => Number((m * 10 ** (e + de)).toPrecision(12))));
  return dir === 'down' ? Math.max(...candidates.filter((c) => c <= v * (1 + 1e-9))) : Math.min(...candidates.filter((c) => c >= v * (1 - 1e-9)));
}

interface Scale {
  map(v: number): number;
  ticks: number[];
  lo: number;
  hi: number;
}

/** Maps data values on `axis` to pixels in [p0, p1] (p1 < p0 for a y axis). */
export function makeScale(axis: Axis, values: number[], p0: number, p1: number): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  if (axis.log && values.some((v) => Number.isFinite(v) && v <= 0)) {
    throw new Error(`axis "${axis.label}": log scale needs values > 0, got ${values.find((v) => v <= 0)}`);
  }
  let lo = axis.min ?? (finite.length ? Math.min(...finite) : axis.log ? 1 : 0);
  let hi = axis.max ?? (finite.length ? Math.max(...finite) : axis.log ? 10 : 1);
  if (axis.log) {
    if (lo === hi) {
      lo /= 2;
      hi *= 2;
    }
    // Widen to the nearest 1, 2 or 5 times a power of ten unless the caller fixed the range, so the
    // extreme points sit inside the ticks.
    if (axis.min === undefined) lo = niceLogBound(lo, 'down');
    if (axis.max === undefined) hi = niceLogBound(hi, 'up');
    const l0 = Math.log10(lo);
    const l1 = Math.log10(hi);
    return { lo, hi, ticks: logTicks(lo, hi), map: (v) => p0 + ((Math.log10(v) - l0) / (l1 - l0)) * (p1 - p0) };
  }
  if (lo === hi) {
    lo -= lo === 0 ? 1 : Math.abs(lo) * 0.5;
    hi += hi === 0 ? 1 : Math.abs(hi) * 0.5;
  }
  const ticks0 = linearTicks(lo, hi);
  const step = ticks0.length > 1 ? ticks0[1] - ticks0[0] : hi - lo;
  if (axis.min === undefined) lo = Math.floor(lo / step + 1e-9) * step;
  if (axis.max === undefined) hi = Math.ceil(hi / step - 1e-9) * step;
  const l = lo;
  const h = hi;
  return { lo, hi, ticks: linearTicks(lo, hi), map: (v) => p0 + ((v - l) / (h - l)) * (p1 - p0) };
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r(x)}" y="${r(y)}" ${FONT} ${attrs}>${escapeXml(s)}</text>`;
}

function r(v: number): string {
  return String(Math.round(v * 10) / 10);
}

interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}

function frameOf(width: number, height: number, legendWidth: number): Frame {
  const left = 72;
  const top = 40;
  const right = width - 16 - legendWidth;
  const bottom = height - 52;
  return { left, top, right, bottom, width, height };
}

function legendWidthOf(labels: string[]): number {
  if (labels.length === 0) return 0;
  // About 6.5 px per character at 12 px, plus the swatch.
  return Math.min(260, 34 + Math.max(...labels.map((l) => l.length)) * 6.5);
}

function header(f: Frame, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}">`,
    `<rect width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
    text(f.width / 2, 22, title, 'font-size="15" font-weight="bold" text-anchor="middle"'),
  ];
}

function yAxis(f: Frame, y: Scale, axis: Axis): string[] {
  const out: string[] = [];
  for (const t of axis.ticks ?? y.ticks.map((value) => ({ value, label: formatTick(value) }))) {
    const py = y.map(t.value);
    out.push(`<line x1="${f.left}" y1="${r(py)}" x2="${f.right}" y2="${r(py)}" stroke="#e5e5e5"/>`);
    out.push(text(f.left - 6, py + 4, t.label, 'font-size="11" text-anchor="end" fill="#333"'));
  }
  const cy = (f.top + f.bottom) / 2;
  out.push(text(16, cy, axis.label, `font-size="12" text-anchor="middle" transform="rotate(-90 16 ${r(cy)})"`));
  return out;
}

function frameBox(f: Frame): string {
  return `<rect x="${f.left}" y="${f.top}" width="${f.right - f.left}" height="${f.bottom - f.top}" fill="none" stroke="#333"/>`;
}

function legend(f: Frame, entries: { label: string; color: string; dashed?: boolean; box?: boolean; dot?: boolean }[]): string[] {
  const out: string[] = [];
  const x = f.right + 14;
  entries.forEach((e, i) => {
    const y = f.top + 8 + i * 18;
    if (e.box) out.push(`<rect x="${x}" y="${y - 6}" width="14" height="10" fill="${e.color}"/>`);
    else if (e.dot) out.push(`<circle cx="${x + 9}" cy="${y}" r="4" fill="${e.color}"/>`);
    else out.push(`<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${e.color}" stroke-width="2"${e.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(text(x + 24, y + 4, e.label, 'font-size="12"'));
  });
  return out;
}

function referenceLines(f: Frame, y: Scale, refs: ReferenceLine[]): string[] {
  return refs.flatMap((ref) => {
    const py = y.map(ref.y);
    return [
      `<line x1="${f.left}" y1="${r(py)}" x2="${f.right}" y2="${r(py)}" stroke="#555" stroke-dasharray="2 3"/>`,
      text(f.left + 4, py - 4, ref.label, 'font-size="11" fill="#555"'),
    ];
  });
}

/** A line (or scatter) chart with optional error bars; returns the SVG document. */
export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 420;
  const f = frameOf(width, height, legendWidthOf(opts.series.map((s) => s.label)));
  const xs = opts.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = [
    ...opts.series.flatMap((s) => s.points.flatMap((p) => [p.y, p.yLow ?? p.y, p.yHigh ?? p.y])),
    ...(opts.references ?? []).map((ref) => ref.y),
  ];
  const x = makeScale(opts.x, xs, f.left, f.right);
  const y = makeScale(opts.y, ys, f.bottom, f.top);
  const out = header(f, opts.title);
  out.push(...yAxis(f, y, opts.y));
  for (const t of opts.x.ticks ?? x.ticks.map((value) => ({ value, label: formatTick(value) }))) {
    const px = x.map(t.value);
    out.push(`<line x1="${r(px)}" y1="${f.top}" x2="${r(px)}" y2="${f.bottom}" stroke="#e5e5e5"/>`);
    out.push(text(px, f.bottom + 16, t.label, 'font-size="11" text-anchor="middle" fill="#333"'));
  }
  out.push(text((f.left + f.right) / 2, f.bottom + 38, opts.x.label, 'font-size="12" text-anchor="middle"'));
  out.push(frameBox(f));
  out.push(...referenceLines(f, y, opts.references ?? []));
  const inRange = (p: Point) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!opts.x.log || p.x > 0) && (!opts.y.log || p.y > 0);
  opts.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = s.points.filter(inRange);
    const banded = pts.filter((p) => p.yLow !== undefined && p.yHigh !== undefined && (!opts.y.log || p.yLow > 0));
    if (s.band && banded.length > 1) {
      // Upper edge left to right, lower edge back: one closed polygon.
      const edge = [...banded.map((p) => [x.map(p.x), y.map(p.yHigh!)]), ...[...banded].reverse().map((p) => [x.map(p.x), y.map(p.yLow!)])];
      out.push(`<path d="${edge.map(([px, py], k) => `${k === 0 ? 'M' : 'L'}${r(px)} ${r(py)}`).join('')}Z" fill="${color}" fill-opacity="0.18" stroke="none"/>`);
    }
    for (const p of s.band ? [] : pts) {
      if (p.yLow !== undefined && p.yHigh !== undefined) {
        const px = x.map(p.x);
        const [a, b] = [y.map(p.yLow), y.map(p.yHigh)];
        out.push(`<path d="M${r(px)} ${r(a)}V${r(b)}M${r(px - 3)} ${r(a)}h6M${r(px - 3)} ${r(b)}h6" stroke="${color}" fill="none"/>`);
      }
    }
    if (s.line !== false && pts.length > 1) {
      const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${r(x.map(p.x))} ${r(y.map(p.y))}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    }
    for (const p of pts) out.push(`<circle cx="${r(x.map(p.x))}" cy="${r(y.map(p.y))}" r="3" fill="${color}"/>`);
  });
  out.push(...legend(f, opts.series.map((s, i) => ({ label: s.label, color: s.color ?? PALETTE[i % PALETTE.length], dashed: s.dashed, dot: s.line === false }))));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** A grouped bar chart: one cluster per group, one bar per series. */
export function barChart(opts: BarChartOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 420;
  const showLegend = opts.legend ?? true;
  const f = frameOf(width, height, showLegend ? legendWidthOf(opts.series.map((s) => s.label)) : 0);
  const values = opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  // Bars start at 0 on a linear axis, so 0 is in range.
  const y = makeScale(opts.y, opts.y.log ? values : [0, ...values, ...(opts.references ?? []).map((ref) => ref.y)], f.bottom, f.top);
  const out = header(f, opts.title);
  out.push(...yAxis(f, y, opts.y));
  const groupWidth = (f.right - f.left) / Math.max(1, opts.groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, opts.series.length);
  const base = opts.y.log ? f.bottom : y.map(Math.max(y.lo, 0));
  opts.groups.forEach((g, gi) => {
    const gx = f.left + gi * groupWidth;
    out.push(text(gx + groupWidth / 2, f.bottom + 16, g, 'font-size="11" text-anchor="middle" fill="#333"'));
    opts.series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === null || v === undefined || !Number.isFinite(v) || (opts.y.log && v <= 0)) return;
      const color = s.color ?? PALETTE[si % PALETTE.length];
      const py = y.map(v);
      const top = Math.min(py, base);
      out.push(`<rect x="${r(gx + groupWidth * 0.1 + si * barWidth)}" y="${r(top)}" width="${r(barWidth * 0.92)}" height="${r(Math.abs(base - py))}" fill="${color}"/>`);
    });
  });
  if (opts.xLabel) out.push(text((f.left + f.right) / 2, f.bottom + 38, opts.xLabel, 'font-size="12" text-anchor="middle"'));
  out.push(frameBox(f));
  out.push(...referenceLines(f, y, opts.references ?? []));
  if (showLegend) out.push(...legend(f, opts.series.map((s, i) => ({ label: s.label, color: s.color ?? PALETTE[i % PALETTE.length], box: true }))));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
