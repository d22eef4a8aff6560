import { describe, expect, it } from 'vitest';
import { gaussianFitNll } from './gaussian-fit';

describe('gaussianFitNll', () => {
  it('is ½ log det(2 pi e Σ) of the sample covariance, plus sigma² on the diagonal', () => {
    // (±1, 0), (0, ±2): mean 0, sample variances 2/3 and 8/3, no covariance.
    const points = [1, 0, -1, 0, 0, 2, 0, -2];
    const logTwoPiE = Math.log(2 * Math.PI * Math.E);
    expect(gaussianFitNll(points)).toBeCloseTo(logTwoPiE + 0.5 * Math.log((2 / 3) * (8 / 3)), 12);
    expect(gaussianFitNll(points, 0.5)).toBeCloseTo(logTwoPiE + 0.5 * Math.log((2 / 3 + 0.25) * (8 / 3 + 0.25)), 12);
    // A shift changes nothing; a correlation lowers the determinant: points on the line y = x plus a spread.
    expect(gaussianFitNll(points.map((v, k) => v + (k % 2 ? 3 : -7)))).toBeCloseTo(gaussianFitNll(points), 12);
    const tilted = [1, 1, -1, -1, 1, -1, -1, 1, 2, 2, -2, -2];
    // sxx = syy = 12 / 5, sxy = 8 / 5.
    expect(gaussianFitNll(tilted)).toBeCloseTo(logTwoPiE + 0.5 * Math.log((12 / 5) ** 2 - (8 / 5) ** 2), 12);
  });

  it('refuses too few points and a singular covariance', () => {
    expect(() => gaussianFitNll([1, 2, 3, 4])).toThrow(/at least 3 points/);
    expect(() => gaussianFitNll([0, 0, 1, 1, 2, 2])).toThrow(/singular/);
  });
});
