import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastSoftplus, fastTanh } from './activations';
import { selectBackend } from './backend';

// For s(x) = act(x W) (rows independent, W: [2, 2]) the divergence summed over rows is
//   L(W) = sum_n sum_i act'(z_ni) W_ii,  z = x W,
// so dL/dW_ab = [a == b] sum_n act'(z_na) + W_bb sum_n act''(z_nb) x_na.
// We compare tf.grad of (tf.grad-computed divergence) against this closed form in Float64.
type Act = { op: (z: tf.Tensor) => tf.Tensor; d1: (z: number) => number; d2: (z: number) => number };
const sig = (z: number) => 1 / (1 + Math.exp(-z));
const ACTIVATIONS: Record<string, Act> = {
  tanh: { op: tf.tanh, d1: (z) => 1 - Math.tanh(z) ** 2, d2: (z) => -2 * Math.tanh(z) * (1 - Math.tanh(z) ** 2) },
  sigmoid: { op: tf.sigmoid, d1: (z) => sig(z) * (1 - sig(z)), d2: (z) => sig(z) * (1 - sig(z)) * (1 - 2 * sig(z)) },
  exp: { op: tf.exp, d1: Math.exp, d2: Math.exp },
  elu: { op: tf.elu, d1: (z) => (z > 0 ? 1 : Math.exp(z)), d2: (z) => (z > 0 ? 0 : Math.exp(z)) },
  softplus: { op: tf.softplus, d1: sig, d2: (z) => sig(z) * (1 - sig(z)) },
  swish: {
    op: (z) => tf.mul(z, tf.sigmoid(z)),
    d1: (z) => sig(z) + z * sig(z) * (1 - sig(z)),
    d2: (z) => 2 * sig(z) * (1 - sig(z)) + z * sig(z) * (1 - sig(z)) * (1 - 2 * sig(z)),
  },
  fastSoftplus: { op: fastSoftplus, d1: sig, d2: (z) => sig(z) * (1 - sig(z)) },
  fastTanh: { op: fastTanh, d1: (z) => 1 - Math.tanh(z) ** 2, d2: (z) => -2 * Math.tanh(z) * (1 - Math.tanh(z) ** 2) },
  'pow (base)': { op: (z) => tf.pow(z, 3), d1: (z) => 3 * z * z, d2: (z) => 6 * z },
};

const X = [
  [0.1, 0.2],
  [0.3, -0.1],
  [-0.7, 0.45],
];
const W = [
  [0.6, -0.4],
  [0.3, 0.8],
];

function closedForm(act: Act): number[][] {
  const z = X.map((row) => [0, 1].map((j) => row[0] * W[0][j] + row[1] * W[1][j]));
  const g = [
    [0, 0],
    [0, 0],
  ];
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      let v = 0;
      for (let n = 0; n < X.length; n++) {
        if (a === b) v += act.d1(z[n][a]);
        v += W[b][b] * act.d2(z[n][b]) * X[n][a];
      }
      g[a][b] = v;
    }
  }
  return g;
}

function nestedGradient(act: Act): number[][] {
  return tf.tidy(() => {
    const x = tf.tensor2d(X);
    const divergence = (w: tf.Tensor) => {
      const terms = [0, 1].map((i) => {
        const gi = tf.grad((xx: tf.Tensor) => tf.sum(tf.slice(act.op(tf.matMul(xx as tf.Tensor2D, w as tf.Tensor2D)), [0, i], [-1, 1])))(x);
        return tf.sum(tf.slice(gi, [0, i], [-1, 1]));
      });
      return tf.addN(terms) as tf.Scalar;
    };
    return tf.grad(divergence)(tf.tensor2d(W)).arraySync() as number[][];
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`second-order gradients on ${backend}`, () => {
    beforeAll(async () => {
      await selectBackend(backend);
    });
    for (const [name, act] of Object.entries(ACTIVATIONS)) {
      it(`d/dW of the divergence of ${name}(xW) matches the closed form`, () => {
        const got = nestedGradient(act);
        const want = closedForm(act);
        // float32 arithmetic on O(1) values: 1e-5 relative is ~100 ulp.
        for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) expect(got[a][b]).toBeCloseTo(want[a][b], 4);
      });
    }
  });
}
