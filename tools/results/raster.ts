/**
 * Raster pictures for docs/results.md: heatmaps of 2-D log-densities, grids of small greyscale
 * images (8x8 digits), and an SVG that lays such rasters out as labelled panels (each embedded as
 * a PNG data URI at its natural size, so no viewer resamples it) with optional points drawn over
 * them in data coordinates and an optional colour bar.
 */
import { escapeXml, formatTick, linearTicks } from './svg';
import { pngDataUri, type RgbImage } from './png';

export type Rgb = readonly [number, number, number];

// Viridis at 9 evenly spaced stops (matplotlib's table), linearly interpolated: perceptually
// ordered and readable in greyscale and for the common colour-vision deficiencies.
const VIRIDIS: Rgb[] = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

/** Viridis colour of t in [0, 1] (clamped; NaN gives the lowest colour). */
export function viridis(t: number): Rgb {
  const u = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = u * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(pos));
  const f = pos - k;
  const [a, b] = [VIRIDIS[k], VIRIDIS[k + 1]];
  const mix = (c: number) => Math.round(a[c] + f * (b[c] - a[c]));
  return [mix(0), mix(1), mix(2)];
}

function fill(width: number, height: number, color: Rgb): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb.set(color, 3 * p);
  return { width, height, rgb };
}

function paint(image: RgbImage, x0: number, y0: number, size: number, color: Rgb): void {
  for (let y = y0; y < y0 + size; y++) for (let x = x0; x < x0 + size; x++) image.rgb.set(color, 3 * (y * image.width + x));
}

/**
 * A heatmap of values[j][i] on a regular grid (j = 0 is the bottom row, as in DensityArtifact), each
 * node drawn as a scale x scale block: lo maps to the darkest colour, hi to the brightest, values
 * outside are clamped and null (not finite) is drawn as lo.
 */
export function heatmapImage(values: readonly (readonly (number | null)[])[], lo: number, hi: number, scale = 1): RgbImage {
  const ny = values.length;
  const nx = ny > 0 ? values[0].length : 0;
  if (nx === 0 || values.some((row) => row.length !== nx)) throw new Error('heatmap needs a non-empty rectangular grid of values');
  if (!(hi > lo)) throw new Error(`heatmap range must have hi > lo, got [${lo}, ${hi}]`);
  const image = fill(nx * scale, ny * scale, viridis(0));
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = values[j][i];
      paint(image, i * scale, (ny - 1 - j) * scale, scale, viridis(v === null ? 0 : (v - lo) / (hi - lo)));
    }
  }
  return image;
}

export interface ImageGridOptions {
  /** Pixel values row-major, n images of side x side, 0 = background (white) and 1 = ink (black); clamped to [0, 1]. */
  pixels: ArrayLike<number>;
  side: number;
  /** Images in a row of the grid. */
  cols: number;
  /** Screen pixels per image pixel (default 4). */
  scale?: number;
  /** Screen pixels between images (default 2). */
  gap?: number;
}

const GAP_COLOR: Rgb = [150, 150, 150];

/** The images laid out left to right, top to bottom, in a grid with grey gaps (an incomplete last row stays grey). */
export function imageGrid(opts: ImageGridOptions): RgbImage {
  const { pixels, side, cols } = opts;
  const scale = opts.scale ?? 4;
  const gap = opts.gap ?? 2;
  const per = side * side;
  if (pixels.length === 0 || pixels.length % per !== 0) throw new Error(`image grid: ${pixels.length} pixel values are not a whole number of ${side}x${side} images`);
  const n = pixels.length / per;
  const rows = Math.ceil(n / cols);
  const cell = side * scale;
  const image = fill(cols * cell + (cols + 1) * gap, rows * cell + (rows + 1) * gap, GAP_COLOR);
  for (let k = 0; k < n; k++) {
    const x0 = gap + (k % cols) * (cell + gap);
    const y0 = gap + Math.floor(k / cols) * (cell + gap);
    for (let p = 0; p < per; p++) {
      const v = Number(pixels[k * per + p]);
      const g = Math.round(255 * (1 - (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0)));
      paint(image, x0 + (p % side) * scale, y0 + Math.floor(p / side) * scale, scale, [g, g, g]);
    }
  }
  return image;
}

/** Points drawn over a panel: row-major [N, 2] in the panel's data coordinates. */
export interface PointLayer {
  xy: ArrayLike<number>;
  color: string;
  /** Circle radius in screen pixels (default 1.5). */
  radius?: number;
  opacity?: number;
}

export interface RasterPanel {
  label: string;
  image: RgbImage;
  /** The data box the image covers (needed for points). */
  box?: { xmin: number; xmax: number; ymin: number; ymax: number };
  points?: PointLayer[];
}

