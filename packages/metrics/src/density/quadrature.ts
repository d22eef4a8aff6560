/**
 * log Z = log ∫∫_box exp(f(x, y)) dx dy of an unnormalised 2-D log-density f (f = -E for an energy) by
 * the trapezoidal rule on the (G + 1)^2 nodes of a QuadratureGrid, with two checks:
 *
 * - halving the cell: the same rule on every other node (cells 2h) gives log Z_2h; the rule's error is
 *   O(h^2) for a smooth integrand (faster still when f decays at the box edges, Euler-Maclaurin), O(h)
 *   at a discontinuity (the clean checkerboard), so for any order p >= 1 in its asymptotic range
 *   |log Z_h - log Z| ~ |log Z_h - log Z_2h| / (2^p - 1) <= |log Z_h - log Z_2h| = logZError;
 * - the box holds the mass: the fraction of the quadrature mass on the outer ring of nodes (the
 *   max(1, G/32) nodes nearest each edge). A density whose tails still carry mass there has mass
 *   outside the box too; past MAX_OUTER_MASS the result is flagged, not used.
 */
import { cellSides, checkQuadratureGrid, nodesPerSide, type QuadratureGrid } from './grid';

/** Largest outer-ring mass fraction for which the box is taken to hold the density's mass. */
export const MAX_OUTER_MASS = 1e-3;
/** Largest halving-check error on log Z (nats) for which the grid is taken to resolve the density. */
export const MAX_LOG_Z_ERROR = 0.05;

export interface LogPartition {
  /** log Z by the trapezoidal rule with cells h (all nodes). */
  logZ: number;
  /** The same with cells 2h (every other node). */
  logZCoarse: number;
  /** |logZ - logZCoarse|: the error bound on logZ (and on every log p̂ = f - logZ) from the halving check. */
  logZError: number;
  /** Fraction of the quadrature mass on the outer ring of nodes. */
  outerMass: number;
  /** Width of the outer ring, in cells. */
  ringCells: number;
  /**
   * logZError + outerMass: the discretisation bound plus the mass outside the box, which is at most the
   * outer ring's for tails that decay outward at least as fast as across the ring (log(1 + m) <= m).
   */
  errorBound: number;
}

/** Trapezoid weight of node k of m (1/2 at both ends) times the cell side. */
function edgeWeight(k: number, m: number, h: number): number {
  return k === 0 || k === m - 1 ? h / 2 : h;
}

/** log of the trapezoid weight of every node, and of every even node of the coarse grid (-Infinity off it). */
export function trapezoidLogWeights(grid: QuadratureGrid): { fine: Float64Array; coarse: Float64Array } {
  const m = nodesPerSide(grid);
  const mc = grid.cells / 2 + 1;
  const { hx, hy } = cellSides(grid);
  const fine = new Float64Array(m * m);
  const coarse = new Float64Array(m * m).fill(-Infinity);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      fine[j * m + i] = Math.log(edgeWeight(i, m, hx) * edgeWeight(j, m, hy));
      if (i % 2 === 0 && j % 2 === 0) coarse[j * m + i] = Math.log(edgeWeight(i / 2, mc, 2 * hx) * edgeWeight(j / 2, mc, 2 * hy));
    }
  }
  return { fine, coarse };
}

/** log sum_k exp(a_k + b_k), skipping terms that are -Infinity; NaN when a term is NaN or +Infinity. */
export function logSumExpSum(a: Float64Array, b: Float64Array): number {
  let max = -Infinity;
  for (let k = 0; k < a.length; k++) {
    const v = a[k] + b[k];
    if (Number.isNaN(v) || v === Infinity) return NaN;
    if (v > max) max = v;
  }
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const v = a[k] + b[k];
    if (v !== -Infinity) s += Math.exp(v - max);
  }
  return max + Math.log(s);
}

/** log Z of exp(logUnnormalised) over the grid's box, with its halving and outer-ring checks. logUnnormalised: [(G + 1)^2] at gridNodes. */
export function logPartition(logUnnormalised: Float64Array, grid: QuadratureGrid): LogPartition {
  checkQuadratureGrid(grid, 'logPartition');
  const m = nodesPerSide(grid);
  if (logUnnormalised.length !== m * m) throw new Error(`logPartition: expected ${m * m} node values, got ${logUnnormalised.length}`);
  const w = trapezoidLogWeights(grid);
  const logZ = logSumExpSum(logUnnormalised, w.fine);
  const logZCoarse = logSumExpSum(logUnnormalised, w.coarse);
  const ringCells = Math.max(1, Math.floor(grid.cells / 32));
  const ring = new Float64Array(m * m).fill(-Infinity);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      const onRing = i < ringCells || i > grid.cells - ringCells || j < ringCells || j > grid.cells - ringCells;
      if (onRing) ring[j * m + i] = w.fine[j * m + i];
    }
  }
  const outerMass = Math.exp(logSumExpSum(logUnnormalised, ring) - logZ);
  const logZError = Math.abs(logZ - logZCoarse);
  return { logZ, logZCoarse, logZError, outerMass, ringCells, errorBound: logZError + outerMass };
}

/**
 * Why a partition must not be used, or null: not finite (a NaN or +Infinity log-density, or no mass on
 * the grid), mass on the outer ring above maxOuterMass, or a halving error above maxLogZError.
 */
export function partitionProblem(p: LogPartition, maxOuterMass = MAX_OUTER_MASS, maxLogZError = MAX_LOG_Z_ERROR): string | null {
  if (!Number.isFinite(p.logZ) || !Number.isFinite(p.logZCoarse)) return `log Z is not finite (${p.logZ}): the log-density is NaN or +Infinity somewhere, or has no mass on the grid`;
  if (!(p.outerMass <= maxOuterMass)) {
    return `the box does not hold the density's mass: ${p.outerMass.toPrecision(3)} of it lies on the outer ${p.ringCells} cells of each side (at most ${maxOuterMass} allowed)`;
  }
  if (!(p.logZError <= maxLogZError)) return `the grid does not resolve the density: log Z changes by ${p.logZError.toPrecision(3)} nats between cells h and 2h (at most ${maxLogZError} allowed)`;
  return null;
}
