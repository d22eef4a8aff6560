import { describe, expect, it } from 'vitest';
import { Rng } from '@scorelab/core';
import { energyDensity, energyNll, gridKl, gridNodes, logPartition, nodesPerSide, partitionProblem, MAX_LOG_Z_ERROR, type QuadratureGrid } from '../index';

/** E = 1/2 (x - mu)^T A (x - mu), A = Sigma^{-1}; its Z = 2 pi sqrt(det Sigma). */
function gaussian(mu: [number, number], cov: [[number, number], [number, number]]) {
  const det = cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0];
  const a = [cov[1][1] / det, -cov[0][1] / det, cov[0][0] / det];
  const energyAt = (x: number, y: number) => {
    const dx = x - mu[0];
    const dy = y - mu[1];
    return 0.5 * (a[0] * dx * dx + 2 * a[1] * dx * dy + a[2] * dy * dy);
  };
  return {
    mu,
    cov,
    det,
    logZ: Math.log(2 * Math.PI * Math.sqrt(det)),
    energy: (p: Float64Array, n: number) => Float64Array.from({ length: n }, (_, r) => energyAt(p[2 * r], p[2 * r + 1])),
    logDensity: (grid: QuadratureGrid) => {
      const nodes = gridNodes(grid);
      const m = nodesPerSide(grid);
      return Float64Array.from({ length: m * m }, (_, k) => -energyAt(nodes[2 * k], nodes[2 * k + 1]) - Math.log(2 * Math.PI * Math.sqrt(det)));
    },
  };
}

function boxAround(mu: [number, number], cov: number[][], sds: number, cells: number): QuadratureGrid {
  const [sx, sy] = [Math.sqrt(cov[0][0]), Math.sqrt(cov[1][1])];
  return { box: { xmin: mu[0] - sds * sx, xmax: mu[0] + sds * sx, ymin: mu[1] - sds * sy, ymax: mu[1] + sds * sy }, cells };
}

describe('logPartition: trapezoidal log Z with the halving and outer-ring checks', () => {
  const g = gaussian([0.5, -1], [[1, 0.6], [0.6, 2]]);

  it('equals log(2 pi sqrt(det Sigma)) of a correlated Gaussian energy within the stated bound, and the bound is tight', () => {
    // Box mu +- 7 sd: the mass outside is < 2 * 2 Phi(-7) ~ 5e-12; the trapezoidal rule on a Gaussian
    // converges faster than any power of h (Euler-Maclaurin: the edge terms vanish).
    for (const cells of [32, 64, 128]) {
      const grid = boxAround(g.mu, g.cov, 7, cells);
      const learned = energyDensity(g.energy, grid);
      const d = learned.partition;
      expect(logPartition(learned.logDensity, grid).logZ).toBeCloseTo(0, 10); // log p̂ integrates to 1 on its grid
      expect(Math.abs(d.logZ - g.logZ)).toBeLessThanOrEqual(d.errorBound + 1e-12);
      expect(d.errorBound).toBeLessThan(1e-6);
      expect(partitionProblem(d)).toBeNull();
    }
  });

  it('the halving check flags an under-resolved grid, and its bound still covers the error', () => {
    // sd 0.05 on [-1, 1]^2: 8 cells are h = 0.25 = 5 sd (the sum sees the peak node only); with 128 cells
    // even the check's 2h = 0.63 sd is accurate to ~2 exp(-2 pi^2 sd^2 / (2h)^2) ~ 1e-22 per axis.
    const narrow = gaussian([0, 0], [[0.0025, 0], [0, 0.0025]]);
    const coarse = energyDensity(narrow.energy, { box: { xmin: -1, xmax: 1, ymin: -1, ymax: 1 }, cells: 8 }).partition;
    expect(coarse.logZError).toBeGreaterThan(MAX_LOG_Z_ERROR);
    expect(Math.abs(coarse.logZ - narrow.logZ)).toBeLessThanOrEqual(coarse.logZError);
    expect(partitionProblem(coarse)).toMatch(/does not resolve/);
    const fine = energyDensity(narrow.energy, { box: { xmin: -1, xmax: 1, ymin: -1, ymax: 1 }, cells: 128 }).partition;
    expect(fine.logZError).toBeLessThan(1e-9);
    expect(Math.abs(fine.logZ - narrow.logZ)).toBeLessThan(1e-9);
    expect(partitionProblem(fine)).toBeNull();
  });

  it('flags a density with mass outside the box instead of returning its log Z', () => {
    // N(0, I) on [-2, 2]^2 misses 1 - (1 - 2 Phi(-2))^2 = 8.9% of its mass; the outer ring (4 of 128
    // cells per side, |x| > 1.875) holds ~3%.
    const g1 = gaussian([0, 0], [[1, 0], [0, 1]]);
    const p = energyDensity(g1.energy, { box: { xmin: -2, xmax: 2, ymin: -2, ymax: 2 }, cells: 128 }).partition;
    expect(p.outerMass).toBeGreaterThan(0.01);
    expect(partitionProblem(p)).toMatch(/box does not hold/);
    // A mode off to one side of an otherwise wide box is flagged too.
    const shifted = gaussian([3.5, 0], [[0.25, 0], [0, 0.25]]);
    expect(partitionProblem(energyDensity(shifted.energy, { box: { xmin: -4, xmax: 4, ymin: -4, ymax: 4 }, cells: 128 }).partition)).toMatch(/box does not hold/);
  });

  it('names a NaN energy instead of returning a number', () => {
    const bad = (p: Float64Array, n: number) => new Float64Array(n).fill(NaN);
    expect(partitionProblem(energyDensity(bad, { box: { xmin: -1, xmax: 1, ymin: -1, ymax: 1 }, cells: 8 }).partition)).toMatch(/not finite/);
  });

  it('rejects a grid with an odd number of cells', () => {
    expect(() => logPartition(new Float64Array(16), { box: { xmin: -1, xmax: 1, ymin: -1, ymax: 1 }, cells: 3 })).toThrow(/even integer/);
  });
});

