/** Plain-canvas pictures of the playground: a line chart, bars, a vector field, a heat map, a scatter. */
import type { Grid } from '@scorelab/config';

const INK = '#1f2937';
const MUTED = '#9ca3af';

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas context');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  return ctx;
}

/** y against x, log-scaled y when every value is positive; NaN and infinities are skipped. */
export function lineChart(canvas: HTMLCanvasElement, series: { label: string; color: string; points: [number, number][] }[]): void {
  const ctx = context(canvas);
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (all.length === 0) return;
  const log = all.every(([, y]) => y > 0);
  const fy = (y: number) => (log ? Math.log10(y) : y);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => fy(y));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = { l: 52, r: 8, t: 8, b: 20 };
  const w = canvas.width - pad.l - pad.r;
  const h = canvas.height - pad.t - pad.b;
  const px = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * w;
  const py = (y: number) => pad.t + (1 - (fy(y) - y0) / (y1 - y0)) * h;
  ctx.strokeStyle = MUTED;
  ctx.strokeRect(pad.l, pad.t, w, h);
  ctx.fillStyle = INK;
  ctx.font = '11px sans-serif';
  const tick = (v: number) => (log ? `1e${v.toFixed(1)}` : v.toPrecision(3));
  ctx.fillText(tick(y1), 2, pad.t + 10);
  ctx.fillText(tick(y0), 2, pad.t + h);
  ctx.fillText(String(Math.round(x1)), pad.l + w - 30, canvas.height - 5);
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y) || (log && y <= 0)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(px(x), py(y));
      else ctx.moveTo(px(x), py(y));
      pen = true;
    }
    ctx.stroke();
    ctx.fillStyle = s.color;
    ctx.fillText(s.label, pad.l + 6, pad.t + 14 + 13 * k);
  });
}

/** One bar per label (log-scaled heights), e.g. eval/fisher at each noise level. */
export function barChart(canvas: HTMLCanvasElement, bars: { label: string; value: number }[]): void {
  const ctx = context(canvas);
  const finite = bars.filter((b) => Number.isFinite(b.value) && b.value > 0);
  if (finite.length === 0) return;
  const logs = finite.map((b) => Math.log10(b.value));
  const lo = Math.floor(Math.min(...logs)) - 0.5;
  const hi = Math.max(...logs) + 0.2;
  const pad = { l: 40, b: 34, t: 8 };
  const w = (canvas.width - pad.l) / bars.length;
  const h = canvas.height - pad.b - pad.t;
  ctx.font = '10px sans-serif';
  bars.forEach((b, i) => {
    const v = Number.isFinite(b.value) && b.value > 0 ? (Math.log10(b.value) - lo) / (hi - lo) : 0;
    ctx.fillStyle = '#2563eb';
    ctx.fillRect(pad.l + i * w + 2, pad.t + h * (1 - v), w - 4, h * v);
    ctx.save();
    ctx.translate(pad.l + i * w + w / 2, canvas.height - 2);
    ctx.rotate(-0.6);
    ctx.fillStyle = INK;
    ctx.fillText(b.label, 0, 0);
    ctx.restore();
  });
  ctx.fillStyle = INK;
  ctx.fillText(`1e${hi.toFixed(1)}`, 2, pad.t + 10);
  ctx.fillText(`1e${lo.toFixed(1)}`, 2, pad.t + h);
}

function mapper(canvas: HTMLCanvasElement, g: Omit<Grid, 'nx' | 'ny'>) {
  return {
    x: (v: number) => ((v - g.xmin) / (g.xmax - g.xmin)) * canvas.width,
    y: (v: number) => (1 - (v - g.ymin) / (g.ymax - g.ymin)) * canvas.height,
  };
}

/** Arrows of a vector field on a grid (v: [ny * nx * 2] row by row), each scaled to the cell with direction kept. */
export function vectorField(canvas: HTMLCanvasElement, grid: Grid, v: Float32Array, color: string): void {
  const ctx = context(canvas);
  const m = mapper(canvas, grid);
  const cell = Math.min(canvas.width / grid.nx, canvas.height / grid.ny) * 0.9;
  let max = 0;
  for (let k = 0; k < v.length; k += 2) if (Number.isFinite(v[k]) && Number.isFinite(v[k + 1])) max = Math.max(max, Math.hypot(v[k], v[k + 1]));
  if (max === 0) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.2;
  for (let j = 0; j < grid.ny; j++) {
    for (let i = 0; i < grid.nx; i++) {
      const k = 2 * (j * grid.nx + i);
      const [vx, vy] = [v[k], v[k + 1]];
      if (!Number.isFinite(vx) || !Number.isFinite(vy)) continue;
      // Length grows like sqrt of the magnitude so small scores stay visible.
      const n = Math.hypot(vx, vy);
      const len = cell * Math.sqrt(n / max);
      const x = m.x(grid.xmin + (i * (grid.xmax - grid.xmin)) / (grid.nx - 1));
      const y = m.y(grid.ymin + (j * (grid.ymax - grid.ymin)) / (grid.ny - 1));
      const [dx, dy] = n > 0 ? [(vx / n) * len, (-vy / n) * len] : [0, 0];
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + dx, y + dy);
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.fillRect(x + dx - 1, y + dy - 1, 2, 2);
    }
  }
}

/** A log-density on a grid as a heat map, clipped 12 nats below its maximum. */
export function heatMap(canvas: HTMLCanvasElement, grid: Grid, logp: Float32Array): void {
  const ctx = context(canvas);
  let max = -Infinity;
  for (const v of logp) if (Number.isFinite(v)) max = Math.max(max, v);
  const cw = canvas.width / grid.nx;
  const ch = canvas.height / grid.ny;
  for (let j = 0; j < grid.ny; j++) {
    for (let i = 0; i < grid.nx; i++) {
      const v = logp[j * grid.nx + i];
      const t = Number.isFinite(v) ? Math.max(0, 1 - (max - v) / 12) : 0;
      ctx.fillStyle = `rgb(${Math.round(255 - 200 * t)}, ${Math.round(255 - 120 * t)}, ${Math.round(255 - 30 * t)})`;
      ctx.fillRect(i * cw, (grid.ny - 1 - j) * ch, cw + 1, ch + 1);
    }
  }
}

/** Points [N * 2] over the box; `under` (e.g. fresh data) drawn first in grey. */
export function scatter(canvas: HTMLCanvasElement, box: Omit<Grid, 'nx' | 'ny'>, points: Float32Array, color: string, under?: Float32Array): void {
  const ctx = context(canvas);
  const m = mapper(canvas, box);
  const dots = (p: Float32Array, c: string) => {
    ctx.fillStyle = c;
    for (let k = 0; k + 1 < p.length; k += 2) if (Number.isFinite(p[k]) && Number.isFinite(p[k + 1])) ctx.fillRect(m.x(p[k]) - 1.5, m.y(p[k + 1]) - 1.5, 3, 3);
  };
  if (under) dots(under, '#d1d5db');
  dots(points, color);
}
