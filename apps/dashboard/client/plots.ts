// 2-D plots drawn on a plain canvas: density contours, sample scatters, score-field arrows.
// Equal aspect ratio (a square data box on a square canvas), so directions and distances are true.
import type { DensityArtifact, Grid } from '@scorelab/config';
import { contourSegments, densityLevels } from './contour';
import { hiDpiContext } from './canvas';

export type Bounds = Pick<Grid, 'xmin' | 'xmax' | 'ymin' | 'ymax'>;

const PAD = { left: 34, right: 8, top: 8, bottom: 24 };

export class Plot2D {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly axes: boolean;
  /** The square data box. */
  private readonly b: Bounds;
  private readonly box: { left: number; top: number; side: number };
  private readonly scale: number;

  /** opts.axes = false for small multiples; opts.size = CSS width when the canvas has none yet. */
  constructor(canvas: HTMLCanvasElement, bounds: Bounds, opts: { axes?: boolean; size?: number } = {}) {
    this.axes = opts.axes !== false;
    const pad = this.axes ? PAD : { left: 3, right: 3, top: 3, bottom: 3 };
    const css = canvas.getBoundingClientRect().width || opts.size || 360;
    const ctx = hiDpiContext(canvas, css, css);
    this.ctx = ctx;
    ctx.clearRect(0, 0, css, css);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, css, css);
    // Square data box centred on the bounds.
    const cx = (bounds.xmin + bounds.xmax) / 2;
    const cy = (bounds.ymin + bounds.ymax) / 2;
    const half = Math.max(bounds.xmax - bounds.xmin, bounds.ymax - bounds.ymin) / 2;
    this.b = { xmin: cx - half, xmax: cx + half, ymin: cy - half, ymax: cy + half };
    const side = Math.min(css - pad.left - pad.right, css - pad.top - pad.bottom);
    this.box = { left: pad.left, top: pad.top, side };
    this.scale = side / (2 * half);
    if (this.axes) this.drawAxes();
  }

  private px(x: number): number {
    return this.box.left + (x - this.b.xmin) * this.scale;
  }

  private py(y: number): number {
    return this.box.top + (this.b.ymax - y) * this.scale;
  }

  private clip(f: (ctx: CanvasRenderingContext2D) => void): void {
    const { ctx, box } = this;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top, box.side, box.side);
    ctx.clip();
    f(ctx);
    ctx.restore();
  }

  private drawAxes(): void {
    const { ctx, box, b } = this;
    ctx.strokeStyle = '#c9ced8';
    ctx.lineWidth = 1;
    ctx.strokeRect(box.left + 0.5, box.top + 0.5, box.side, box.side);
    const span = b.xmax - b.xmin;
    const raw = span / 5;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
    ctx.fillStyle = '#5d6678';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let v = Math.ceil(b.xmin / step) * step; v <= b.xmax + 1e-9; v += step) {
      const x = this.px(v);
      ctx.fillRect(x, box.top + box.side, 1, 4);
      ctx.fillText(String(Math.round(v * 1e6) / 1e6), x, box.top + box.side + 6);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = Math.ceil(b.ymin / step) * step; v <= b.ymax + 1e-9; v += step) {
      const y = this.py(v);
      ctx.fillRect(box.left - 4, y, 4, 1);
      ctx.fillText(String(Math.round(v * 1e6) / 1e6), box.left - 6, y);
    }
  }

  /** Contour lines of the density, darker for higher levels; color is 'r, g, b'. */
  contours(density: Pick<DensityArtifact, 'grid' | 'logDensity'>, { color = '90, 100, 120', width = 1 } = {}): void {
    const levels = densityLevels(density.logDensity);
    this.clip((ctx) => {
      levels.forEach((level, k) => {
        const segments = contourSegments(density.logDensity, density.grid, level);
        ctx.strokeStyle = `rgba(${color}, ${0.85 - k * 0.17})`;
        ctx.lineWidth = width;
        ctx.beginPath();
        for (const [x1, y1, x2, y2] of segments) {
          ctx.moveTo(this.px(x1), this.py(y1));
          ctx.lineTo(this.px(x2), this.py(y2));
        }
        ctx.stroke();
      });
    });
  }

  /** flat: [x0, y0, x1, y1, ...]; a point with a null (non-finite) coordinate is not drawn. */
  points(flat: readonly (number | null)[], { color = 'rgba(31, 95, 191, 0.45)', radius = 1.8 } = {}): void {
    this.clip((ctx) => {
      ctx.fillStyle = color;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const x = flat[i];
        const y = flat[i + 1];
        if (x === null || y === null) continue;
        ctx.beginPath();
        ctx.arc(this.px(x), this.py(y), radius, 0, 2 * Math.PI);
        ctx.fill();
      }
    });
  }

  /**
   * Arrows at `points` along `vectors`. Length = maxLen * m / (m + ref) for magnitude m (saturating,
   * so the large scores far from the data do not swamp the small ones near it); the same `ref` on
   * both panels keeps learned and exact fields comparable.
   */
  arrows(points: readonly (readonly number[])[], vectors: readonly (readonly number[])[], { ref, maxLen, color = '#1d2330' }: { ref: number; maxLen: number; color?: string }): void {
    this.clip((ctx) => {
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 1.2;
      for (let i = 0; i < points.length; i++) {
        const [x, y] = points[i];
        const [u, v] = vectors[i];
        const m = Math.hypot(u, v);
        if (!(m > 0) || !Number.isFinite(m)) continue;
        const len = (maxLen * m) / (m + ref);
        // Screen y points down: flip v.
        const ux = u / m;
        const uy = -v / m;
        const x0 = this.px(x);
        const y0 = this.py(y);
        const x1 = x0 + ux * len;
        const y1 = y0 + uy * len;
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
        ctx.stroke();
        const head = Math.min(5, len * 0.4);
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x1 - head * (ux * 0.87 - uy * 0.5), y1 - head * (uy * 0.87 + ux * 0.5));
        ctx.lineTo(x1 - head * (ux * 0.87 + uy * 0.5), y1 - head * (uy * 0.87 - ux * 0.5));
        ctx.closePath();
        ctx.fill();
      }
    });
  }

  /** Pixel length of one grid cell (for arrow sizes). */
  cell(grid: Grid): number {
    return Math.min(((grid.xmax - grid.xmin) / Math.max(1, grid.nx - 1)) * this.scale, ((grid.ymax - grid.ymin) / Math.max(1, grid.ny - 1)) * this.scale);
  }
}

/** Bounds of flat [x0, y0, ...] points (finite ones) with a margin; [-1, 1]² when there is none. */
export function boundsOfPoints(flat: readonly (number | null)[], margin = 0.08): Bounds {
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const x = flat[i];
    const y = flat[i + 1];
    if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < xmin) xmin = x;
    if (x > xmax) xmax = x;
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  if (!Number.isFinite(xmin)) return { xmin: -1, xmax: 1, ymin: -1, ymax: 1 };
  const mx = (xmax - xmin || 1) * margin;
  const my = (ymax - ymin || 1) * margin;
  return { xmin: xmin - mx, xmax: xmax + mx, ymin: ymin - my, ymax: ymax + my };
}
