import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Activation } from './activations';
import { jacobian } from './autodiff';
import { selectBackend } from './backend';
import { CLEAN, levelsFamily, type NoiseFamily } from './noise-family';
import { Rng } from './rng';
import { createScoreNetwork, type Conditioning, type TimeInput } from './score-network';
import type { Sde } from './sde/sde';
import { veSde } from './sde/ve-sde';
import { vpSde } from './sde/vp-sde';

beforeAll(async () => {
  await selectBackend('wasm');
});

const LEVELS = levelsFamily([2, 1, 0.5]);
const sdeFamily = (sde: Sde): NoiseFamily => ({ kind: 'sde', sde });
/** A noise-level network: the family only decides sigma (not time) conditioning, so CLEAN and levels build the same net. */
const sigmaNet = (dim: number, hidden: number[], activation: Activation, conditioning: Conditioning, rng: Rng) =>
  createScoreNetwork({ hidden, activation, conditioning }, dim, conditioning === 'none' ? CLEAN : LEVELS, rng);
const softplus = (z: number) => (z > 20 ? z : Math.log1p(Math.exp(z)));

describe('score network under noise levels (cond = sigma)', () => {
  it('has the reference parameter count and PyTorch-style init bounds', () => {
    const net = sigmaNet(2, [128, 128], 'softplus', 'none', new Rng(0));
    expect(net.parameterCount()).toBe(2 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2);
    expect(net.options).toEqual({ inputDim: 2, hidden: [128, 128], activation: 'softplus', condition: 'sigma', conditioning: 'none' });
    expect(net.frequencies).toEqual([]);
    net.params.forEach((p, k) => {
      const fanIn = k % 2 === 0 ? p.shape[0] : net.params[k - 1].shape[0];
      expect(tf.max(tf.abs(p)).dataSync()[0]).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
    });
    net.dispose();
  });

  it('draws its weights from rng layer by layer, W then b, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (embed adds the log sigma input)', () => {
    const net = sigmaNet(3, [5, 4], 'tanh', 'embed', new Rng(17));
    const replay = new Rng(17);
    const widths = [4, 5, 4, 3];
    for (let l = 0; l + 1 < widths.length; l++) {
      const bound = 1 / Math.sqrt(widths[l]);
      for (const [k, shape] of [
        [2 * l, [widths[l], widths[l + 1]]],
        [2 * l + 1, [widths[l + 1]]],
      ] as const) {
        const want = tf.tidy(() => replay.uniformTensor([...shape], -bound, bound).dataSync());
        expect(net.params[k].shape).toEqual(shape);
        expect(Array.from(net.params[k].dataSync())).toEqual(Array.from(want));
      }
    }
    net.dispose();
  });

  it('same seed, same weights and outputs', () => {
    const a = sigmaNet(3, [8], 'tanh', 'none', new Rng(5));
    const b = sigmaNet(3, [8], 'tanh', 'none', new Rng(5));
    const x = new Rng(1).normalTensor([4, 3]) as tf.Tensor2D;
    expect(Array.from(a.score(x).dataSync())).toEqual(Array.from(b.score(x).dataSync()));
    a.dispose();
    b.dispose();
    x.dispose();
  });

  it('sigma-scale divides an unconditional output by sigma; embed sees log sigma; none ignores sigma', () => {
    const x = new Rng(2).normalTensor([5, 2]) as tf.Tensor2D;
    const s1 = tf.fill([5], 1) as tf.Tensor1D;
    const s3 = tf.fill([5], 3) as tf.Tensor1D;
    const scale = sigmaNet(2, [16], 'swish', 'sigma-scale', new Rng(3));
    const diff = tf.sub(tf.mul(scale.score(x, s3), 3), scale.score(x, s1));
    expect(tf.max(tf.abs(diff)).dataSync()[0]).toBeLessThan(1e-6);
    const embed = sigmaNet(2, [16], 'swish', 'embed', new Rng(3));
    const diffE = tf.sub(tf.mul(embed.score(x, s3), 3), embed.score(x, s1));
    expect(tf.max(tf.abs(diffE)).dataSync()[0]).toBeGreaterThan(1e-3);
    const none = sigmaNet(2, [16], 'swish', 'none', new Rng(3));
    expect(Array.from(none.score(x, s3).dataSync())).toEqual(Array.from(none.score(x).dataSync()));
    expect(() => embed.score(x)).toThrow(/'embed'-conditioned score network needs its condition/);
    expect(() => scale.score(x, tf.fill([4], 1) as tf.Tensor1D)).toThrow(/condition has shape \[4\] for 5 samples/);
    expect(() => none.score(tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/expected x of shape \[N, 2\]/);
    [scale, embed, none].forEach((n) => n.dispose());
  });

  const cases: [Activation, Conditioning][] = [
    ['softplus', 'none'],
    ['swish', 'embed'],
    ['elu', 'sigma-scale'],
    ['relu', 'embed'],
    ['tanh', 'none'],
  ];
  for (const [activation, conditioning] of cases) {
    it(`forward-mode tangents equal backprop Jacobian-vector products (${activation}, ${conditioning})`, () => {
      const d = 3;
      const n = 6;
      const rng = new Rng(11);
      const net = sigmaNet(d, [12, 10], activation, conditioning, rng);
      tf.tidy(() => {
        const x = rng.normalTensor([n, d]) as tf.Tensor2D;
        const sigma = conditioning === 'none' ? undefined : (rng.uniformTensor([n], 0.5, 2) as tf.Tensor1D);
        const vs = [rng.normalTensor([n, d]) as tf.Tensor2D, rng.rademacherTensor([n, d]) as tf.Tensor2D];
        const { score, jvps } = net.score.withTangents(x, sigma, vs);
        expect(Array.from(score.dataSync())).toEqual(Array.from(net.score(x, sigma).dataSync()));
        const J = jacobian((xx) => net.score(xx, sigma), x); // [N, D, D], by backprop
        vs.forEach((v, k) => {
          const want = tf.squeeze(tf.matMul(J, tf.expandDims(v, 2)), [2]);
          const err = tf.max(tf.abs(tf.sub(jvps[k], want))).dataSync()[0];
          const scale = tf.max(tf.abs(want)).dataSync()[0];
          expect(err).toBeLessThan(1e-5 * Math.max(1, scale));
        });
      });
      net.dispose();
    });
  }

  it('leaks no tensors', () => {
    const net = sigmaNet(2, [8], 'softplus', 'embed', new Rng(0));
    const x = tf.zeros([4, 2]) as tf.Tensor2D;
    const s = tf.ones([4]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        net.score.withTangents(x, s, [x]);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, s]);
    net.dispose();
  });
});

