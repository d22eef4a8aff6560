/**
 * How far a 2-D vector field s is from a gradient field, weighted by a density p on the nodes of a
 * QuadratureGrid (the data's: where the field matters).
 *
 * - Relative curl: per cell, the Jacobian J of s by central differences of the cell's 4 corner values
 *   (exact for a linear field); its curl ω = ∂s_y/∂x - ∂s_x/∂y = Γ / (hx hy) with Γ the trapezoid
 *   circulation around the cell. Splitting J = S + A (symmetric + antisymmetric), |ω| = √2 ||A||_F and
 *   ||J||_F^2 = ||S||_F^2 + ||A||_F^2, so relativeCurl = E_p|ω| / (√2 E_p||J||_F) is in [0, 1]: 0 for a
 *   gradient field (S only, up to O(h^2)), 1 for a pure rotation; for s = -x + c (-y, x) it is c / √(1 + c^2).
 * - Path dependence: E_p |xFirst - yFirst| (nats), the mean absolute difference of the two integration
 *   orders of score-path.ts, i.e. of the circulation around the rectangle between x_ref and x.
 */
import { cellSides, checkQuadratureGrid, nodesPerSide, type QuadratureGrid } from './grid';
import { logSumExpSum, trapezoidLogWeights } from './quadrature';

/** field: [(G + 1)^2, 2] at gridNodes(grid); logWeight: [(G + 1)^2] log p (any normalisation) at the nodes. */
export function relativeCurl(field: Float64Array, logWeight: Float64Array, grid: QuadratureGrid): number {
  checkQuadratureGrid(grid, 'relativeCurl');
  const m = nodesPerSide(grid);
  if (field.length !== 2 * m * m || logWeight.length !== m * m) throw new Error(`relativeCurl: expected ${2 * m * m} field and ${m * m} weight values`);
  const { hx, hy } = cellSides(grid);
  let maxLog = -Infinity;
  for (const v of logWeight) if (v > maxLog) maxLog = v;
  if (!Number.isFinite(maxLog)) throw new Error('relativeCurl: the weights must be finite somewhere and never NaN or +Infinity');
  const p = logWeight.map((v) => Math.exp(v - maxLog));
  let curl = 0;
  let jac = 0;
  for (let j = 0; j < m - 1; j++) {
    for (let i = 0; i < m - 1; i++) {
      const k00 = j * m + i;
      const k10 = k00 + 1;
      const k01 = k00 + m;
      const k11 = k01 + 1;
      const w = (p[k00] + p[k10] + p[k01] + p[k11]) / 4;
      if (w === 0) continue;
      const d = (a: number, b: number, c: number, e: number) => (a - b + c - e) / 2; // mean of two edge differences
      const dxSx = d(field[2 * k10], field[2 * k00], field[2 * k11], field[2 * k01]) / hx;
      const dxSy = d(field[2 * k10 + 1], field[2 * k00 + 1], field[2 * k11 + 1], field[2 * k01 + 1]) / hx;
      const dySx = d(field[2 * k01], field[2 * k00], field[2 * k11], field[2 * k10]) / hy;
      const dySy = d(field[2 * k01 + 1], field[2 * k00 + 1], field[2 * k11 + 1], field[2 * k10 + 1]) / hy;
      curl += w * Math.abs(dxSy - dySx);
      jac += w * Math.sqrt(dxSx * dxSx + dxSy * dxSy + dySx * dySx + dySy * dySy);
    }
  }
  return jac > 0 ? curl / (Math.SQRT2 * jac) : 0;
}

/** E_p |a - b| by the trapezoidal rule, p normalised on the grid. a, b, logWeight: [(G + 1)^2] at the nodes. */
export function pathDependence(a: Float64Array, b: Float64Array, logWeight: Float64Array, grid: QuadratureGrid): number {
  checkQuadratureGrid(grid, 'pathDependence');
  const w = trapezoidLogWeights(grid).fine;
  const logZ = logSumExpSum(logWeight, w);
  if (!Number.isFinite(logZ)) throw new Error('pathDependence: the weights must have finite mass on the grid');
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const lw = logWeight[k] + w[k];
    if (lw !== -Infinity) s += Math.exp(lw - logZ) * Math.abs(a[k] - b[k]);
  }
  return s;
}
