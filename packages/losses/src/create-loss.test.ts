import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from '@scorelab/config';
import { CLEAN, createScoreNetwork, levelsFamily, type NoiseFamily, Rng, type ScoreFn, type ScoreNetwork, selectBackend, vpSde } from '@scorelab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoss } from './create-loss';
import { denoisingScoreMatching } from './denoising-score-matching';
import { scoreMatching } from './score-matching';
import { slicedScoreMatching } from './sliced-score-matching';
import type { ScoreLoss } from './types';

let unconditional: ScoreNetwork;
let conditional: ScoreNetwork;
let timeNet: ScoreNetwork;
let x: tf.Tensor2D;
const SIGMAS = [1.5, 0.5, 0.1];
const LEVELS = levelsFamily(SIGMAS);
const VP = vpSde();
const SDE: NoiseFamily = { kind: 'sde', sde: VP };

/** A resolved loss section: the config's defaults (weighting sigma2, rademacher, 1 projection) unless overridden. */
const lossSpec = (kind: LossSpec['kind'], rest: Partial<Omit<LossSpec, 'kind'>> = {}): LossSpec => ({ kind, weighting: 'sigma2', projection: 'rademacher', projections: 1, ...rest });

beforeAll(async () => {
  await selectBackend('wasm');
  unconditional = createScoreNetwork({ hidden: [8], activation: 'softplus', conditioning: 'none' }, 2, CLEAN, new Rng(1));
  conditional = createScoreNetwork({ hidden: [8], activation: 'softplus', conditioning: 'embed' }, 2, LEVELS, new Rng(2));
  timeNet = createScoreNetwork({ hidden: [8], activation: 'softplus', conditioning: 'embed', fourierFeatures: 2 }, 2, SDE, new Rng(5));
  x = new Rng(3).normalTensor([24, 2]) as tf.Tensor2D;
});

afterAll(() => {
  unconditional.dispose();
  conditional.dispose();
  timeNet.dispose();
  x.dispose();
});

const value = (loss: ScoreLoss, score: ScoreFn, seed = 4) => tf.tidy(() => loss(score, x, new Rng(seed)).dataSync()[0]);

describe('createLoss', () => {
  it('builds the factory that the spec names, with its options', () => {
    const c = conditional.score;
    expect(value(createLoss(lossSpec('sm', { weighting: 'none' }), LEVELS), c)).toBe(value(scoreMatching({ family: LEVELS, weighting: 'none' }), c));
    expect(value(createLoss(lossSpec('ssm', { projection: 'sphere', projections: 3 }), LEVELS), c)).toBe(
      value(slicedScoreMatching({ variant: 'ssm', projection: 'sphere', projections: 3, family: LEVELS }), c),
    );
    expect(value(createLoss(lossSpec('ssm-vr'), LEVELS, 'backprop'), c)).toBe(value(slicedScoreMatching({ variant: 'ssm-vr', family: LEVELS, jacobian: 'backprop' }), c));
    expect(value(createLoss(lossSpec('dsm'), LEVELS), c)).toBe(value(denoisingScoreMatching({ family: LEVELS }), c));
    // The kinds are really different objectives on the same draws.
    const kinds = (['sm', 'ssm', 'ssm-vr', 'dsm'] as const).map((kind) => value(createLoss(lossSpec(kind), LEVELS), c));
    expect(new Set(kinds).size).toBe(4);
  });

  it('under an sde: the same factories with t ~ U(trainEps, T), every kind, weighting sigma2 or likelihood', () => {
    const s = timeNet.score;
    for (const weighting of ['sigma2', 'likelihood'] as const) {
      expect(value(createLoss(lossSpec('dsm', { weighting }), SDE), s)).toBe(value(denoisingScoreMatching({ family: SDE, weighting }), s));
      expect(value(createLoss(lossSpec('sm', { weighting }), SDE), s)).toBe(value(scoreMatching({ family: SDE, weighting }), s));
      expect(value(createLoss(lossSpec('ssm', { weighting, projection: 'gaussian', projections: 2 }), SDE), s)).toBe(
        value(slicedScoreMatching({ variant: 'ssm', projection: 'gaussian', projections: 2, family: SDE, weighting }), s),
      );
      expect(value(createLoss(lossSpec('ssm-vr', { weighting }), SDE, 'backprop'), s)).toBe(value(slicedScoreMatching({ variant: 'ssm-vr', family: SDE, weighting, jacobian: 'backprop' }), s));
    }
    const kinds = (['sm', 'ssm', 'ssm-vr', 'dsm'] as const).map((kind) => value(createLoss(lossSpec(kind), SDE), s));
    expect(new Set(kinds).size).toBe(4);
    // The score sees times in [trainEps, T], not noise levels.
    const seen: number[] = [];
    const spy: ScoreFn = (xx, t) => {
      seen.push(...t!.dataSync());
      return s(xx, t);
    };
    value(createLoss(lossSpec('dsm'), SDE), spy);
    expect(seen).toHaveLength(24);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(Math.fround(VP.trainEps));
    expect(Math.max(...seen)).toBeLessThanOrEqual(1);
    expect(new Set(seen).size).toBe(24);
  });

  it('single-scale (clean family): the score is called without sigma on the clean batch', () => {
    for (const kind of ['sm', 'ssm', 'ssm-vr'] as const) {
      const sigmasSeen: unknown[] = [];
      let sameBatch = true;
      const spy: ScoreFn = (xx, s) => {
        sigmasSeen.push(s);
        if (xx.shape[0] === x.shape[0]) sameBatch &&= tf.tidy(() => tf.max(tf.abs(tf.sub(xx, x))).dataSync()[0]) === 0;
        return unconditional.score(xx, s);
      };
      value(createLoss(lossSpec(kind), CLEAN, 'backprop'), spy);
      expect(sigmasSeen.length).toBeGreaterThan(0);
      expect(sigmasSeen.every((s) => s === undefined)).toBe(true);
      expect(sameBatch).toBe(true);
    }
    // An empty schedule is single-scale too.
    expect(levelsFamily([])).toBe(CLEAN);
    expect(value(createLoss(lossSpec('sm'), levelsFamily([])), unconditional.score)).toBe(value(createLoss(lossSpec('sm'), CLEAN), unconditional.score));
  });

  it('rejects what cannot work', () => {
    expect(() => createLoss(lossSpec('dsm'), CLEAN)).toThrow(/noise levels/);
    expect(() => createLoss(lossSpec('ssm', { projections: 0 }), CLEAN)).toThrow(/projections/);
    expect(() => levelsFamily([1, -1])).toThrow(/> 0/);
    const plain: ScoreFn = (xx, s) => unconditional.score(xx, s);
    expect(() => value(createLoss(lossSpec('sm'), CLEAN, 'forward'), plain)).toThrow(/withTangents/);
    const wrongShape: ScoreFn = (xx) => tf.slice(xx, [0, 0], [-1, 1]) as tf.Tensor2D;
    expect(() => value(createLoss(lossSpec('dsm'), LEVELS), wrongShape)).toThrow(/shape/);
    // lambda = g(t)^2 exists only in continuous time; lambda = 1 is not offered with an sde.
    expect(() => value(createLoss(lossSpec('dsm', { weighting: 'likelihood' }), LEVELS), conditional.score)).toThrow(/likelihood/);
    expect(() => value(createLoss(lossSpec('ssm', { weighting: 'none' }), SDE), timeNet.score)).toThrow(/none/);
  });
});
