import { describe, expect, it } from 'vitest';
import { Rng } from '@scorelab/core';
import { gridNodes, integrateScore, nodesPerSide, pathDependence, relativeCurl, scorePathLogDensityAt, type QuadratureGrid } from '../index';

/** A 2-component isotropic mixture in closed form: log p and its score. */
const W = [0.3, 0.7];
const MU = [
  [-1.5, 0.5],
  [1, -0.5],
];
const SD = [0.6, 0.8];
function mixture(x: number, y: number): { logp: number; sx: number; sy: number } {
  const terms = W.map((w, k) => {
    const dx = x - MU[k][0];
    const dy = y - MU[k][1];
    const v = SD[k] * SD[k];
    return { l: Math.log(w) - Math.log(2 * Math.PI * v) - (dx * dx + dy * dy) / (2 * v), gx: -dx / v, gy: -dy / v };
  });
  const m = Math.max(...terms.map((t) => t.l));
  const e = terms.map((t) => Math.exp(t.l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return { logp: m + Math.log(s), sx: terms.reduce((a, t, k) => a + (e[k] / s) * t.gx, 0), sy: terms.reduce((a, t, k) => a + (e[k] / s) * t.gy, 0) };
}
const mixtureScore = (p: Float64Array, n: number) => {
  const out = new Float64Array(2 * n);
  for (let r = 0; r < n; r++) {
    const v = mixture(p[2 * r], p[2 * r + 1]);
    out[2 * r] = v.sx;
    out[2 * r + 1] = v.sy;
  }
  return out;
};
const box = { xmin: -5, xmax: 5, ymin: -5, ymax: 5 };

/** Largest |log p̃ - log p - c| over nodes with log p > max log p - 12 (where the density has mass), c fitted at the reference node. */
function maxDeviation(values: Float64Array, grid: QuadratureGrid): number {
  const nodes = gridNodes(grid);
  const m = nodesPerSide(grid);
  const ref = (m * m - 1) / 2; // the centre node
  const c = values[ref] - mixture(nodes[2 * ref], nodes[2 * ref + 1]).logp;
  let worst = 0;
  for (let k = 0; k < m * m; k++) {
    const lp = mixture(nodes[2 * k], nodes[2 * k + 1]).logp;
    if (lp > -12) worst = Math.max(worst, Math.abs(values[k] - lp - c));
  }
  return worst;
}

describe('integrateScore: line integrals of a score', () => {
  it('the exact score of a mixture integrates to its log-density up to a constant, with second-order convergence', () => {
    // The trapezoidal rule along each line has error (h^2 / 12) ∫ s'' dl: O(h^2). Halving h must divide
    // the largest deviation by ~4 (order 2); at h = 10/128 it is ~3e-3 nats (measured 0.0029).
    const errors = [32, 64, 128].map((cells) => {
      const path = integrateScore(mixtureScore, { box, cells });
      return { both: maxDeviation(path.logUnnormalised, { box, cells }), x: maxDeviation(path.xFirst, { box, cells }), y: maxDeviation(path.yFirst, { box, cells }) };
    });
    for (let k = 1; k < errors.length; k++) {
      expect(errors[k - 1].both / errors[k].both).toBeGreaterThan(3.5);
      expect(errors[k - 1].both / errors[k].both).toBeLessThan(4.5);
    }
    expect(errors[2].both).toBeLessThan(5e-3);
    expect(errors[2].x).toBeLessThan(5e-3);
    expect(errors[2].y).toBeLessThan(5e-3);
  });

  it('scorePathLogDensityAt matches log p - c at points between the nodes, and -Infinity outside the box', () => {
    const grid = { box, cells: 128 };
    const path = integrateScore(mixtureScore, grid);
    const rng = new Rng(5);
    const n = 200;
    const pts = Float64Array.from({ length: 2 * n }, () => -3 + 6 * rng.uniform());
    const at = scorePathLogDensityAt(path, mixtureScore, pts, n);
    const nodes = gridNodes(grid);
    const ref = (129 * 129 - 1) / 2;
    const c = path.logUnnormalised[ref] - mixture(nodes[2 * ref], nodes[2 * ref + 1]).logp;
    for (let r = 0; r < n; r++) expect(Math.abs(at[r] - c - mixture(pts[2 * r], pts[2 * r + 1]).logp)).toBeLessThan(3e-3);
    expect(scorePathLogDensityAt(path, mixtureScore, Float64Array.from([6, 0]), 1)[0]).toBe(-Infinity);
  });
});

describe('relativeCurl and pathDependence', () => {
  // s = -x + c (-y, x): J = [[-1, -c], [c, -1]], curl 2c, ||J||_F = sqrt(2 + 2 c^2).
  const c = 0.8;
  const rotational = (p: Float64Array, n: number) => {
    const out = new Float64Array(2 * n);
    for (let r = 0; r < n; r++) {
      out[2 * r] = -p[2 * r] - c * p[2 * r + 1];
      out[2 * r + 1] = -p[2 * r + 1] + c * p[2 * r];
    }
    return out;
  };
  const grid: QuadratureGrid = { box: { xmin: -6, xmax: 6, ymin: -6, ymax: 6 }, cells: 128 };
  const logStdNormal = () => {
    const nodes = gridNodes(grid);
    return Float64Array.from({ length: nodesPerSide(grid) ** 2 }, (_, k) => -(nodes[2 * k] ** 2 + nodes[2 * k + 1] ** 2) / 2);
  };

  it('a rotational field has relative curl c / sqrt(1 + c^2) (a linear field: the finite differences are exact)', () => {
    const path = integrateScore(rotational, grid);
    expect(relativeCurl(path.field, logStdNormal(), grid)).toBeCloseTo(c / Math.sqrt(1 + c * c), 12);
    // The exact score of the mixture is a gradient field: the two difference stencils of d s_y/dx and
    // d s_x/dy agree to O(h^2), so its relative curl falls ~4x per halving of h (2e-4 at h = 10/128).
    const mixtureCurl = (cells: number) => {
      const g = { box, cells };
      const nodes = gridNodes(g);
      const logp = Float64Array.from({ length: (cells + 1) ** 2 }, (_, k) => mixture(nodes[2 * k], nodes[2 * k + 1]).logp);
      return relativeCurl(integrateScore(mixtureScore, g).field, logp, g);
    };
    const [coarse, fine] = [mixtureCurl(64), mixtureCurl(128)];
    expect(coarse / fine).toBeGreaterThan(3.5);
    expect(coarse / fine).toBeLessThan(4.5);
    expect(fine).toBeLessThan(1e-3);
  });

  it('the two integration orders of the rotational field differ by 2c x y, E_N(0,I)|2cxy| = 4c/pi', () => {
    const path = integrateScore(rotational, grid);
    const nodes = gridNodes(grid);
    // The trapezoid is exact on a linear field: xFirst = -|x|^2/2 + cxy, yFirst = -|x|^2/2 - cxy, mean -|x|^2/2.
    for (const k of [0, 1234, 8000, 129 * 129 - 1]) {
      const [x, y] = [nodes[2 * k], nodes[2 * k + 1]];
      expect(path.xFirst[k] - path.yFirst[k]).toBeCloseTo(2 * c * x * y, 9);
      expect(path.logUnnormalised[k]).toBeCloseTo(-(x * x + y * y) / 2, 9);
    }
    // E|xy| on the grid: |x| has a kink at the node x = 0, so the trapezoidal rule is O(h^2) there:
    // h = 12/128, error ~ h^2 / 12 * 2 phi(0) / E|x| ~ 7e-4 relative; the box drops exp(-18)-small tails.
    expect(Math.abs(pathDependence(path.xFirst, path.yFirst, logStdNormal(), grid) / ((4 * c) / Math.PI) - 1)).toBeLessThan(2e-3);
  });
});
