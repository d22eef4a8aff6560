import * as tf from '@tensorflow/tfjs';
import { type Activation, CLEAN, type Conditioning, createScoreNetwork, levelsFamily, type NoiseFamily, Rng, type ScoreNetwork, selectBackend, veSde, vpSde } from '@scorelab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denoisingScoreMatching } from './denoising-score-matching';
import { scoreMatching } from './score-matching';
import { slicedScoreMatching } from './sliced-score-matching';
import type { JacobianMode, ScoreLoss } from './types';

beforeAll(async () => {
  await selectBackend('wasm');
});

const SIGMAS = [2, 0.7, 0.2];
const LEVELS = levelsFamily(SIGMAS);
const D = 3;

const LOSSES: Record<string, (family: NoiseFamily, jacobian: JacobianMode) => ScoreLoss> = {
  sm: (family, jacobian) => scoreMatching({ family, jacobian }),
  ssm: (family, jacobian) => slicedScoreMatching({ variant: 'ssm', projection: 'gaussian', projections: 2, family, jacobian }),
  'ssm-vr': (family, jacobian) => slicedScoreMatching({ variant: 'ssm-vr', projection: 'rademacher', projections: 3, family, jacobian }),
};

/** Loss value and weight gradient (one flat array per weight tensor). */
function valueAndGrads(loss: ScoreLoss, net: ScoreNetwork, x: tf.Tensor2D, seed: number): { value: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => loss(net.score, x, new Rng(seed)), net.params);
    return { value: value.dataSync()[0], grads: net.params.map((p) => grads[p.name].dataSync() as Float32Array) };
  });
}