export interface ColorBar {
  lo: number;
  hi: number;
  label: string;
}

export interface RasterPanelsOptions {
  title: string;
  panels: RasterPanel[];
  /** Panels per row (default: all in one row). */
  columns?: number;
  /** A viridis colour bar from lo to hi to the right of the panels. */
  colorBar?: ColorBar;
}

const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const PAD = 12;
const LABEL = 18;
const TITLE = 32;

function r(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function pointsSvg(panel: RasterPanel, x0: number, y0: number): string[] {
  if (!panel.points?.length) return [];
  const box = panel.box;
  if (!box) throw new Error(`panel "${panel.label}" has points but no data box`);
  const { width, height } = panel.image;
  const out: string[] = [];
  for (const layer of panel.points) {
    if (layer.xy.length % 2 !== 0) throw new Error(`panel "${panel.label}": points must be [N, 2] row-major`);
    const rad = layer.radius ?? 1.5;
    const circles: string[] = [];
    for (let k = 0; k < layer.xy.length; k += 2) {
      const [x, y] = [Number(layer.xy[k]), Number(layer.xy[k + 1])];
      if (!(x >= box.xmin && x <= box.xmax && y >= box.ymin && y <= box.ymax)) continue;
      const px = x0 + ((x - box.xmin) / (box.xmax - box.xmin)) * width;
      const py = y0 + (1 - (y - box.ymin) / (box.ymax - box.ymin)) * height;
      circles.push(`<circle cx="${r(px)}" cy="${r(py)}" r="${rad}"/>`);
    }
    out.push(`<g fill="${layer.color}" fill-opacity="${layer.opacity ?? 0.8}">${circles.join('')}</g>`);
  }
  return out;
}

/** The panels in rows under a title, each image at its natural size with its label above it; returns the SVG document. */
export function rasterPanels(opts: RasterPanelsOptions): string {
  const { panels } = opts;
  if (panels.length === 0) throw new Error('rasterPanels needs at least one panel');
  const columns = Math.max(1, Math.min(opts.columns ?? panels.length, panels.length));
  const cellW = Math.max(...panels.map((p) => p.image.width)) + PAD;
  const cellH = Math.max(...panels.map((p) => p.image.height)) + LABEL + PAD;
  const rows = Math.ceil(panels.length / columns);
  const barW = opts.colorBar ? 90 : 0;
  const width = PAD + columns * cellW + barW;
  const height = TITLE + rows * cellH + PAD;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${r(width / 2)}" y="22" ${FONT} font-size="15" font-weight="bold" text-anchor="middle">${escapeXml(opts.title)}</text>`,
  ];
  panels.forEach((panel, k) => {
    const x0 = PAD + (k % columns) * cellW;
    const y0 = TITLE + Math.floor(k / columns) * cellH + LABEL;
    out.push(`<text x="${r(x0 + panel.image.width / 2)}" y="${r(y0 - 5)}" ${FONT} font-size="12" text-anchor="middle">${escapeXml(panel.label)}</text>`);
    out.push(`<image x="${x0}" y="${y0}" width="${panel.image.width}" height="${panel.image.height}" style="image-rendering:pixelated" href="${pngDataUri(panel.image)}"/>`);
    out.push(...pointsSvg(panel, x0, y0));
    out.push(`<rect x="${x0}" y="${y0}" width="${panel.image.width}" height="${panel.image.height}" fill="none" stroke="#333"/>`);
  });
  if (opts.colorBar) {
    const { lo, hi, label } = opts.colorBar;
    const barH = Math.min(200, rows * cellH - LABEL - PAD);
    const steps = 64;
    const column: number[][] = Array.from({ length: steps }, (_, j) => [lo + ((hi - lo) * j) / (steps - 1)]);
    const bar = heatmapImage(column, lo, hi, 1);
    const x0 = PAD + columns * cellW + 4;
    const y0 = TITLE + LABEL;
    out.push(`<image x="${x0}" y="${y0}" width="14" height="${barH}" preserveAspectRatio="none" href="${pngDataUri(bar)}"/>`);
    out.push(`<rect x="${x0}" y="${y0}" width="14" height="${barH}" fill="none" stroke="#333"/>`);
    for (const t of linearTicks(lo, hi, 4)) {
      const py = y0 + (1 - (t - lo) / (hi - lo)) * barH;
      out.push(`<text x="${x0 + 18}" y="${r(py + 4)}" ${FONT} font-size="11" fill="#333">${escapeXml(formatTick(t))}</text>`);
    }
    out.push(`<text x="${x0}" y="${r(y0 + barH + 16)}" ${FONT} font-size="11" fill="#333">${escapeXml(label)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
