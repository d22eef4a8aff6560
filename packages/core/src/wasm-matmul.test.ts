import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { Rng } from './rng';

// Reference: the product computed in Float64 from the arrays, independent of any kernel.
function reference(a: number[][][], b: number[][][], ta: boolean, tb: boolean): number[][][] {
  const T = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));
  return a.map((am, k) => {
    const A = ta ? T(am) : am;
    const B = tb ? T(b[k]) : b[k];
    return A.map((row) => B[0].map((_, j) => row.reduce((s, v, i) => s + v * B[i][j], 0)));
  });
}

describe('wasm BatchMatMul with transpose flags', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`transposeA=${ta} transposeB=${tb} matches a Float64 product, batched and unbatched, and frees its temporaries`, () => {
      const rng = new Rng(3);
      const a = rng.normalTensor([2, 5, 7]) as tf.Tensor3D;
      const b = rng.normalTensor([2, 7, 4]) as tf.Tensor3D; // the effective product is [5, 7] x [7, 4]
      const bb = tb ? (tf.transpose(b, [0, 2, 1]) as tf.Tensor3D) : b;
      const aa = ta ? (tf.transpose(a, [0, 2, 1]) as tf.Tensor3D) : a;
      const backend = tf.engine().backend as unknown as { numDataIds(): number };
      const before = backend.numDataIds();
      const out = tf.matMul(aa, bb, ta, tb);
      expect(backend.numDataIds()).toBe(before + 1);
      const want = reference(aa.arraySync(), bb.arraySync(), ta, tb);
      const got = out.arraySync() as number[][][];
      want.forEach((m, k) => m.forEach((r, i) => r.forEach((v, j) => expect(got[k][i][j]).toBeCloseTo(v, 4))));
      const out2 = tf.matMul(tf.squeeze(tf.slice(aa, [1, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D, tf.squeeze(tf.slice(bb, [1, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D, ta, tb);
      const got2 = out2.arraySync() as number[][];
      want[1].forEach((r, i) => r.forEach((v, j) => expect(got2[i][j]).toBeCloseTo(v, 4)));
    });
  }

  it('gradients through matMul (which use the flags) are right', () => {
    // d/dA sum(A B) = 1 B^T, d/dB = A^T 1.
    const A = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const B = tf.tensor2d([
      [1, -1],
      [2, 0],
      [0.5, 3],
    ]);
    const [gA, gB] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)))([A, B]);
    expect(gA.arraySync()).toEqual([
      [0, 2, 3.5],
      [0, 2, 3.5],
    ]);
    expect(gB.arraySync()).toEqual([
      [5, 5],
      [7, 7],
      [9, 9],
    ]);
  });
});
