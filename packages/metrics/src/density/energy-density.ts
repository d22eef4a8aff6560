/**
 * The density of a 2-D energy model, p̂ = exp(-E) / Z, with Z by quadrature (quadrature.ts) on a
 * QuadratureGrid, and its negative log-likelihood on held-out points.
 */
import { gridNodes, nodesPerSide, type PointEnergyFn, type QuadratureGrid } from './grid';
import { logPartition, type LogPartition } from './quadrature';

export interface LearnedDensity {
  grid: QuadratureGrid;
  /** log p̂ at gridNodes(grid), normalised by the quadrature: [(G + 1)^2]. */
  logDensity: Float64Array;
  partition: LogPartition;
}

/** log p̂ = -E - log Z on the grid. */
export function energyDensity(energy: PointEnergyFn, grid: QuadratureGrid): LearnedDensity {
  const m = nodesPerSide(grid);
  const e = energy(gridNodes(grid), m * m);
  if (e.length !== m * m) throw new Error(`energyDensity: the energy returned ${e.length} values for ${m * m} points`);
  const logUnnormalised = e.map((v) => -v);
  const partition = logPartition(logUnnormalised, grid);
  return { grid, logDensity: logUnnormalised.map((v) => v - partition.logZ), partition };
}

/** -mean log p̂(x) = mean E(x) + log Z over held-out points (nats per point). points: [N, 2] row-major. */
export function energyNll(energy: PointEnergyFn, logZ: number, points: Float64Array, n: number): number {
  if (!(n >= 1)) throw new Error('energyNll: need at least one point');
  const e = energy(points, n);
  let s = 0;
  for (let r = 0; r < n; r++) s += e[r];
  return s / n + logZ;
}
