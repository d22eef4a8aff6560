/**
 * The fused engine (core FusedTrainer + @scorelab/kernels) against its oracle, the tfjs path (createLoss on
 * the tfjs network, tf.variableGrads): the same loss value and every weight gradient, from the same weights,
 * batch and random stream, for each loss kind, projection, activation and conditioning (noise levels with
 * none / sigma-scale / embed, the three sdes with both time inputs, clean).
 *
 * Tolerance. Both engines compute in float32 and differ only in the order of their sums (tiled products
 * vs XNNPACK, f64 vs f32 loss reductions) and in a few elementwise functions (exp, log, sin, cos; the sde's
 * s(t) in float64 vs float32 tensor ops, 1e-6 relative). Round-off then scales with the size of the summed
 * terms, not of the result, so a gradient entry is compared with the largest entry of its tensor:
 *   |g_fused - g_tfjs| <= 2e-5 max |g_tfjs|  per weight tensor,   |L_fused - L_tfjs| <= 2e-6 (|L| + 1),
 * about 100 float32 ulps (2^-24 = 6e-8) of the largest term, for sums of 50-100 terms. Observed on the
 * reference machine: 1.1e-6 and 2.1e-7 (printed after the run). A missing or wrong term in a backward
 * pass (e.g. act'' of the tangents) is an O(1) relative error, 1e4 times the tolerance.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossSpec, MlpModelSpec } from '@scorelab/config';
import { CLEAN, FusedTrainer, Rng, createFusedNetwork, createScoreNetwork, drawProjections, levelsFamily, projectionArrays, selectBackend, subVpSde, veSde, vpSde, type NoiseFamily } from '@scorelab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoss } from './create-loss';

beforeAll(async () => {
  await selectBackend('wasm');
});

type Activation = MlpModelSpec['activation'];
type Conditioning = MlpModelSpec['conditioning'];

const LEVELS = levelsFamily([2, 0.7, 0.1]);
const FAMILIES: Record<string, { family: NoiseFamily; conditioning: Conditioning; timeInput?: 'time' | 'log-std'; weighting: LossSpec['weighting'] }> = {
  'levels, embed': { family: LEVELS, conditioning: 'embed', weighting: 'sigma2' },
  'levels, sigma-scale, lambda = 1': { family: LEVELS, conditioning: 'sigma-scale', weighting: 'none' },
  'levels, none': { family: levelsFamily([0.5]), conditioning: 'none', weighting: 'sigma2' },
  'vp, time': { family: { kind: 'sde', sde: vpSde() }, conditioning: 'embed', timeInput: 'time', weighting: 'sigma2' },
  've, log-std, likelihood': { family: { kind: 'sde', sde: veSde({ sigmaMin: 0.01, sigmaMax: 5 }) }, conditioning: 'embed', timeInput: 'log-std', weighting: 'likelihood' },
  'subvp, time': { family: { kind: 'sde', sde: subVpSde() }, conditioning: 'embed', timeInput: 'time', weighting: 'sigma2' },
  clean: { family: CLEAN, conditioning: 'none', weighting: 'sigma2' },
};

const LOSSES: LossSpec[] = [
  { kind: 'dsm', weighting: 'sigma2', projection: 'rademacher', projections: 1 },
  { kind: 'sm', weighting: 'sigma2', projection: 'rademacher', projections: 1 },
  { kind: 'ssm', weighting: 'sigma2', projection: 'rademacher', projections: 1 },
  { kind: 'ssm-vr', weighting: 'sigma2', projection: 'gaussian', projections: 2 },
];

let worstGrad = 0;
let worstLoss = 0;
afterAll(() => console.log(`fused vs tfjs: largest gradient difference ${worstGrad.toExponential(2)} of max |g|, largest loss difference ${worstLoss.toExponential(2)} relative`));

/** Loss and weight gradients from both engines for one configuration. */
function compare(opts: { family: NoiseFamily; loss: LossSpec; activation: Activation; conditioning: Conditioning; timeInput?: 'time' | 'log-std'; dim?: number; hidden?: number[]; n?: number }) {
  const dim = opts.dim ?? 2;
  const n = opts.n ?? 48;
  const spec = { hidden: opts.hidden ?? [32, 24], activation: opts.activation, conditioning: opts.conditioning, fourierFeatures: 3, fourierScale: 2, timeInput: opts.timeInput };
  const network = createScoreNetwork(spec, dim, opts.family, new Rng(11));
  const fused = createFusedNetwork(network, opts.family);
  const x = new Rng(12).normalTensor([n, dim], 0, 1.5) as tf.Tensor2D;
  const tfjsLoss = createLoss(opts.loss, opts.family);
  const { value, grads } = tf.variableGrads(() => tfjsLoss(network.score, x, new Rng(13)), network.params);
  const want = value.dataSync()[0];
  const wantGrads = network.params.map((p) => grads[p.name].dataSync() as Float32Array);
  const trainer = new FusedTrainer({ fused, loss: opts.loss, family: opts.family, sample: () => tf.clone(x), rng: new Rng(13), optimizer: 'adam', lr: 1e-3 });
  const got = fused.mlp.lossAndGradients(trainer.nextBatch());
  const gotGrads = fused.mlp.readGradients();
  tf.dispose([value, ...Object.values(grads), x]);
  fused.dispose();
  network.dispose();
  return { want, got, wantGrads, gotGrads };
}

