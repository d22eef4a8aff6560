/**
 * Test-only Float64 reference formulas, on code paths independent of the tensor implementations
 * (Cholesky instead of eigendecompositions, a continued fraction instead of the erfc fit).
 * Not exported from the package.
 */
import type { GaussianMixture } from './dataset';

/** log erfc(x) for x >= 0: positive-term series of erf below 2, Laplace continued fraction above. */
export function logErfcRef(x: number): number {
  if (x < 2) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)): no cancellation.
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < 1e-18 * sum) break;
    }
    return Math.log1p(-(2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum);
  }
  // erfc(x) = e^{-x^2} / sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated bottom-up.
  let f = x;
  for (let n = 400; n >= 1; n--) f = x + n / 2 / f;
  return -x * x - 0.5 * Math.log(Math.PI) - Math.log(f);
}

/** log Phi(z), any z. */
export function logPhiRef(z: number): number {
  return z <= 0 ? Math.log(0.5) + logErfcRef(-z / Math.SQRT2) : Math.log1p(-0.5 * Math.exp(logErfcRef(z / Math.SQRT2)));
}

/** log(Phi(u) - Phi(l)) for l < u. */
export function logPhiDifferenceRef(l: number, u: number): number {
  if (u <= 0) {
    const lu = logPhiRef(u);
    return lu + Math.log(-Math.expm1(logPhiRef(l) - lu));
  }
  if (l >= 0) return logPhiDifferenceRef(-u, -l);
  return Math.log(1 - 0.5 * Math.exp(logErfcRef(u / Math.SQRT2)) - 0.5 * Math.exp(logErfcRef(-l / Math.SQRT2)));
}

/** Lower-triangular L with A = L L^T. */
export function choleskyRef(a: number[][]): number[][] {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) throw new Error('not positive definite');
        l[i][i] = Math.sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  return l;
}

/** log N(x; mu, C) by Cholesky: -(D log 2pi)/2 - sum log L_ii - |L^{-1}(x - mu)|^2 / 2. */
export function logNormalRef(x: number[], mu: number[], c: number[][]): number {
  const l = choleskyRef(c);
  const d = x.length;
  const z = new Array<number>(d);
  let logDet = 0;
  let quad = 0;
  for (let i = 0; i < d; i++) {
    let s = x[i] - mu[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
    quad += z[i] * z[i];
    logDet += Math.log(l[i][i]);
  }
  return -0.5 * d * Math.log(2 * Math.PI) - logDet - 0.5 * quad;
}

export function logSumExpRef(values: number[]): number {
  const m = Math.max(...values);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(values.reduce((s, v) => s + Math.exp(v - m), 0));
}

/** log sum_k w_k N(x; mu_k, C_k + sigma^2 I). */
export function mixtureLogDensityRef(mixture: GaussianMixture, x: number[], sigma: number): number {
  return logSumExpRef(
    mixture.weights.map((w, k) => {
      const c = mixture.covariances[k].map((row, i) => row.map((v, j) => v + (i === j ? sigma * sigma : 0)));
      return Math.log(w) + logNormalRef(x, mixture.means[k], c);
    }),
  );
}

/** Perturbed checkerboard (side s, 8 dark squares (i + j even) of [-2s, 2s]^2): log p_sigma(x), sigma > 0. */
export function checkerboardLogDensityRef(x: number[], s: number, sigma: number): number {
  const terms: number[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      if ((i + j) % 2 !== 0) continue;
      const f = (xd: number, k: number) => logPhiDifferenceRef(((k - 2) * s - xd) / sigma, ((k - 1) * s - xd) / sigma);
      terms.push(f(x[0], i) + f(x[1], j));
    }
  }
  return logSumExpRef(terms) - Math.log(8 * s * s);
}
