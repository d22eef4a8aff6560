/**
 * Quantities read off a 2-D density stored on a grid (a `learned-density` / `learned-density-true`
 * artifact, DensityArtifact of @scorelab/config): its probability masses by the trapezoidal rule,
 * its entropy, and the mass it puts near each mode of a mixture. The result scripts use them for
 * the reference entropy H(p_sigma) that eval/nll approaches and for the mode weights of a learned density.
 */
import type { DensityArtifact } from '@scorelab/config';

/** Grid point (i, j) of a DensityArtifact grid. */
export function gridPoint(grid: DensityArtifact['grid'], i: number, j: number): [number, number] {
  return [grid.xmin + (i * (grid.xmax - grid.xmin)) / (grid.nx - 1), grid.ymin + (j * (grid.ymax - grid.ymin)) / (grid.ny - 1)];
}

/**
 * The discretised distribution of the density: pi[j][i] = w_ij exp(logDensity[j][i]) / sum, with
 * the trapezoidal weights w (1/2 on edges, 1/4 in corners) times the cell area; null nodes count as
 * zero density. Also returns log Z of exp(logDensity) under the same rule (0 for an already
 * normalised density on a box that holds its mass).
 */
export function gridMasses(density: DensityArtifact): { pi: number[][]; logZ: number; cellArea: number } {
  const { grid, logDensity } = density;
  if (grid.nx < 2 || grid.ny < 2) throw new Error(`a density grid needs at least 2 x 2 nodes, got ${grid.nx} x ${grid.ny}`);
  if (logDensity.length !== grid.ny || logDensity.some((row) => row.length !== grid.nx)) {
    throw new Error(`density values must be [ny = ${grid.ny}][nx = ${grid.nx}]`);
  }
  const cellArea = ((grid.xmax - grid.xmin) / (grid.nx - 1)) * ((grid.ymax - grid.ymin) / (grid.ny - 1));
  const edge = (k: number, n: number) => (k === 0 || k === n - 1 ? 0.5 : 1);
  let max = -Infinity;
  for (const row of logDensity) for (const v of row) if (v !== null && v > max) max = v;
  if (!Number.isFinite(max)) throw new Error('density has no finite value on its grid');
  let sum = 0;
  const pi = logDensity.map((row, j) =>
    row.map((v, i) => {
      const m = v === null ? 0 : edge(i, grid.nx) * edge(j, grid.ny) * Math.exp(v - max);
      sum += m;
      return m;
    }),
  );
  for (const row of pi) for (let i = 0; i < row.length; i++) row[i] /= sum;
  return { pi, logZ: max + Math.log(sum * cellArea), cellArea };
}

/**
 * Differential entropy -∫ p log p of the density (normalised on its grid first), by the same
 * trapezoidal rule: -sum pi (log p - log Z) with p = pi / (w * cell area) at each node.
 */
export function gridEntropy(density: DensityArtifact): number {
  const { pi, logZ } = gridMasses(density);
  let h = 0;
  density.logDensity.forEach((row, j) =>
    row.forEach((v, i) => {
      if (v !== null && pi[j][i] > 0) h -= pi[j][i] * (v - logZ);
    }),
  );
  return h;
}

/**
 * The density's mass nearest to each of the given means (Voronoi cells: the MAP mode of a mixture of
 * equal isotropic components, such as 8gaussians), summing to 1 over the grid.
 */
export function modeMasses(density: DensityArtifact, means: readonly (readonly number[])[]): number[] {
  if (means.length === 0) throw new Error('modeMasses needs at least one mean');
  const { pi } = gridMasses(density);
  const out = new Array<number>(means.length).fill(0);
  for (let j = 0; j < density.grid.ny; j++) {
    for (let i = 0; i < density.grid.nx; i++) {
      const [x, y] = gridPoint(density.grid, i, j);
      let best = 0;
      let bestD = Infinity;
      means.forEach((m, k) => {
        const d = (x - m[0]) ** 2 + (y - m[1]) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      });
      out[best] += pi[j][i];
    }
  }
  return out;
}

/** Total variation distance between two weight vectors: ½ sum |a - b|. */
export function totalVariation(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`total variation of vectors of lengths ${a.length} and ${b.length}`);
  return 0.5 * a.reduce((s, v, k) => s + Math.abs(v - b[k]), 0);
}
