import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from '@scorelab/config';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { createFusedNetwork } from './fused-network';
import { FusedTrainer } from './fused-trainer';
import { levelsFamily } from './noise-family';
import { Rng } from './rng';
import { createScoreNetwork } from './score-network';
import { Trainer } from './train';

beforeAll(async () => {
  await selectBackend('wasm');
});

const FAMILY = levelsFamily([3, 1, 0.3]);
const LOSS: LossSpec = { kind: 'ssm-vr', weighting: 'sigma2', projection: 'gaussian', projections: 2 };

/** A fused trainer on a fresh network, with its own data and loss streams from `seed`. */
function setup(seed: number, optimizer: 'adam' | 'sgd' = 'adam') {
  const network = createScoreNetwork({ hidden: [16, 12], activation: 'swish', conditioning: 'embed' }, 2, FAMILY, new Rng(seed));
  const fused = createFusedNetwork(network, FAMILY);
  const data = new Rng(seed + 1);
  const trainer = new FusedTrainer({ fused, loss: LOSS, family: FAMILY, sample: () => data.normalTensor([24, 2]) as tf.Tensor2D, rng: new Rng(seed + 2), optimizer, lr: 1e-2 });
  return { network, fused, trainer, dispose: () => (fused.dispose(), network.dispose()) };
}

describe('FusedTrainer checkpoints', () => {
  it('restore(state()) into a fresh trainer continues with the same bits as an uninterrupted one', () => {
    const straight = setup(7);
    for (let i = 0; i < 50; i++) straight.trainer.step(false);
    const first = setup(7);
    for (let i = 0; i < 30; i++) first.trainer.step(false);
    const state = first.trainer.state();
    expect(state.steps).toBe(30);
    expect(state.adam!.t).toEqual(state.weights.map(() => 30));
    // A fresh trainer whose random streams are where the first one's were (30 batches drawn).
    const second = setup(7);
    for (let i = 0; i < 30; i++) second.trainer.nextBatch();
    second.trainer.restore(state);
    for (let i = 0; i < 20; i++) second.trainer.step(false);
    const a = straight.fused.mlp.readParams();
    second.fused.mlp.readParams().forEach((w, k) => expect(Array.from(w)).toEqual(Array.from(a[k])));
    // The tf.Variables got the restored weights too.
    expect(Array.from(second.network.params[0].dataSync())).not.toEqual(Array.from(setup(7).network.params[0].dataSync()));
    [straight, first, second].forEach((s) => s.dispose());
  });

  it("takes the tfjs Trainer's state (same layout), and refuses mismatches", () => {
    const { network, trainer, dispose } = setup(3);
    const reference = new Trainer({ params: network.params, objective: () => tf.addN(network.params.map((p) => tf.sum(tf.square(p)))) as tf.Scalar, optimizer: 'adam', lr: 1e-3 });
    reference.step(false);
    const state = reference.state();
    trainer.restore(state);
    expect(trainer.state().adam!.m.map((m) => Array.from(m))).toEqual(state.adam!.m.map((m) => Array.from(m)));
    expect(() => trainer.restore({ ...state, weights: state.weights.slice(1) })).toThrow(/do not match/);
    expect(() => trainer.restore({ ...state, adam: null })).toThrow(/no Adam state/);
    expect(() => trainer.restore({ ...state, adam: { ...state.adam!, t: state.adam!.t.map((t, k) => t + k) } })).toThrow(/one Adam step count/);
    const sgd = setup(4, 'sgd');
    expect(() => sgd.trainer.restore(state)).toThrow(/uses sgd/);
    expect(sgd.trainer.state().adam).toBeNull();
    reference.dispose();
    sgd.dispose();
    dispose();
  });
});
