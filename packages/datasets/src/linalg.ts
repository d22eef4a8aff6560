/**
 * Small dense linear algebra in Float64 plain JS, for factorising mixture covariances once when
 * a dataset is built (the tensors then only see the factors).
 */

/** Eigendecomposition A = Q diag(values) Q^T of a symmetric matrix; Q's columns are eigenvectors. */
export interface SymmetricEigen {
  values: number[];
  /** vectors[i][j] = component i of eigenvector j (so the columns of Q). */
  vectors: number[][];
}

/**
 * Cyclic Jacobi eigenvalue algorithm. Each rotation zeroes one off-diagonal pair; the sweep
 * converges quadratically and is backward stable, which is all we need for D up to a few hundred.
 */
export function symmetricEigen(matrix: readonly (readonly number[])[]): SymmetricEigen {
  const n = matrix.length;
  const a = matrix.map((row) => row.slice());
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let scale = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scale += a[i][j] * a[i][j];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off <= 1e-32 * scale || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;
        // Rotation J in the (p, q) plane with A' = J^T A J and A'_pq = 0: t = tan(phi) is the
        // smaller root of t^2 + 2 theta t - 1 = 0, theta = (a_qq - a_pp) / (2 a_pq).
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]), vectors: v };
}

/** True when every off-diagonal entry is exactly zero. */
export function isDiagonal(matrix: readonly (readonly number[])[]): boolean {
  for (let i = 0; i < matrix.length; i++) {
    for (let j = 0; j < matrix.length; j++) if (i !== j && matrix[i][j] !== 0) return false;
  }
  return true;
}
