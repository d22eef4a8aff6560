// A log-density on a grid drawn as a heatmap (viridis), with samples optionally on top. Panels
// that are compared share one LogScale: the same colour is the same log p on every panel. Equal
// aspect ratio, like Plot2D: a square box on a square canvas, so distances are true.
import type { DensityArtifact } from '@scorelab/config';
import { hiDpiContext } from './canvas';

/** Colours from lo (dark) to hi (bright) log-density; values below lo get lo's colour. */
export interface LogScale {
  lo: number;
  hi: number;
}

/** Below the highest value, how many nats the colour ramp spans: a mode and ~4.5 standard deviations
 * around it (½·4.5² ≈ 10), so the tails far out do not flatten the detail near the modes. */
export const LOG_SPAN = 10;

/** viridis at 9 evenly spaced stops (matplotlib's), interpolated linearly. */
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];
const STOPS = VIRIDIS.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
/** Where the log-density is not finite (the density is 0 there, or the model overflowed). */
const NO_VALUE: [number, number, number] = [217, 220, 227];

/** The [r, g, b] colour of t in [0, 1] on the ramp (clipped to it). */
export function rampRgb(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isNaN(t) ? 0 : t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [r, g, b] = STOPS[i].map((c, k) => Math.round(c + f * (STOPS[i + 1][k] - c)));
  return [r, g, b];
}

/** A CSS gradient of the ramp, for the colour bar. */
export const RAMP_CSS = `linear-gradient(to right, ${VIRIDIS.join(', ')})`;

/** One scale for several panels: hi = the largest finite log-density of any, lo = max(smallest, hi − span). */
export function sharedLogScale(densities: readonly Pick<DensityArtifact, 'logDensity'>[], span = LOG_SPAN): LogScale | null {
  let hi = -Infinity;
  let lo = Infinity;
  for (const d of densities)
    for (const row of d.logDensity)
      for (const v of row) {
        if (v === null || !Number.isFinite(v)) continue;
        if (v > hi) hi = v;
        if (v < lo) lo = v;
      }
  if (!Number.isFinite(hi)) return null;
  return { lo: Math.max(lo, hi - span), hi: hi > lo ? hi : hi + 1 };
}

/**
 * H = −∫ p log p over the grid (trapezoidal rule, as the quadrature of log Z): what eval/nll of a
 * perfect model averages to on held-out data. Null unless p integrates to 1 ± 2% on the grid (a box
 * that cuts off mass, or a coarse grid, would give a wrong entropy).
 */
export function gridEntropy(d: Pick<DensityArtifact, 'grid' | 'logDensity'>): number | null {
  const { grid } = d;
  const cell = ((grid.xmax - grid.xmin) / (grid.nx - 1)) * ((grid.ymax - grid.ymin) / (grid.ny - 1));
  const weight = (k: number, n: number) => (k === 0 || k === n - 1 ? 0.5 : 1);
  let mass = 0;
  let h = 0;
  d.logDensity.forEach((row, j) =>
    row.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const w = weight(i, grid.nx) * weight(j, grid.ny) * cell;
      const p = Math.exp(v);
      mass += p * w;
      h -= p * v * w;
    }),
  );
  return Math.abs(mass - 1) <= 0.02 ? h : null;
}

const PAD = { left: 34, right: 8, top: 8, bottom: 24 };

export class DensityMap {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly box: { left: number; top: number; side: number };
  private readonly xmin: number;
  private readonly ymax: number;
  private readonly scale: number;

