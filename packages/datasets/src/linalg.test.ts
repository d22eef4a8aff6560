import { Rng } from '@scorelab/core';
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './linalg';

function randomSymmetric(rng: Rng, d: number): number[][] {
  const b = Array.from({ length: d }, () => Array.from({ length: d }, () => rng.normal()));
  // B B^T + 0.1 I: symmetric positive definite with a spread of eigenvalues.
  return b.map((_, i) => b.map((__, j) => b[i].reduce((s, v, k) => s + v * b[j][k], 0) + (i === j ? 0.1 : 0)));
}

describe('symmetricEigen', () => {
  it('reconstructs A = Q diag(l) Q^T with orthonormal Q to 1e-12 (Float64)', () => {
    const rng = new Rng(11);
    for (const d of [1, 2, 3, 5, 8, 20]) {
      const a = randomSymmetric(rng, d);
      const { values, vectors: q } = symmetricEigen(a);
      const norm = Math.sqrt(a.flat().reduce((s, v) => s + v * v, 0));
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let rec = 0;
          let gram = 0;
          for (let k = 0; k < d; k++) {
            rec += q[i][k] * values[k] * q[j][k];
            gram += q[k][i] * q[k][j];
          }
          // Jacobi is backward stable: errors ~ a few eps * ||A|| per entry.
          expect(Math.abs(rec - a[i][j])).toBeLessThan(1e-12 * norm);
          expect(Math.abs(gram - (i === j ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('finds the known eigenvalues of [[2, 1], [1, 2]] (1 and 3)', () => {
    const { values } = symmetricEigen([
      [2, 1],
      [1, 2],
    ]);
    expect(values.slice().sort()).toEqual([expect.closeTo(1, 14), expect.closeTo(3, 14)]);
  });
});