const maxAbs = (arrs: Float32Array[]) => Math.max(...arrs.map((a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));

describe.each([
  ['softplus', 'none', 'levels'],
  ['tanh', 'none', 'levels'],
  ['softplus', 'embed', 'levels'],
  ['tanh', 'embed', 'levels'],
  ['tanh', 'sigma-scale', 'levels'],
  ['tanh', 'embed', 'vp sde'],
  ['softplus', 'embed', 've sde'],
] as [Activation, Conditioning, string][])('MLP %s, conditioning %s, %s', (activation, conditioning, kind) => {
  // An unconditional network trains single-scale; a conditioned one anneals over SIGMAS; a time network
  // (conditioning does not apply) trains in continuous time, t ~ U(eps, T).
  const family: NoiseFamily =
    kind === 'vp sde' ? { kind: 'sde', sde: vpSde() } : kind === 've sde' ? { kind: 'sde', sde: veSde({ sigmaMin: 0.05, sigmaMax: 5 }) } : conditioning === 'none' ? CLEAN : LEVELS;
  let net: ScoreNetwork;
  let x: tf.Tensor2D;
  beforeAll(() => {
    net = createScoreNetwork({ hidden: [16, 16], activation, conditioning, fourierFeatures: 4 }, D, family, new Rng(1));
    x = new Rng(2).normalTensor([32, D]) as tf.Tensor2D;
  });
  afterAll(() => {
    net.dispose();
    x.dispose();
  });

  it.each(Object.keys(LOSSES))('%s: forward tangents and double backprop give the same loss and weight gradient', (kind) => {
    const fwd = valueAndGrads(LOSSES[kind](family, 'forward'), net, x, 3);
    const bwd = valueAndGrads(LOSSES[kind](family, 'backprop'), net, x, 3);
    const auto = valueAndGrads(LOSSES[kind](family, 'auto'), net, x, 3);
    // Same random draws, two float32 evaluation orders: they agree to ~1e-7 relative.
    expect(Math.abs(fwd.value - bwd.value)).toBeLessThan(1e-5 * (1 + Math.abs(fwd.value)));
    const scale = maxAbs(fwd.grads);
    expect(scale).toBeGreaterThan(1e-2);
    fwd.grads.forEach((g, i) => {
      const worst = g.reduce((m, v, j) => Math.max(m, Math.abs(v - bwd.grads[i][j])), 0);
      expect(worst, `weight ${i}`).toBeLessThan(1e-5 * scale);
    });
    // `auto` picks forward mode for a network with tangents: identical numbers.
    expect(auto.value).toBe(fwd.value);
  });
});

describe('second-order path against finite differences', () => {
  it.each(['sm', 'ssm'])('%s: directional derivative of the loss w.r.t. all weights (tanh, embed)', (kind) => {
    const net = createScoreNetwork({ hidden: [16, 16], activation: 'tanh', conditioning: 'embed' }, D, LEVELS, new Rng(4));
    const x = new Rng(5).normalTensor([32, D]) as tf.Tensor2D;
    const loss = LOSSES[kind](LEVELS, 'backprop');
    const { grads } = valueAndGrads(loss, net, x, 6);
    const dirRng = new Rng(7);
    const dirs = net.params.map((p) => dirRng.normalArray(p.size));
    const analytic = grads.reduce((acc, g, i) => acc + g.reduce((s, v, j) => s + v * dirs[i][j], 0), 0);
    // Central difference with h = 1e-2 (computed in float32): truncation O(h^2) ~ 1e-4 relative,
    // rounding ~ 1e-7 |L| / h; 2% is far below the size of any missing second-order term.
    const h = 1e-2;
    const original = net.params.map((p) => p.clone());
    const shifted = (t: number) => {
      net.params.forEach((p, i) => p.assign(tf.tidy(() => tf.add(original[i], tf.mul(t, tf.tensor(dirs[i], p.shape))))));
      return tf.tidy(() => loss(net.score, x, new Rng(6)).dataSync()[0]);
    };
    const numeric = (shifted(h) - shifted(-h)) / (2 * h);
    expect(Math.abs(numeric - analytic)).toBeLessThan(0.02 * Math.abs(analytic) + 1e-3);
    expect(Math.abs(analytic)).toBeGreaterThan(0.1);
    tf.dispose(original);
    x.dispose();
    net.dispose();
  });
});

describe('memory', () => {
  it('tensor counts stay flat over repeated loss + gradient evaluations', () => {
    const net = createScoreNetwork({ hidden: [8, 8], activation: 'softplus', conditioning: 'embed' }, 2, LEVELS, new Rng(8));
    const x = new Rng(9).normalTensor([16, 2]) as tf.Tensor2D;
    const losses: ScoreLoss[] = [
      ...Object.values(LOSSES).flatMap((make) => [make(LEVELS, 'forward'), make(LEVELS, 'backprop')]),
      denoisingScoreMatching({ family: LEVELS }),
    ];
    const optimizer = tf.train.adam(1e-3);
    const rng = new Rng(10);
    const step = (loss: ScoreLoss) => {
      const { value, grads } = tf.variableGrads(() => loss(net.score, x, rng), net.params);
      tf.dispose([value, ...Object.values(grads)]);
      loss(net.score, x, rng).dispose();
      optimizer.minimize(() => loss(net.score, x, rng), false, net.params);
    };
    losses.forEach(step); // warm-up: the optimizer creates its slots on the first minimize
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) losses.forEach(step);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    x.dispose();
    net.dispose();
  });

  it('the same under an sde (time network, separate t and s(t) tensors)', () => {
    const family: NoiseFamily = { kind: 'sde', sde: vpSde() };
    const net = createScoreNetwork({ hidden: [8, 8], activation: 'softplus', conditioning: 'embed' }, 2, family, new Rng(8));
    const x = new Rng(9).normalTensor([16, 2]) as tf.Tensor2D;
    const losses: ScoreLoss[] = [
      ...Object.values(LOSSES).flatMap((make) => [make(family, 'forward'), make(family, 'backprop')]),
      denoisingScoreMatching({ family }),
      denoisingScoreMatching({ family, weighting: 'likelihood' }),
    ];
    const optimizer = tf.train.adam(1e-3);
    const rng = new Rng(10);
    const step = (loss: ScoreLoss) => {
      const { value, grads } = tf.variableGrads(() => loss(net.score, x, rng), net.params);
      tf.dispose([value, ...Object.values(grads)]);
      optimizer.minimize(() => loss(net.score, x, rng), false, net.params);
    };
    losses.forEach(step);
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) losses.forEach(step);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    x.dispose();
    net.dispose();
  });
});
