/** The best single Gaussian of a 2-D point set: the NLL floor that a unimodal model cannot beat. */

/**
 * Entropy ½ log det(2 pi e Σ) of the Gaussian with the points' sample covariance (n - 1) plus
 * extraSigma² I: the expected NLL of the moment-matched Gaussian of the points' distribution
 * convolved with N(0, extraSigma² I), the best any single Gaussian does on it. Points row-major [n, 2].
 */
export function gaussianFitNll(points: ArrayLike<number>, extraSigma = 0): number {
  if (points.length % 2 !== 0 || points.length < 6) throw new Error(`gaussianFitNll needs at least 3 points [n, 2] row-major, got ${points.length} values`);
  const n = points.length / 2;
  let [mx, my] = [0, 0];
  for (let k = 0; k < n; k++) [mx, my] = [mx + points[2 * k] / n, my + points[2 * k + 1] / n];
  let [sxx, syy, sxy] = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    const [dx, dy] = [points[2 * k] - mx, points[2 * k + 1] - my];
    [sxx, syy, sxy] = [sxx + (dx * dx) / (n - 1), syy + (dy * dy) / (n - 1), sxy + (dx * dy) / (n - 1)];
  }
  const s2 = extraSigma * extraSigma;
  const det = (sxx + s2) * (syy + s2) - sxy * sxy;
  if (!(det > 0)) throw new Error('gaussianFitNll: the covariance is singular');
  return 0.5 * Math.log((2 * Math.PI * Math.E) ** 2 * det);
}