describe('score network weight gradients through tangents', () => {
  for (const count of [1, 2]) {
    it(`d/dW of sum(v . Jv) with ${count} tangent(s) equals the double-backprop gradient`, () => {
      const rng = new Rng(21);
      const net = sigmaNet(2, [6], 'tanh', 'embed', rng);
      const x = rng.normalTensor([5, 2]) as tf.Tensor2D;
      const sigma = rng.uniformTensor([5], 0.5, 2) as tf.Tensor1D;
      const vs = Array.from({ length: count }, () => rng.normalTensor([5, 2]) as tf.Tensor2D);
      const forward = tf.variableGrads(() => {
        const { jvps } = net.score.withTangents(x, sigma, vs);
        return tf.addN(jvps.map((j, k) => tf.sum(tf.mul(j, vs[k])))) as tf.Scalar;
      }, net.params);
      const backprop = tf.variableGrads(() => {
        const terms = vs.map((v) => tf.sum(tf.mul(tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(net.score(xx as tf.Tensor2D, sigma), v)))(x), v)));
        return tf.addN(terms) as tf.Scalar;
      }, net.params);
      expect(forward.value.dataSync()[0]).toBeCloseTo(backprop.value.dataSync()[0], 4);
      // The output bias does not enter J, so it has no gradient (null) on either path.
      expect(forward.grads[net.params[net.params.length - 1].name] ?? null).toBeNull();
      for (const p of net.params.slice(0, -1)) {
        const err = tf.max(tf.abs(tf.sub(forward.grads[p.name], backprop.grads[p.name]))).dataSync()[0];
        expect(err).toBeLessThan(1e-4);
      }
      net.dispose();
    });
  }
});

