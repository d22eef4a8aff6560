import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { JsAdam } from './adam';
import { selectBackend } from './backend';

// PyTorch's Adam written out in Float64, independently of JsAdam's loop.
function referenceAdam(p0: number[], grads: number[][], lr: number): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const p = p0.slice();
  const m = p0.map(() => 0);
  const v = p0.map(() => 0);
  grads.forEach((g, t) => {
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mHat = m[i] / (1 - b1 ** (t + 1));
      const vHat = v[i] / (1 - b2 ** (t + 1));
      p[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return p;
}

/**
 * torch.optim.Adam's single-tensor update (torch/optim/adam.py, _single_tensor_adam, no weight decay or
 * amsgrad) transcribed in Float64, one state per parameter tensor. A parameter whose grad is None is left
 * out of the step altogether, so its state['step'] does not advance:
 *   step += 1; exp_avg.lerp_(g, 1 - b1); exp_avg_sq.mul_(b2).addcmul_(g, g, 1 - b2)
 *   denom = exp_avg_sq.sqrt() / sqrt(1 - b2^step) + eps; param.addcdiv_(exp_avg, denom, -lr / (1 - b1^step))
 * `globalStep` instead uses the optimiser's step count for every parameter (the rule JsAdam replaced).
 */
function torchAdam(p0: number[][], grads: (number[] | null)[][], lr: number, globalStep = false): number[][] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const state = p0.map((p) => ({ p: p.slice(), m: p.map(() => 0), v: p.map(() => 0), step: 0 }));
  grads.forEach((stepGrads, s) => {
    stepGrads.forEach((g, k) => {
      if (g === null) return;
      const st = state[k];
      st.step += 1;
      const step = globalStep ? s + 1 : st.step;
      const bc1 = 1 - b1 ** step;
      const bc2Sqrt = Math.sqrt(1 - b2 ** step);
      for (let i = 0; i < g.length; i++) {
        st.m[i] += (g[i] - st.m[i]) * (1 - b1);
        st.v[i] = st.v[i] * b2 + (1 - b2) * g[i] * g[i];
        st.p[i] += (-lr / bc1) * (st.m[i] / (Math.sqrt(st.v[i]) / bc2Sqrt + eps));
      }
    });
  });
  return state.map((st) => st.p);
}

describe('JsAdam', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('matches the PyTorch update rule step by step, skips null gradients, returns |g|^2', () => {
    const p0 = [0.5, -1.25, 2.0, 3e-3];
    const w = tf.variable(tf.tensor1d(p0));
    const frozen = tf.variable(tf.tensor1d([7, 8]));
    const adam = new JsAdam([w, frozen], 0.01);
    const grads = [
      [0.1, -2, 0.003, 5],
      [-0.4, 1, 0.002, 5],
      [0.3, 0.5, -0.001, -5],
    ];
    grads.forEach((g) => {
      const sq = adam.apply([tf.tensor1d(g), null]);
      expect(sq).toBeCloseTo(
        g.reduce((a, b) => a + Math.fround(b) ** 2, 0),
        5,
      );
    });
    const want = referenceAdam(p0, grads, 0.01);
    const got = w.dataSync();
    // float32 weights: agreement to ~1e-7 relative.
    want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    expect(Array.from(frozen.dataSync())).toEqual([7, 8]);
  });

  it('counts steps per parameter as PyTorch does when a gradient is absent on some steps', () => {
    // Float32-exact inputs, so the float64 reference sees the numbers JsAdam reads.
    const p0 = [
      [0.5, -1.25, 2],
      [0.75, -0.5],
    ];
    const grads: (number[] | null)[][] = [
      [
        [0.1, -2, 0.25],
        [0.5, -1],
      ],
      [[-0.375, 1, 0.125], null],
      [
        [0.25, 0.5, -0.0625],
        [-0.25, 2],
      ],
      [null, [1.5, 0.75]],
      [
        [0.5, -0.25, 1],
        [0.125, -0.5],
      ],
    ];
    const lr = 0.01;
    const vars = p0.map((p) => tf.variable(tf.tensor1d(p)));
    const adam = new JsAdam(vars, lr);
    for (const stepGrads of grads) {
      const ts = stepGrads.map((g) => (g === null ? null : tf.tensor1d(g)));
      adam.apply(ts);
      tf.dispose(ts.filter((t): t is tf.Tensor1D => t !== null));
    }
    expect(adam.state().t).toEqual([4, 4]);
    const want = torchAdam(p0, grads, lr);
    const stale = torchAdam(p0, grads, lr, true);
    vars.forEach((w, k) => {
      const got = Array.from(w.dataSync());
      // float32 weights of size ~1: round-off ~1e-7 per step.
      want[k].forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-6));
      // Power: one global step count moves every weight by more than 20 times that tolerance.
      want[k].forEach((v, i) => expect(Math.abs(stale[k][i] - v)).toBeGreaterThan(2e-5));
      w.dispose();
    });
  });
});
