import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hutchinsonDivergence, exactDivergence, jacobian, projectedJacobian, type Projection } from './autodiff';
import { selectBackend } from './backend';
import { Rng } from './rng';

// f(x) = tanh(x W + c), rows independent. Closed form: J[n, i, j] = (1 - t_ni^2) W[j][i].
const W = [
  [0.9, -0.5, 0.2],
  [0.4, 1.1, -0.7],
  [-0.3, 0.6, 0.8],
];
const C = [0.1, -0.2, 0.3];
const field = (x: tf.Tensor2D) => tf.tanh(tf.add(tf.matMul(x, tf.tensor2d(W)), tf.tensor1d(C))) as tf.Tensor2D;

function closedFormJacobian(row: number[]): number[][] {
  const t = [0, 1, 2].map((i) => Math.tanh(row[0] * W[0][i] + row[1] * W[1][i] + row[2] * W[2][i] + C[i]));
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => (1 - t[i] ** 2) * W[j][i]));
}

const POINTS = [
  [0.5, -1.0, 0.25],
  [2.0, 0.3, -1.5],
  [-0.2, 0.1, 0.0],
];

describe('autodiff helpers', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('jacobian matches the closed form row by row', () => {
    const J = tf.tidy(() => jacobian(field, tf.tensor2d(POINTS)).arraySync());
    POINTS.forEach((p, n) => {
      const want = closedFormJacobian(p);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(J[n][i][j]).toBeCloseTo(want[i][j], 5);
    });
  });

  it('exact divergence equals the trace of the full Jacobian', () => {
    const [div, J] = tf.tidy(() => {
      const x = tf.tensor2d(POINTS);
      return [exactDivergence(field, x).arraySync(), jacobian(field, x).arraySync()];
    }) as [number[], number[][][]];
    POINTS.forEach((_, n) => expect(div[n]).toBeCloseTo(J[n][0][0] + J[n][1][1] + J[n][2][2], 5));
  });

  it('v^T J v by double backprop matches the closed form', () => {
    const v = [
      [1, -1, 1],
      [0.5, 2, -1],
      [-1, 0, 3],
    ];
    const got = tf.tidy(() => projectedJacobian(field, tf.tensor2d(POINTS), tf.tensor2d(v)).arraySync());
    POINTS.forEach((p, n) => {
      const J = closedFormJacobian(p);
      let q = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) q += v[n][i] * J[i][j] * v[n][j];
      expect(got[n]).toBeCloseTo(q, 5);
    });
  });

  for (const projection of ['rademacher', 'gaussian', 'sphere'] as Projection[]) {
    it(`Hutchinson (${projection}) is unbiased within 4 standard errors`, () => {
      // N copies of one point, each with its own projection: the estimates are i.i.d.
      const n = 20_000;
      const p = POINTS[1];
      const est = tf.tidy(() => hutchinsonDivergence(field, tf.tile(tf.tensor2d([p]), [n, 1]) as tf.Tensor2D, new Rng(17), projection).dataSync());
      let mean = 0;
      for (const e of est) mean += e;
      mean /= n;
      let v = 0;
      for (const e of est) v += (e - mean) ** 2;
      const se = Math.sqrt(v / (n - 1) / n);
      const J = closedFormJacobian(p);
      const trace = J[0][0] + J[1][1] + J[2][2];
      expect(se).toBeGreaterThan(0);
      expect(Math.abs(mean - trace)).toBeLessThan(4 * se);
    });
  }

  it('the divergence supports a further gradient w.r.t. captured weights', () => {
    // L(W) = sum over rows of tr J = sum_n sum_i (1 - t_ni^2) W_ii; compare with a central difference in Float64-like steps.
    const x = tf.tensor2d(POINTS);
    const L = (w: tf.Tensor) => tf.sum(exactDivergence((xx) => tf.tanh(tf.add(tf.matMul(xx, w as tf.Tensor2D), tf.tensor1d(C))) as tf.Tensor2D, x));
    const g = tf.grad(L)(tf.tensor2d(W)).arraySync() as number[][];
    const closed = (w: number[][]) =>
      POINTS.reduce((acc, row) => {
        let s = 0;
        for (let i = 0; i < 3; i++) {
          const t = Math.tanh(row[0] * w[0][i] + row[1] * w[1][i] + row[2] * w[2][i] + C[i]);
          s += (1 - t * t) * w[i][i];
        }
        return acc + s;
      }, 0);
    const h = 1e-6;
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const wp = W.map((r) => r.slice());
        const wm = W.map((r) => r.slice());
        wp[a][b] += h;
        wm[a][b] -= h;
        expect(g[a][b]).toBeCloseTo((closed(wp) - closed(wm)) / (2 * h), 4);
      }
    }
  });
});