function expectAgreement(r: ReturnType<typeof compare>, what: string) {
  const lossErr = Math.abs(r.got - r.want) / (Math.abs(r.want) + 1);
  worstLoss = Math.max(worstLoss, lossErr);
  expect(lossErr, `${what}: loss ${r.got} vs ${r.want}`).toBeLessThan(2e-6);
  r.wantGrads.forEach((g, t) => {
    const scale = Math.max(...Array.from(g, Math.abs));
    const diff = Math.max(...Array.from(g, (v, i) => Math.abs(v - r.gotGrads[t][i])));
    expect(scale, `${what}: tensor ${t} has a gradient`).toBeGreaterThan(0);
    worstGrad = Math.max(worstGrad, diff / scale);
    expect(diff, `${what}: gradient of tensor ${t} (max |g| ${scale})`).toBeLessThan(2e-5 * scale);
  });
}

describe('fused engine vs tfjs: loss value and every weight gradient', () => {
  for (const [name, f] of Object.entries(FAMILIES)) {
    for (const loss of LOSSES) {
      if (loss.kind === 'dsm' && f.family.kind === 'clean') continue;
      it(`${loss.kind}, ${name}`, () => {
        expectAgreement(compare({ family: f.family, loss: { ...loss, weighting: f.weighting }, activation: 'softplus', conditioning: f.conditioning, timeInput: f.timeInput }), `${loss.kind} ${name}`);
      });
    }
  }

  for (const activation of ['softplus', 'swish', 'elu', 'relu', 'tanh'] as const) {
    it(`every loss with activation ${activation} (levels, embed)`, () => {
      for (const loss of LOSSES) expectAgreement(compare({ family: LEVELS, loss, activation, conditioning: 'embed' }), `${loss.kind} ${activation}`);
    });
  }

  for (const projection of ['rademacher', 'gaussian', 'sphere'] as const) {
    it(`ssm and ssm-vr with ${projection} projections (M = 3, vp)`, () => {
      for (const kind of ['ssm', 'ssm-vr'] as const) {
        const loss: LossSpec = { kind, weighting: 'sigma2', projection, projections: 3 };
        expectAgreement(compare({ family: FAMILIES['vp, time'].family, loss, activation: 'swish', conditioning: 'embed', timeInput: 'time' }), `${kind} ${projection}`);
      }
    });
  }

  it('higher dimension and one hidden layer: D = 5, hidden [40], every loss', () => {
    for (const loss of LOSSES) expectAgreement(compare({ family: LEVELS, loss, activation: 'tanh', conditioning: 'embed', dim: 5, hidden: [40], n: 33 }), `${loss.kind} D = 5`);
  });
});

describe('the fused trainer draws what the tfjs losses draw', () => {
  it('projectionArrays gives the numbers of drawProjections, and leaves the stream in the same state', () => {
    for (const projection of ['rademacher', 'gaussian', 'sphere'] as const) {
      const a = new Rng(3);
      const b = new Rng(3);
      const tensors = drawProjections(a, projection, 7, 3, 2);
      const arrays = projectionArrays(b, projection, 7, 3, 2);
      expect(Array.from(arrays)).toEqual(tensors.flatMap((t) => Array.from(t.dataSync())));
      expect(a.uniform()).toBe(b.uniform());
      tf.dispose(tensors);
    }
  });

  it('refuses what the tfjs losses refuse, with the same words', () => {
    const network = createScoreNetwork({ hidden: [8], activation: 'softplus', conditioning: 'none' }, 2, CLEAN, new Rng(1));
    const fused = createFusedNetwork(network, CLEAN);
    const sample = () => tf.zeros([4, 2]) as tf.Tensor2D;
    const dsm: LossSpec = { kind: 'dsm', weighting: 'sigma2', projection: 'rademacher', projections: 1 };
    expect(() => createLoss(dsm, CLEAN)).toThrow(/loss dsm needs noise levels/);
    expect(() => new FusedTrainer({ fused, loss: dsm, family: CLEAN, sample, rng: new Rng(1), optimizer: 'adam', lr: 1e-3 })).toThrow(/loss dsm needs noise levels/);
    const likelihood = new FusedTrainer({ fused, loss: { ...dsm, kind: 'sm', weighting: 'likelihood' }, family: LEVELS, sample, rng: new Rng(1), optimizer: 'adam', lr: 1e-3 });
    expect(() => likelihood.step(true)).toThrow(/likelihood/);
    fused.dispose();
    network.dispose();
  });
});
