import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Activation } from './activations';
import { selectBackend } from './backend';
import type { Conditioning } from './conditioner';
import { createEnergyNetwork, type EnergyNetwork } from './energy-network';
import { createNetwork } from './network';
import { CLEAN, levelsFamily, type NoiseFamily } from './noise-family';
import { Rng } from './rng';
import { installSecondOrderGradients } from './second-order-gradients';
import { vpSde } from './sde/vp-sde';

beforeAll(async () => {
  await selectBackend('wasm');
  installSecondOrderGradients();
});

const ACTIVATIONS: Activation[] = ['softplus', 'swish', 'elu', 'tanh', 'relu'];
const LEVELS = levelsFamily([2, 1, 0.5]);
const SDE: NoiseFamily = { kind: 'sde', sde: vpSde({ betaMin: 0.1, betaMax: 20 }) };

interface Case {
  name: string;
  family: NoiseFamily;
  conditioning: Conditioning;
  cond: (n: number) => tf.Tensor1D | undefined;
}
const CASES: Case[] = [
  { name: 'unconditional', family: CLEAN, conditioning: 'none', cond: () => undefined },
  { name: 'sigma-scale', family: LEVELS, conditioning: 'sigma-scale', cond: (n) => tf.tensor1d(Array.from({ length: n }, (_, i) => [2, 1, 0.5][i % 3])) },
  { name: 'embed', family: LEVELS, conditioning: 'embed', cond: (n) => tf.tensor1d(Array.from({ length: n }, (_, i) => [2, 1, 0.5][i % 3])) },
  { name: 'sde', family: SDE, conditioning: 'embed', cond: (n) => tf.tensor1d(Array.from({ length: n }, (_, i) => 0.05 + (0.9 * i) / n)) },
];

const net = (c: Case, activation: Activation, dim = 3, hidden = [7, 5]) => createEnergyNetwork({ hidden, activation, conditioning: c.conditioning, fourierFeatures: 2, fourierScale: 1, timeInput: 'time' }, dim, c.family, new Rng(11));
const values = (t: tf.Tensor) => Array.from(t.dataSync());
/** max |a - b| / (max |b| + tiny): float32 networks agree with autodiff to ~1e-6 of their scale. */
const relErr = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / (tf.max(tf.abs(b)).dataSync()[0] + 1e-12));

/** -grad_x E by tf.grad of the network's own energy (autodiff, not the explicit backward pass). */
const autodiffScore = (e: EnergyNetwork, x: tf.Tensor2D, cond: tf.Tensor1D | undefined) => tf.neg(tf.grad((y: tf.Tensor) => tf.sum(e.energy(y as tf.Tensor2D, cond)))(x)) as tf.Tensor2D;
/** -H v by double backprop: -grad_x (grad_x E . v). */
const autodiffJvp = (e: EnergyNetwork, x: tf.Tensor2D, cond: tf.Tensor1D | undefined, v: tf.Tensor2D) =>
  tf.neg(tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.grad((w: tf.Tensor) => tf.sum(e.energy(w as tf.Tensor2D, cond)))(y), v)))(x)) as tf.Tensor2D;

