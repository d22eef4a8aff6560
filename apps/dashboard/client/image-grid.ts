// Data points that are pictures (digits: 8x8 pixels in [0, 1]) drawn as greyscale image grids on a
// canvas: each pixel a `scale` x `scale` square, range[0] white to range[1] black (ink on paper, as
// the digits are usually shown), a light gutter between images, non-finite pixels red.
import type { ImageShape } from '../src/api-types';
import { hiDpiContext } from './canvas';

export interface ImageGridOptions {
  /** Images per row. */
  cols: number;
  /** Screen pixels per image pixel. */
  scale: number;
  /** Gutter between images, screen pixels. */
  gap?: number;
  /** Draw at most this many images (default: every row of `flat`). */
  count?: number;
}

export interface ImageGridStats {
  /** Images drawn. */
  drawn: number;
  /** Pixels outside the shape's range (drawn clipped). */
  outside: number;
  /** Pixels that are null or not finite (drawn red). */
  nonfinite: number;
  pixels: number;
}

const GUTTER = '#e3e6ec';
const NON_FINITE = '#d62728';

/** How many images of D = width * height pixels `flat` holds. */
export function imageCount(flat: readonly (number | null)[], shape: ImageShape): number {
  return Math.floor(flat.length / (shape.width * shape.height));
}

/** The grey level (0 black .. 255 white) of a pixel value, clipped to the range; null for a non-finite value. */
export function greyLevel(v: number | null, [lo, hi]: readonly [number, number]): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  const t = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
  return Math.round(255 * (1 - t));
}

/** Draws the first images of flat ([N, D] row-major) in a grid and sizes the canvas to fit it. */
export function drawImageGrid(canvas: HTMLCanvasElement, flat: readonly (number | null)[], shape: ImageShape, opts: ImageGridOptions): ImageGridStats {
  const { width: w, height: hgt, range } = shape;
  const d = w * hgt;
  const gap = opts.gap ?? 2;
  const n = Math.min(opts.count ?? Infinity, imageCount(flat, shape));
  const cols = Math.max(1, Math.min(opts.cols, n));
  const rows = Math.max(1, Math.ceil(n / cols));
  const tileW = w * opts.scale;
  const tileH = hgt * opts.scale;
  const cssW = cols * (tileW + gap) + gap;
  const cssH = rows * (tileH + gap) + gap;
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const ctx = hiDpiContext(canvas, cssW, cssH);
  ctx.fillStyle = GUTTER;
  ctx.fillRect(0, 0, cssW, cssH);
  const stats: ImageGridStats = { drawn: n, outside: 0, nonfinite: 0, pixels: n * d };
  for (let k = 0; k < n; k++) {
    const left = gap + (k % cols) * (tileW + gap);
    const top = gap + Math.floor(k / cols) * (tileH + gap);
    for (let p = 0; p < d; p++) {
      const v = flat[k * d + p];
      const g = greyLevel(v, range);
      if (g === null) stats.nonfinite++;
      else if (v !== null && (v < range[0] || v > range[1])) stats.outside++;
      ctx.fillStyle = g === null ? NON_FINITE : `rgb(${g}, ${g}, ${g})`;
      // Row-major pixels: p = row * width + column.
      ctx.fillRect(left + (p % w) * opts.scale, top + Math.floor(p / w) * opts.scale, opts.scale, opts.scale);
    }
  }
  return stats;
}
