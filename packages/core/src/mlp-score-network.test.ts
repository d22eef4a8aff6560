import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { jacobian } from './autodiff';
import { selectBackend } from './backend';
import { createMlpScoreNetwork, type Activation, type Conditioning } from './mlp-score-network';
import { Rng } from './rng';

describe('MLP score network', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('has the reference parameter count and PyTorch-style init bounds', () => {
    const net = createMlpScoreNetwork({ inputDim: 2, hidden: [128, 128], activation: 'softplus', conditioning: 'none' }, new Rng(0));
    expect(net.parameterCount()).toBe(2 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2);
    net.params.forEach((p, k) => {
      const fanIn = k % 2 === 0 ? p.shape[0] : net.params[k - 1].shape[0];
      expect(tf.max(tf.abs(p)).dataSync()[0]).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
    });
    net.dispose();
  });

  it('same seed, same weights and outputs', () => {
    const opts = { inputDim: 3, hidden: [8], activation: 'tanh' as const, conditioning: 'none' as const };
    const a = createMlpScoreNetwork(opts, new Rng(5));
    const b = createMlpScoreNetwork(opts, new Rng(5));
    const x = new Rng(1).normalTensor([4, 3]) as tf.Tensor2D;
    expect(Array.from(a.score(x).dataSync())).toEqual(Array.from(b.score(x).dataSync()));
    a.dispose();
    b.dispose();
  });

  it('sigma-scale divides an unconditional output by sigma; embed sees log sigma; none ignores sigma', () => {
    const x = new Rng(2).normalTensor([5, 2]) as tf.Tensor2D;
    const s1 = tf.fill([5], 1) as tf.Tensor1D;
    const s3 = tf.fill([5], 3) as tf.Tensor1D;
    const scale = createMlpScoreNetwork({ inputDim: 2, hidden: [16], activation: 'swish', conditioning: 'sigma-scale' }, new Rng(3));
    const diff = tf.sub(tf.mul(scale.score(x, s3), 3), scale.score(x, s1));
    expect(tf.max(tf.abs(diff)).dataSync()[0]).toBeLessThan(1e-6);
    const embed = createMlpScoreNetwork({ inputDim: 2, hidden: [16], activation: 'swish', conditioning: 'embed' }, new Rng(3));
    const diffE = tf.sub(tf.mul(embed.score(x, s3), 3), embed.score(x, s1));
    expect(tf.max(tf.abs(diffE)).dataSync()[0]).toBeGreaterThan(1e-3);
    const none = createMlpScoreNetwork({ inputDim: 2, hidden: [16], activation: 'swish', conditioning: 'none' }, new Rng(3));
    expect(Array.from(none.score(x, s3).dataSync())).toEqual(Array.from(none.score(x).dataSync()));
    expect(() => embed.score(x)).toThrow(/needs sigma/);
    expect(() => none.score(tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/expected x of shape \[N, 2\]/);
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
      const net = createMlpScoreNetwork({ inputDim: d, hidden: [12, 10], activation, conditioning }, rng);
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
    const net = createMlpScoreNetwork({ inputDim: 2, hidden: [8], activation: 'softplus', conditioning: 'embed' }, new Rng(0));
    const x = tf.zeros([4, 2]) as tf.Tensor2D;
    const s = tf.ones([4]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        net.score.withTangents(x, s, [x]);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('MLP score network weight gradients through tangents', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  for (const count of [1, 2]) {
    it(`d/dW of sum(v . Jv) with ${count} tangent(s) equals the double-backprop gradient`, () => {
      const rng = new Rng(21);
      const net = createMlpScoreNetwork({ inputDim: 2, hidden: [6], activation: 'tanh', conditioning: 'embed' }, rng);
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

describe('MLP score network lifetime', () => {
  it('creating and disposing a network leaves no tensors behind', async () => {
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const net = createMlpScoreNetwork({ inputDim: 2, hidden: [8, 8], activation: 'softplus', conditioning: 'embed' }, new Rng(0));
    expect(tf.memory().numTensors).toBe(before + net.params.length);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