  /** opts.axes = false for thumbnails; opts.size = CSS width when the canvas has none yet. */
  constructor(
    canvas: HTMLCanvasElement,
    private readonly density: Pick<DensityArtifact, 'grid' | 'logDensity'>,
    colours: LogScale,
    opts: { axes?: boolean; size?: number } = {},
  ) {
    const axes = opts.axes !== false;
    const pad = axes ? PAD : { left: 2, right: 2, top: 2, bottom: 2 };
    const css = canvas.getBoundingClientRect().width || opts.size || 360;
    const ctx = hiDpiContext(canvas, css, css);
    this.ctx = ctx;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, css, css);
    // The box covers every node's cell (half a cell beyond the outer nodes), squared around its centre.
    const { grid } = density;
    const dx = (grid.xmax - grid.xmin) / Math.max(1, grid.nx - 1);
    const dy = (grid.ymax - grid.ymin) / Math.max(1, grid.ny - 1);
    const half = Math.max(grid.xmax - grid.xmin + dx, grid.ymax - grid.ymin + dy) / 2;
    const cx = (grid.xmin + grid.xmax) / 2;
    const cy = (grid.ymin + grid.ymax) / 2;
    this.xmin = cx - half;
    this.ymax = cy + half;
    const side = Math.min(css - pad.left - pad.right, css - pad.top - pad.bottom);
    this.box = { left: pad.left, top: pad.top, side };
    this.scale = side / (2 * half);
    this.cells(colours, dx, dy);
    if (axes) this.axes(cx - half, cx + half, cy - half);
  }

  private px(x: number): number {
    return this.box.left + (x - this.xmin) * this.scale;
  }

  private py(y: number): number {
    return this.box.top + (this.ymax - y) * this.scale;
  }

  /** One image pixel per node (row j = ny − 1 on top), scaled up without smoothing: no seams between cells. */
  private cells({ lo, hi }: LogScale, dx: number, dy: number): void {
    const { ctx, density } = this;
    const { grid, logDensity } = density;
    const image = new ImageData(grid.nx, grid.ny);
    for (let j = 0; j < grid.ny; j++) {
      for (let i = 0; i < grid.nx; i++) {
        const v = logDensity[j]?.[i] ?? null;
        const rgb = v === null || !Number.isFinite(v) ? NO_VALUE : rampRgb((v - lo) / (hi - lo));
        image.data.set([...rgb, 255], 4 * ((grid.ny - 1 - j) * grid.nx + i));
      }
    }
    const cells = document.createElement('canvas');
    cells.width = grid.nx;
    cells.height = grid.ny;
    cells.getContext('2d')?.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(cells, this.px(grid.xmin - dx / 2), this.py(grid.ymax + dy / 2), grid.nx * dx * this.scale, grid.ny * dy * this.scale);
  }

  private axes(xmin: number, xmax: number, ymin: number): void {
    const { ctx, box } = this;
    ctx.strokeStyle = '#c9ced8';
    ctx.lineWidth = 1;
    ctx.strokeRect(box.left + 0.5, box.top + 0.5, box.side, box.side);
    const span = xmax - xmin;
    const raw = span / 5;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
    ctx.fillStyle = '#5d6678';
    ctx.font = '11px system-ui, sans-serif';
    const label = (v: number) => String(Math.round(v * 1e6) / 1e6);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let v = Math.ceil(xmin / step) * step; v <= xmax + 1e-9; v += step) {
      ctx.fillRect(this.px(v), box.top + box.side, 1, 4);
      ctx.fillText(label(v), this.px(v), box.top + box.side + 6);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = Math.ceil(ymin / step) * step; v <= ymin + span + 1e-9; v += step) {
      ctx.fillRect(box.left - 4, this.py(v), 4, 1);
      ctx.fillText(label(v), box.left - 6, this.py(v));
    }
  }

  /** flat: [x0, y0, x1, y1, ...]; null (non-finite) coordinates are skipped. White-rimmed dots show on every colour. */
  points(flat: readonly (number | null)[], { color = '#ff7f0e', radius = 1.8 } = {}): void {
    const { ctx, box } = this;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top, box.side, box.side);
    ctx.clip();
    ctx.fillStyle = color;
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.8)';
    ctx.lineWidth = 0.6;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const x = flat[i];
      const y = flat[i + 1];
      if (x === null || y === null) continue;
      ctx.beginPath();
      ctx.arc(this.px(x), this.py(y), radius, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();
  }
}
