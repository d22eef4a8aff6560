/**
 * An unnormalised log-density from a 2-D score by line integrals, log p̃(x) = ∫_{x_ref}^{x} s · dl, on
 * the nodes of a QuadratureGrid (trapezoidal rule along each grid line, O(h^2)). A learned score need
 * not be a gradient field, so the integral depends on the path: it is taken in two orders from the
 * reference node (the box's centre), x first (along the reference row, then up each column) and y first
 * (along the reference column, then along each row); their difference is the circulation of s around the
 * rectangle between x_ref and x (discrete Stokes, exact for these sums), and their mean is the estimate.
 */
import { cellSides, checkQuadratureGrid, gridNodes, nodesPerSide, type QuadratureGrid, type PointFieldFn } from './grid';

export interface ScorePathDensity {
  grid: QuadratureGrid;
  /** The reference node (i, j) where both integrals are 0: the centre (G/2, G/2). */
  reference: [number, number];
  /** The field at gridNodes(grid): [(G + 1)^2, 2] row-major. */
  field: Float64Array;
  /** ∫ along the reference row, then the column: [(G + 1)^2]. */
  xFirst: Float64Array;
  /** ∫ along the reference column, then the row: [(G + 1)^2]. */
  yFirst: Float64Array;
  /** (xFirst + yFirst) / 2: the unnormalised log-density at the nodes. */
  logUnnormalised: Float64Array;
}

/** Cumulative trapezoid integral along one grid line from index k0: values at each index k (0 at k0). */
function lineIntegral(m: number, k0: number, h: number, component: (k: number) => number, out: (k: number, v: number) => void, start: number): void {
  out(k0, start);
  let v = start;
  for (let k = k0 + 1; k < m; k++) out(k, (v += (h * (component(k - 1) + component(k))) / 2));
  v = start;
  for (let k = k0 - 1; k >= 0; k--) out(k, (v -= (h * (component(k + 1) + component(k))) / 2));
}

export function integrateScore(score: PointFieldFn, grid: QuadratureGrid): ScorePathDensity {
  checkQuadratureGrid(grid, 'integrateScore');
  const m = nodesPerSide(grid);
  const field = score(gridNodes(grid), m * m);
  if (field.length !== 2 * m * m) throw new Error(`integrateScore: the score returned ${field.length} values for ${m * m} points (expected ${2 * m * m})`);
  const { hx, hy } = cellSides(grid);
  const c = grid.cells / 2;
  const sx = (i: number, j: number) => field[2 * (j * m + i)];
  const sy = (i: number, j: number) => field[2 * (j * m + i) + 1];
  const xFirst = new Float64Array(m * m);
  const yFirst = new Float64Array(m * m);
  const row = new Float64Array(m);
  const col = new Float64Array(m);
  lineIntegral(m, c, hx, (i) => sx(i, c), (i, v) => (row[i] = v), 0);
  lineIntegral(m, c, hy, (j) => sy(c, j), (j, v) => (col[j] = v), 0);
  for (let i = 0; i < m; i++) lineIntegral(m, c, hy, (j) => sy(i, j), (j, v) => (xFirst[j * m + i] = v), row[i]);
  for (let j = 0; j < m; j++) lineIntegral(m, c, hx, (i) => sx(i, j), (i, v) => (yFirst[j * m + i] = v), col[j]);
  const logUnnormalised = xFirst.map((v, k) => (v + yFirst[k]) / 2);
  return { grid, reference: [c, c], field, xFirst, yFirst, logUnnormalised };
}

/**
 * log p̃ at arbitrary points inside the box: the value at the nearest node plus the trapezoid integral
 * of the straight segment from it, (x - x_node) · (s(x_node) + s(x)) / 2 (error O(h^3) per point).
 * points: [N, 2] row-major; the score is evaluated once at the points.
 */
export function scorePathLogDensityAt(path: ScorePathDensity, score: PointFieldFn, points: Float64Array, n: number): Float64Array {
  const { grid, field, logUnnormalised } = path;
  const m = nodesPerSide(grid);
  const { hx, hy } = cellSides(grid);
  const at = score(points, n);
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x = points[2 * r];
    const y = points[2 * r + 1];
    const i = Math.round((x - grid.box.xmin) / hx);
    const j = Math.round((y - grid.box.ymin) / hy);
    if (!(i >= 0 && i < m && j >= 0 && j < m)) {
      out[r] = -Infinity; // outside the box: no mass under the quadrature density
      continue;
    }
    const k = j * m + i;
    const dx = x - (grid.box.xmin + i * hx);
    const dy = y - (grid.box.ymin + j * hy);
    out[r] = logUnnormalised[k] + (dx * (field[2 * k] + at[2 * r]) + dy * (field[2 * k + 1] + at[2 * r + 1])) / 2;
  }
  return out;
}
