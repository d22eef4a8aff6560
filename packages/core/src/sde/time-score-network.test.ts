import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { jacobian } from '../autodiff';
import { selectBackend } from '../backend';
import { Rng } from '../rng';
import { createTimeScoreNetwork, type TimeInput } from './time-score-network';
import { veSde } from './ve-sde';
import { vpSde } from './vp-sde';

beforeAll(async () => {
  await selectBackend('wasm');
});

const softplus = (z: number) => (z > 20 ? z : Math.log1p(Math.exp(z)));

describe('time score network', () => {
  it.each(['time', 'log-std'] as TimeInput[])('equals an independent float64 forward pass of net([x, c, sin 2 pi w c, cos 2 pi w c]) / s(t), c from %s', (timeInput) => {
    const sde = vpSde();
    const net = createTimeScoreNetwork({ inputDim: 2, hidden: [16, 8], activation: 'softplus', fourierFeatures: 3, fourierScale: 2, timeInput }, sde, new Rng(4));
    expect(net.parameterCount()).toBe((2 + 7) * 16 + 16 + 16 * 8 + 8 + 8 * 2 + 2);
    expect(net.frequencies).toHaveLength(3);
    const xs = [
      [0.3, -1],
      [2, 0.5],
      [-1, 1],
    ];
    const ts = [0.01, 0.4, 1];
    const got = tf.tidy(() => net.score(tf.tensor2d(xs), tf.tensor1d(ts)).arraySync());
    const weights = net.params.map((p) => p.arraySync() as number[][] | number[]);
    xs.forEach((x, n) => {
      const std = sde.marginal(ts[n]).std;
      const cn = timeInput === 'time' ? ts[n] : Math.log(std);
      let h = [...x, cn, ...net.frequencies.map((w) => Math.sin(2 * Math.PI * w * cn)), ...net.frequencies.map((w) => Math.cos(2 * Math.PI * w * cn))];
      for (let l = 0; l < 3; l++) {
        const W = weights[2 * l] as number[][];
        const b = weights[2 * l + 1] as number[];
        const z = b.map((bj, j) => bj + h.reduce((acc, hi, i) => acc + hi * W[i][j], 0));
        h = l < 2 ? z.map(softplus) : z;
      }
      // Relative 1e-4: float32 sin/cos of phases up to ~2 pi * 5 and three layers of rounding.
      h.forEach((v, j) => expect(Math.abs(got[n][j] - v / std)).toBeLessThan(1e-4 * (1 + Math.abs(v / std))));
    });
    net.dispose();
  });

  it('withTangents gives J v equal to the autodiff Jacobian in x (the time features have no tangent)', () => {
    const sde = veSde({ sigmaMin: 0.05, sigmaMax: 5 });
    const net = createTimeScoreNetwork({ inputDim: 3, hidden: [12], activation: 'swish' }, sde, new Rng(8));
    const rng = new Rng(9);
    tf.tidy(() => {
      const x = rng.normalTensor([5, 3]) as tf.Tensor2D;
      const t = rng.uniformTensor([5], 0.01, 1) as tf.Tensor1D;
      const vs = [rng.normalTensor([5, 3]) as tf.Tensor2D, rng.normalTensor([5, 3]) as tf.Tensor2D];
      const { score, jvps } = net.score.withTangents(x, t, vs);
      expect(tf.max(tf.abs(tf.sub(score, net.score(x, t)))).dataSync()[0]).toBe(0);
      const j = jacobian((xx) => net.score(xx, t), x); // [N, D, D]
      vs.forEach((v, k) => {
        const expected = tf.squeeze(tf.matMul(j, tf.expandDims(v, 2)), [2]);
        const err = tf.max(tf.abs(tf.sub(jvps[k], expected))).dataSync()[0];
        const scale = tf.max(tf.abs(expected)).dataSync()[0];
        expect(err).toBeLessThan(1e-5 * (1 + scale));
      });
    });
    net.dispose();
  });

  it('is deterministic per seed, validates shapes, and dispose frees its tensors', () => {
    const sde = vpSde();
    const before = tf.memory().numTensors;
    const a = createTimeScoreNetwork({ inputDim: 2, hidden: [8], activation: 'tanh' }, sde, new Rng(1));
    const b = createTimeScoreNetwork({ inputDim: 2, hidden: [8], activation: 'tanh' }, sde, new Rng(1));
    tf.tidy(() => {
      const x = tf.tensor2d([[0.1, 0.2]]);
      const t = tf.tensor1d([0.5]);
      expect(Array.from(a.score(x, t).dataSync())).toEqual(Array.from(b.score(x, t).dataSync()));
      expect(() => a.score(x, tf.tensor1d([0.5, 0.6]))).toThrow(/t must have shape/);
      expect(() => a.score(tf.tensor2d([[1, 2, 3]]), t)).toThrow(/shape \[N, 2\]/);
    });
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createTimeScoreNetwork({ inputDim: 2, hidden: [8], activation: 'tanh', fourierScale: 0 }, sde, new Rng(1))).toThrow(/fourierScale/);
  });
});