describe('score network under an sde (cond = t)', () => {
  it.each(['time', 'log-std'] as TimeInput[])('equals an independent float64 forward pass of net([x, c, sin 2 pi w c, cos 2 pi w c]) / s(t), c from %s', (timeInput) => {
    const sde = vpSde();
    // conditioning is a noise-level key: an sde network always sees time.
    const net = createScoreNetwork({ hidden: [16, 8], activation: 'softplus', conditioning: 'none', fourierFeatures: 3, fourierScale: 2, timeInput }, 2, sdeFamily(sde), new Rng(4));
    expect(net.parameterCount()).toBe((2 + 7) * 16 + 16 + 16 * 8 + 8 + 8 * 2 + 2);
    expect(net.frequencies).toHaveLength(3);
    expect(net.options).toEqual({ inputDim: 2, hidden: [16, 8], activation: 'softplus', condition: 'time', fourierFeatures: 3, fourierScale: 2, timeInput });
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

  it('draws the F frequencies w ~ N(0, fourierScale^2) first, then the weights; defaults F = 8, scale 1, c = t', () => {
    const sde = vpSde();
    const net = createScoreNetwork({ hidden: [6], activation: 'tanh', conditioning: 'embed' }, 2, sdeFamily(sde), new Rng(31));
    expect(net.options).toEqual({ inputDim: 2, hidden: [6], activation: 'tanh', condition: 'time', fourierFeatures: 8, fourierScale: 1, timeInput: 'time' });
    const replay = new Rng(31);
    expect(net.frequencies).toEqual(Array.from(replay.normalArray(8, 0, 1)));
    const widths = [2 + 1 + 16, 6, 2];
    for (let l = 0; l + 1 < widths.length; l++) {
      const bound = 1 / Math.sqrt(widths[l]);
      const w = tf.tidy(() => replay.uniformTensor([widths[l], widths[l + 1]], -bound, bound).dataSync());
      const b = tf.tidy(() => replay.uniformTensor([widths[l + 1]], -bound, bound).dataSync());
      expect(Array.from(net.params[2 * l].dataSync())).toEqual(Array.from(w));
      expect(Array.from(net.params[2 * l + 1].dataSync())).toEqual(Array.from(b));
    }
    // fourierScale multiplies the same standard normal draws.
    const wide = createScoreNetwork({ hidden: [6], activation: 'tanh', conditioning: 'embed', fourierScale: 16 }, 2, sdeFamily(sde), new Rng(31));
    wide.frequencies.forEach((w, k) => expect(Math.abs(w - 16 * net.frequencies[k])).toBeLessThan(1e-12 * (1 + Math.abs(w))));
    net.dispose();
    wide.dispose();
  });

  it('withTangents gives J v equal to the autodiff Jacobian in x (the time features have no tangent)', () => {
    const sde = veSde({ sigmaMin: 0.05, sigmaMax: 5 });
    const net = createScoreNetwork({ hidden: [12], activation: 'swish', conditioning: 'embed' }, 3, sdeFamily(sde), new Rng(8));
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
    const spec = { hidden: [8], activation: 'tanh' as const, conditioning: 'embed' as const };
    const before = tf.memory().numTensors;
    const a = createScoreNetwork(spec, 2, sdeFamily(sde), new Rng(1));
    const b = createScoreNetwork(spec, 2, sdeFamily(sde), new Rng(1));
    // The weights plus the fixed 2 pi w row of each network.
    expect(tf.memory().numTensors).toBe(before + 2 * (a.params.length + 1));
    tf.tidy(() => {
      const x = tf.tensor2d([[0.1, 0.2]]);
      const t = tf.tensor1d([0.5]);
      expect(Array.from(a.score(x, t).dataSync())).toEqual(Array.from(b.score(x, t).dataSync()));
      expect(() => a.score(x, tf.tensor1d([0.5, 0.6]))).toThrow(/time-conditional score: the condition has shape \[2\] for 1 samples/);
      expect(() => a.score(x)).toThrow(/time-conditional score network needs its condition/);
      expect(() => a.score(tf.tensor2d([[1, 2, 3]]), t)).toThrow(/shape \[N, 2\]/);
    });
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createScoreNetwork({ ...spec, fourierScale: 0 }, 2, sdeFamily(sde), new Rng(1))).toThrow(/fourierScale/);
    expect(() => createScoreNetwork({ ...spec, fourierFeatures: 1.5 }, 2, sdeFamily(sde), new Rng(1))).toThrow(/fourierFeatures/);
  });
});

describe('score network stacked tangents', () => {
  it.each([
    ['levels, embed', LEVELS, 'embed' as Conditioning],
    ['clean, none', CLEAN, 'none' as Conditioning],
    ['sde', sdeFamily(vpSde()), 'embed' as Conditioning],
  ] as const)('withStackedTangents equals withTangents on the same K tangents (%s)', (_name, family, conditioning) => {
    const rng = new Rng(41);
    const net = createScoreNetwork({ hidden: [10, 7], activation: 'softplus', conditioning, fourierFeatures: 2 }, 3, family, rng);
    tf.tidy(() => {
      const n = 4;
      const x = rng.normalTensor([n, 3]) as tf.Tensor2D;
      const cond = family.kind === 'clean' ? undefined : (rng.uniformTensor([n], 0.05, 1) as tf.Tensor1D);
      const vs = [0, 1, 2].map(() => rng.normalTensor([n, 3]) as tf.Tensor2D);
      const { score, jvps } = net.score.withTangents(x, cond, vs);
      const stacked = net.score.withStackedTangents!(x, cond, tf.concat(vs, 0) as tf.Tensor2D);
      expect(Array.from(stacked.score.dataSync())).toEqual(Array.from(score.dataSync()));
      // Same ops on a taller batch: equal up to float32 matmul blocking.
      const err = tf.max(tf.abs(tf.sub(stacked.jvpStacked, tf.concat(jvps, 0)))).dataSync()[0];
      const scale = tf.max(tf.abs(tf.concat(jvps, 0))).dataSync()[0];
      expect(err).toBeLessThan(1e-6 * (1 + scale));
      expect(() => net.score.withStackedTangents!(x, cond, tf.zeros([n + 1, 3]) as tf.Tensor2D)).toThrow(/stacked tangents/);
    });
    net.dispose();
  });
});

describe('score network lifetime', () => {
  it('creating and disposing a network leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const net = sigmaNet(2, [8, 8], 'softplus', 'embed', new Rng(0));
    expect(tf.memory().numTensors).toBe(before + net.params.length);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad sizes', () => {
    expect(() => sigmaNet(0, [8], 'softplus', 'none', new Rng(0))).toThrow(/inputDim/);
    expect(() => sigmaNet(2, [], 'softplus', 'none', new Rng(0))).toThrow(/hidden/);
    expect(() => sigmaNet(2, [4, 0], 'softplus', 'none', new Rng(0))).toThrow(/hidden/);
  });
});