describe('energyNll', () => {
  it('of the exact energy on points drawn from a Gaussian is its entropy 1 + log 2 pi + log det Sigma / 2, within 4 standard errors', () => {
    const g = gaussian([0.5, -1], [[1, 0.6], [0.6, 2]]);
    const grid = boxAround(g.mu, g.cov, 7, 64);
    const { logZ } = energyDensity(g.energy, grid).partition;
    // x = mu + L z with L the Cholesky factor of Sigma.
    const rng = new Rng(11);
    const n = 4000;
    const l11 = 1;
    const l21 = 0.6;
    const l22 = Math.sqrt(2 - 0.36);
    const pts = new Float64Array(2 * n);
    for (let r = 0; r < n; r++) {
      const z1 = rng.normal();
      const z2 = rng.normal();
      pts[2 * r] = 0.5 + l11 * z1;
      pts[2 * r + 1] = -1 + l21 * z1 + l22 * z2;
    }
    const entropy = 1 + Math.log(2 * Math.PI) + 0.5 * Math.log(g.det);
    // -log p = E + log Z with E = |z|^2 / 2 ~ chi^2_2 / 2: variance 1, so se = 1 / sqrt(n).
    expect(Math.abs(energyNll(g.energy, logZ, pts, n) - entropy)).toBeLessThan(4 / Math.sqrt(n));
  });
});

describe('gridKl', () => {
  it('KL between two Gaussians equals the closed form within the halving bound', () => {
    const p = gaussian([0, 0], [[1, 0.3], [0.3, 0.8]]);
    const q = gaussian([0.7, -0.4], [[1.5, 0], [0, 1.2]]);
    const grid: QuadratureGrid = { box: { xmin: -8, xmax: 8, ymin: -8, ymax: 8 }, cells: 128 };
    const result = gridKl(p.logDensity(grid), q.logDensity(grid), grid);
    // Both are normalised on the box, so the mass each has outside it (at most its outer-ring mass) adds to
    // the halving bound: q's, ~1e-9 here, dominates the 1e-10 discretisation error.
    const tails = logPartition(p.logDensity(grid), grid).outerMass + logPartition(q.logDensity(grid), grid).outerMass;
    // KL = 1/2 [tr(Sq^-1 Sp) + dmu^T Sq^-1 dmu - 2 + log(det Sq / det Sp)]
    const closed = 0.5 * (1 / 1.5 + 0.8 / 1.2 + 0.49 / 1.5 + 0.16 / 1.2 - 2 + Math.log(q.det / p.det));
    expect(Math.abs(result.kl - closed)).toBeLessThanOrEqual(result.klError + tails);
    expect(result.klError + tails).toBeLessThan(1e-7);
    expect(result.klError).toBeLessThan(1e-8);
    expect(result.massOfP).toBeCloseTo(1, 10);
  });

  it('is exactly 0 when the two log-densities differ by a constant, and Infinity when q misses mass of p', () => {
    const p = gaussian([0, 0], [[1, 0], [0, 1]]);
    const grid: QuadratureGrid = { box: { xmin: -6, xmax: 6, ymin: -6, ymax: 6 }, cells: 32 };
    const lp = p.logDensity(grid);
    expect(Math.abs(gridKl(lp, lp.map((v) => v + 3.7), grid).kl)).toBeLessThan(1e-12);
    const lq = lp.map((v, k) => (k === 5 * 33 + 16 ? -Infinity : v));
    expect(gridKl(lp, lq, grid).kl).toBe(Infinity);
  });
});
