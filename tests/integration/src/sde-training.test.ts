/**
 * Short end-to-end training of a time-conditional score network with the continuous-time losses: the
 * s(t)^2-weighted Fisher divergence against the exact marginal score drops well below the untrained one.
 * Also: the training loop keeps the tensor count flat.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossSpec } from '@scorelab/config';
import { Rng, Trainer, createScoreNetwork, exactScore, selectBackend, subVpSde, veSde, vpSde, type NoiseFamily, type Sde, type ScoreFn } from '@scorelab/core';
import { createDataset } from '@scorelab/datasets';
import { createLoss } from '@scorelab/losses';
import { fisherDivergence } from '@scorelab/metrics';

const dataset = createDataset({ kind: 'gmm', means: [[-2, -2], [2, 2]], stds: [0.7, 0.7], weights: [0.3, 0.7] });
const family = (sde: Sde): NoiseFamily => ({ kind: 'sde', sde });

function fisher(score: ScoreFn, sde: Sde): number {
  const x0 = dataset.sample(2000, new Rng(99));
  const [n, d] = x0.shape;
  const times = [0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1];
  // x_t = m(t) x_0 + s(t) z, one z ~ N(0, I) [N, D] per time in order; lambda = s(t)^2.
  const rng = new Rng(98);
  const marginals = times.map((t) => sde.marginal(t));
  const samples = marginals.map(({ mean, std }) => tf.tidy(() => tf.add(tf.mul(x0, mean), tf.mul(rng.normalTensor([n, d]), std)) as tf.Tensor2D));
  const points = times.map((t, k) => ({ cond: t, weight: marginals[k].std ** 2 }));
  const { weighted } = fisherDivergence({ model: score, exact: exactScore(dataset, family(sde)), points, samples });
  tf.dispose([x0, ...samples]);
  return weighted;
}

/** A resolved loss section with the config's defaults (weighting sigma2: lambda = s(t)^2). */
const lossSpec = (kind: LossSpec['kind']): LossSpec => ({ kind, weighting: 'sigma2', projection: 'rademacher', projections: 1 });

function setup(sde: Sde, spec: LossSpec, seed: number) {
  const rng = new Rng(seed);
  // The time network's defaults: 8 Fourier features of scale 1 on c = t.
  const net = createScoreNetwork({ hidden: [32, 32], activation: 'softplus', conditioning: 'embed' }, 2, family(sde), rng.split());
  const loss = createLoss(spec, family(sde));
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
    ['vp, dsm', vpSde(), lossSpec('dsm')],
    ['ve, dsm', veSde({ sigmaMin: 0.01, sigmaMax: 10 }), lossSpec('dsm')],
    ['subvp, ssm-vr', subVpSde(), lossSpec('ssm-vr')],
  ] as [string, Sde, LossSpec][]) {
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
    for (const spec of [lossSpec('dsm'), lossSpec('ssm')]) {
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
