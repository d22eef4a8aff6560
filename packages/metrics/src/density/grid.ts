/**
 * The quadrature grid of a learned 2-D density: (G + 1) x (G + 1) nodes over a box, G even, so the
 * nodes of every other row and column form the same box with G/2 cells (the halving check reuses them).
 * Node (i, j) is x = xmin + i hx, y = ymin + j hy (hx = (xmax - xmin)/G); flat index j (G + 1) + i, the
 * order of config's Grid and the density artifact (j outer, i inner).
 */
import type { Grid } from '@scorelab/config';

/** E(x) per point. points: [N, 2] row-major (x0, y0, x1, y1, ...); returns [N]. */
export type PointEnergyFn = (points: Float64Array, n: number) => Float64Array;

/** A 2-D vector field, e.g. a score s(x): points [N, 2] row-major -> [N, 2] row-major. */
export type PointFieldFn = (points: Float64Array, n: number) => Float64Array;

export interface DensityBox {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

export interface QuadratureGrid {
  box: DensityBox;
  /** G, cells per side (even). */
  cells: number;
}

/** Cells per side of the default quadrature grid: 257^2 nodes, h = box side / 256. */
export const DENSITY_QUADRATURE_CELLS = 256;

/** Margin around the data's range, in per-axis standard deviations of the data. */
export const DENSITY_BOX_MARGIN = 1;

export function checkQuadratureGrid(grid: QuadratureGrid, who: string): void {
  const { box, cells } = grid;
  if (!Number.isInteger(cells) || cells < 4 || cells % 2 !== 0) throw new Error(`${who}: cells must be an even integer >= 4, got ${cells}`);
  if (![box.xmin, box.xmax, box.ymin, box.ymax].every(Number.isFinite) || !(box.xmax > box.xmin && box.ymax > box.ymin)) {
    throw new Error(`${who}: the box must be finite with xmax > xmin and ymax > ymin, got [${box.xmin}, ${box.xmax}] x [${box.ymin}, ${box.ymax}]`);
  }
}

export function nodesPerSide(grid: QuadratureGrid): number {
  return grid.cells + 1;
}

/** Cell sides hx, hy. */
export function cellSides(grid: QuadratureGrid): { hx: number; hy: number } {
  const { box, cells } = grid;
  return { hx: (box.xmax - box.xmin) / cells, hy: (box.ymax - box.ymin) / cells };
}

/** Every node, row by row: [(G + 1)^2, 2] row-major. */
export function gridNodes(grid: QuadratureGrid): Float64Array {
  const m = nodesPerSide(grid);
  const { hx, hy } = cellSides(grid);
  const out = new Float64Array(2 * m * m);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      out[2 * (j * m + i)] = grid.box.xmin + i * hx;
      out[2 * (j * m + i) + 1] = grid.box.ymin + j * hy;
    }
  }
  return out;
}

/**
 * The box that should hold the mass: the range of the data points widened on each side by `margin`
 * per-axis standard deviations of the same points. points: [N, 2] row-major.
 */
export function boxAroundData(points: Float64Array, n: number, margin = DENSITY_BOX_MARGIN): DensityBox {
  if (!(n >= 2) || points.length < 2 * n) throw new Error(`boxAroundData: need at least 2 points, got ${n}`);
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  const sum = [0, 0];
  const sum2 = [0, 0];
  for (let r = 0; r < n; r++) {
    for (let d = 0; d < 2; d++) {
      const v = points[2 * r + d];
      if (!Number.isFinite(v)) throw new Error(`boxAroundData: point ${r} is not finite`);
      lo[d] = Math.min(lo[d], v);
      hi[d] = Math.max(hi[d], v);
      sum[d] += v;
      sum2[d] += v * v;
    }
  }
  const pad = [0, 1].map((d) => {
    const mean = sum[d] / n;
    const sd = Math.sqrt(Math.max(0, sum2[d] / n - mean * mean));
    return margin * (sd > 0 ? sd : 1);
  });
  return { xmin: lo[0] - pad[0], xmax: hi[0] + pad[0], ymin: lo[1] - pad[1], ymax: hi[1] + pad[1] };
}

/** The grid of the nodes with index a multiple of `stride` (stride divides G), as config's Grid (nx, ny nodes). */
export function strideGrid(grid: QuadratureGrid, stride: number): Grid {
  if (!Number.isInteger(stride) || stride < 1 || grid.cells % stride !== 0) throw new Error(`strideGrid: stride must divide ${grid.cells}, got ${stride}`);
  const nodes = grid.cells / stride + 1;
  return { ...grid.box, nx: nodes, ny: nodes };
}

/** values at the nodes of `grid` ([(G + 1)^2]) at every stride-th node: rows [ny][nx], null where not finite. */
export function strideRows(values: Float64Array, grid: QuadratureGrid, stride: number): (number | null)[][] {
  const m = nodesPerSide(grid);
  const rows: (number | null)[][] = [];
  for (let j = 0; j < m; j += stride) {
    const row: (number | null)[] = [];
    for (let i = 0; i < m; i += stride) {
      const v = values[j * m + i];
      row.push(Number.isFinite(v) ? v : null);
    }
    rows.push(row);
  }
  return rows;
}
