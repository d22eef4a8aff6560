import { describe, expect, it } from 'vitest';
import type { DensityArtifact } from '@scorelab/config';
import { gridEntropy, gridMasses, gridPoint, modeMasses, totalVariation } from './grid-density';

/** log of a density f(x, y) on an n x n grid over [lo, hi]^2, as a DensityArtifact. */
function artifact(logF: (x: number, y: number) => number | null, lo: number, hi: number, n: number): DensityArtifact {
  const grid = { xmin: lo, xmax: hi, ymin: lo, ymax: hi, nx: n, ny: n };
  const logDensity = Array.from({ length: n }, (_, j) => Array.from({ length: n }, (_, i) => logF(...gridPoint(grid, i, j))));
  return { grid, sigma: 0, logDensity };
}

const logGauss = (mx: number, my: number, s: number) => (x: number, y: number) => -((x - mx) ** 2 + (y - my) ** 2) / (2 * s * s) - Math.log(2 * Math.PI * s * s);

describe('grid densities', () => {
  // N(mu, s^2 I) on a box of +-6 s around it, 81 nodes per side (h = 0.15 s): the trapezoidal rule on
  // a smooth integrand that vanishes at the box edges converges faster than any power of h, so the
  // closed forms hold to far below 1e-6.
  const s = 0.3;
  const gauss = artifact(logGauss(0.5, 0.5, s), 0.5 - 6 * s, 0.5 + 6 * s, 81);

  it('a normalised Gaussian has log Z = 0 and masses summing to 1', () => {
    const { pi, logZ } = gridMasses(gauss);
    expect(logZ).toBeCloseTo(0, 6);
    expect(pi.flat().reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
  });

  it('the entropy of N(mu, s^2 I) is 1 + log(2 pi s^2), also when the density is unnormalised', () => {
    expect(gridEntropy(gauss)).toBeCloseTo(1 + Math.log(2 * Math.PI * s * s), 6);
    const shifted = { ...gauss, logDensity: gauss.logDensity.map((row) => row.map((v) => (v === null ? null : v + 3.7))) };
    expect(gridMasses(shifted).logZ).toBeCloseTo(3.7, 6);
    expect(gridEntropy(shifted)).toBeCloseTo(1 + Math.log(2 * Math.PI * s * s), 6);
  });

  it('mode masses of a 0.3 / 0.7 mixture of separated components are 0.3 and 0.7', () => {
    // Means 3 apart with s = 0.3: the mass across the bisector is Phi(-5) = 3e-7 per component.
    const mix = artifact(
      (x, y) => Math.log(0.3 * Math.exp(logGauss(-1.5, 0, s)(x, y)) + 0.7 * Math.exp(logGauss(1.5, 0, s)(x, y))),
      -3.5,
      3.5,
      141,
    );
    const m = modeMasses(mix, [
      [-1.5, 0],
      [1.5, 0],
    ]);
    expect(m[0]).toBeCloseTo(0.3, 5);
    expect(m[1]).toBeCloseTo(0.7, 5);
    expect(totalVariation(m, [0.5, 0.5])).toBeCloseTo(0.2, 5);
  });

  it('null nodes carry no mass; bad grids are refused', () => {
    const half = artifact((x) => (x < 0 ? null : 0), -1, 1, 5);
    const { pi } = gridMasses(half);
    expect(pi.flat().filter((v) => v > 0).length).toBe(15);
    expect(() => gridMasses(artifact(() => null, 0, 1, 3))).toThrow(/no finite value/);
    expect(() => gridMasses({ ...gauss, logDensity: gauss.logDensity.slice(1) })).toThrow(/\[ny = 81\]\[nx = 81\]/);
    expect(() => totalVariation([1], [0.5, 0.5])).toThrow(/lengths 1 and 2/);
  });
});
