/**
 * Short end-to-end training of a time-conditional score network with the continuous-time losses: the
 * s(t)^2-weighted Fisher divergence against the exact marginal score drops well below the untrained one.
 * Also: the training loop keeps the tensor count flat.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, Trainer, analyticTimeScore, createTimeScoreNetwork, selectBackend, subVpSde, veSde, vpSde, type Sde, type TimeScoreFn } from '@scorelab/core';
import { createDataset } from '@scorelab/datasets';
import { createSdeLoss, type SdeLossSpec } from '@scorelab/losses';
import { sdeFisherDivergence } from '@scorelab/metrics';

const dataset = createDataset({ kind: 'gmm', means: [[-2, -2], [2, 2]], stds: [0.7, 0.7], weights: [0.3, 0.7] });

function fisher(score: TimeScoreFn, sde: Sde): number {
  const x0 = dataset.sample(2000, new Rng(99));
  const times = [0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1];
  const { weighted } = sdeFisherDivergence({ model: score, exact: analyticTimeScore(dataset, sde), sde, x0, times, rng: new Rng(98) });
  x0.dispose();
  return weighted;
}

function setup(sde: Sde, spec: SdeLossSpec, seed: number) {
  const rng = new Rng(seed);
  const net = createTimeScoreNetwork({ inputDim: 2, hidden: [32, 32], activation: 'softplus' }, sde, rng.split());
  const loss = createSdeLoss(spec, sde);
  const dataRng = rng.split();
  const lossRng = rng.split();
  const trainer = new Trainer({ params: net.params, objective: () => loss(net.score, dataset.sample(128, dataRng), lossRng), optimizer: 'adam', lr: 0.005 });
  return { net, trainer };
}

describe('training a time score network', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  for (const [name, sde, spec] of [
    ['vp, dsm', vpSde(), { kind: 'dsm' }],
    ['ve, dsm', veSde({ sigmaMin: 0.01, sigmaMax: 10 }), { kind: 'dsm' }],
    ['subvp, ssm-vr', subVpSde(), { kind: 'ssm-vr' }],
  ] as [string, Sde, SdeLossSpec][]) {
    it(`${name}: 300 steps take the weighted Fisher divergence below a quarter of the untrained one`, () => {
      const { net, trainer } = setup(sde, spec, 1);
      const before = fisher(net.score, sde);
      for (let i = 0; i < 300; i++) trainer.step(false);
      const after = fisher(net.score, sde);
      trainer.dispose();
      net.dispose();
      // Same evaluation points and noise before and after (seeds 98, 99): the ratio reflects the model only.
      expect(before).toBeGreaterThan(0.2);
      expect(after).toBeLessThan(0.25 * before);
    });
  }

  it('a long training loop leaves tf.memory().numTensors flat', () => {
    for (const spec of [{ kind: 'dsm' }, { kind: 'ssm' }] as SdeLossSpec[]) {
      const { net, trainer } = setup(vpSde(), spec, 2);
      for (let i = 0; i < 10; i++) trainer.step(i % 5 === 0);
      const base = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) trainer.step(i % 5 === 0);
      expect(tf.memory().numTensors).toBe(base);
      trainer.dispose();
      net.dispose();
    }
  });
});