describe('energy network: score = -grad_x E and tangents = -H v', () => {
  for (const c of CASES) {
    for (const activation of ACTIVATIONS) {
      it(`${c.name}, ${activation}: the explicit backward pass equals autodiff of E, and forward-over-reverse equals double backprop`, () => {
        const e = net(c, activation);
        const rng = new Rng(3);
        tf.tidy(() => {
          const x = rng.normalTensor([12, 3]) as tf.Tensor2D;
          const cond = c.cond(12);
          const v = rng.normalTensor([12, 3]) as tf.Tensor2D;
          const w = rng.normalTensor([12, 3]) as tf.Tensor2D;
          expect(relErr(e.score(x, cond), autodiffScore(e, x, cond))).toBeLessThan(1e-5);
          const { score, jvps } = e.score.withTangents(x, cond, [v, w]);
          expect(relErr(score, autodiffScore(e, x, cond))).toBeLessThan(1e-5);
          if (activation === 'relu') {
            // Piecewise linear f: the Hessian is zero almost everywhere.
            expect(tf.max(tf.abs(jvps[0])).dataSync()[0]).toBe(0);
          } else {
            expect(relErr(jvps[0], autodiffJvp(e, x, cond, v))).toBeLessThan(1e-4);
            expect(relErr(jvps[1], autodiffJvp(e, x, cond, w))).toBeLessThan(1e-4);
          }
          const stacked = e.score.withStackedTangents!(x, cond, tf.concat([v, w], 0) as tf.Tensor2D);
          expect(values(stacked.jvpStacked)).toEqual(values(tf.concat(jvps, 0)));
        });
        e.dispose();
      });
    }
  }

  it('the score equals central finite differences of E (float32, h = 1e-2: truncation ~h^2 |E_xxx|, round-off ~1e-7 |E| / h)', () => {
    const e = net(CASES[2], 'softplus');
    const rng = new Rng(5);
    tf.tidy(() => {
      const x = rng.normalTensor([6, 3]) as tf.Tensor2D;
      const cond = CASES[2].cond(6);
      const h = 1e-2;
      const s = e.score(x, cond).arraySync();
      for (let j = 0; j < 3; j++) {
        const dx = tf.oneHot(tf.fill([6], j, 'int32'), 3).mul(h) as tf.Tensor2D;
        const fd = tf.div(tf.sub(e.energy(tf.add(x, dx), cond), e.energy(tf.sub(x, dx), cond)), -2 * h).arraySync() as number[];
        fd.forEach((v, i) => expect(Math.abs(v - s[i][j])).toBeLessThan(2e-3 * (1 + Math.abs(s[i][j]))));
      }
    });
    e.dispose();
  });

  it('weight gradients of a loss built on the tangents equal triple backprop of E', () => {
    // L = mean(v . J v + |s|^2 / 2), ssm-vr's integrand: with the explicit path its weight gradient is first-order autodiff.
    for (const c of [CASES[2], CASES[3]]) {
      // Not elu: tfjs cannot take a third derivative through tf.minimum (no gradient for LessEqual); its
      // first and second derivatives are checked above.
      for (const activation of ['softplus', 'swish', 'tanh'] as Activation[]) {
        const e = net(c, activation, 2, [6, 4]);
        const rng = new Rng(8);
        const x = rng.normalTensor([10, 2]) as tf.Tensor2D;
        const v = rng.normalTensor([10, 2]) as tf.Tensor2D;
        const cond = c.cond(10);
        const explicit = () =>
          tf.tidy(() => {
            const { score, jvps } = e.score.withTangents(x, cond, [v]);
            return tf.mean(tf.add(tf.sum(tf.mul(v, jvps[0]), 1), tf.mul(0.5, tf.sum(tf.square(score), 1)))) as tf.Scalar;
          });
        const nested = () =>
          tf.tidy(() => {
            const s = autodiffScore(e, x, cond);
            const jv = autodiffJvp(e, x, cond, v);
            return tf.mean(tf.add(tf.sum(tf.mul(v, jv), 1), tf.mul(0.5, tf.sum(tf.square(s), 1)))) as tf.Scalar;
          });
        const a = tf.variableGrads(explicit, e.params);
        const b = tf.variableGrads(nested, e.params);
        expect(Math.abs(a.value.dataSync()[0] - b.value.dataSync()[0])).toBeLessThan(1e-5 * (1 + Math.abs(b.value.dataSync()[0])));
        // The last bias shifts E by a constant and leaves the score alone: no gradient (null) on the explicit path.
        const last = e.params[e.params.length - 1];
        expect(a.grads[last.name] ?? null).toBeNull();
        if (b.grads[last.name]) expect(tf.max(tf.abs(b.grads[last.name])).dataSync()[0]).toBe(0);
        for (const p of e.params.slice(0, -1)) expect(relErr(a.grads[p.name], b.grads[p.name])).toBeLessThan(1e-4);
        tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads), x, v, cond ?? []]);
        e.dispose();
      }
    }
  });

  it('E scales as f / sigma (sigma-scale, embed) and f / s(t) (sde): the score has the 1/sigma scale', () => {
    const e = net(CASES[1], 'softplus');
    tf.tidy(() => {
      const x = new Rng(2).normalTensor([3, 3]) as tf.Tensor2D;
      const e1 = values(e.energy(x, tf.tensor1d([1, 1, 1])));
      const e2 = values(e.energy(x, tf.tensor1d([2, 2, 2])));
      e1.forEach((v, i) => expect(e2[i]).toBeCloseTo(v / 2, 6));
    });
    e.dispose();
  });

  it('is built by createNetwork from model.kind energy, drawing its weights from rng as the score MLP (last layer [H, 1])', () => {
    const e = createNetwork({ kind: 'energy', hidden: [4], activation: 'tanh', conditioning: 'embed' }, 2, LEVELS, new Rng(4));
    expect(e.kind).toBe('energy');
    expect(e.params.map((p) => p.shape)).toEqual([[3, 4], [4], [4, 1], [1]]);
    expect(e.parameterCount()).toBe(3 * 4 + 4 + 4 + 1);
    const replay = new Rng(4);
    const want = tf.tidy(() => values(replay.uniformTensor([3, 4], -1 / Math.sqrt(3), 1 / Math.sqrt(3))));
    expect(values(e.params[0])).toEqual(want);
    const m = createNetwork({ kind: 'mlp', hidden: [4], activation: 'tanh', conditioning: 'embed' }, 2, LEVELS, new Rng(4));
    expect(m.kind).toBe('mlp');
    expect(values(m.params[0])).toEqual(want);
    e.dispose();
    m.dispose();
  });

  it('leaks no tensors', () => {
    const e = net(CASES[3], 'swish');
    const x = new Rng(1).normalTensor([5, 3]) as tf.Tensor2D;
    const cond = CASES[3].cond(5)!;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.tidy(() => {
      e.score.withTangents(x, cond, [x]);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, cond]);
    e.dispose();
  });
});
