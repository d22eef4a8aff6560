import * as tf from '@tensorflow/tfjs';
import { createMlpScoreNetwork, Rng, type ScoreFn, type ScoreNetwork, selectBackend } from '@scorelab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoss } from './create-loss';
import { denoisingScoreMatching } from './denoising-score-matching';
import { scoreMatching } from './score-matching';
import { slicedScoreMatching } from './sliced-score-matching';
import type { ScoreLoss } from './types';

let unconditional: ScoreNetwork;
let conditional: ScoreNetwork;
let x: tf.Tensor2D;
const SIGMAS = [1.5, 0.5, 0.1];

beforeAll(async () => {
  await selectBackend('wasm');
  unconditional = createMlpScoreNetwork({ inputDim: 2, hidden: [8], activation: 'softplus', conditioning: 'none' }, new Rng(1));
  conditional = createMlpScoreNetwork({ inputDim: 2, hidden: [8], activation: 'softplus', conditioning: 'embed' }, new Rng(2));
  x = new Rng(3).normalTensor([24, 2]) as tf.Tensor2D;
});

afterAll(() => {
  unconditional.dispose();
  conditional.dispose();
  x.dispose();
});

const value = (loss: ScoreLoss, score: ScoreFn, seed = 4) => tf.tidy(() => loss(score, x, new Rng(seed)).dataSync()[0]);

describe('createLoss', () => {
  it('builds the factory that the spec names, with its options', () => {
    const c = conditional.score;
    expect(value(createLoss({ kind: 'sm', weighting: 'none' }, SIGMAS), c)).toBe(value(scoreMatching({ sigmas: SIGMAS, weighting: 'none' }), c));
    expect(value(createLoss({ kind: 'ssm', projection: 'sphere', projections: 3 }, SIGMAS), c)).toBe(
      value(slicedScoreMatching({ variant: 'ssm', projection: 'sphere', projections: 3, sigmas: SIGMAS }), c),
    );
    expect(value(createLoss({ kind: 'ssm-vr', jacobian: 'backprop' }, SIGMAS), c)).toBe(
      value(slicedScoreMatching({ variant: 'ssm-vr', sigmas: SIGMAS, jacobian: 'backprop' }), c),
    );
    expect(value(createLoss({ kind: 'dsm' }, SIGMAS), c)).toBe(value(denoisingScoreMatching({ sigmas: SIGMAS }), c));
    // The kinds are really different objectives on the same draws.
    const kinds = (['sm', 'ssm', 'ssm-vr', 'dsm'] as const).map((kind) => value(createLoss({ kind }, SIGMAS), c));
    expect(new Set(kinds).size).toBe(4);
  });

  it('single-scale (sigmas null): the score is called without sigma on the clean batch', () => {
    for (const kind of ['sm', 'ssm', 'ssm-vr'] as const) {
      const sigmasSeen: unknown[] = [];
      let sameBatch = true;
      const spy: ScoreFn = (xx, s) => {
        sigmasSeen.push(s);
        if (xx.shape[0] === x.shape[0]) sameBatch &&= tf.tidy(() => tf.max(tf.abs(tf.sub(xx, x))).dataSync()[0]) === 0;
        return unconditional.score(xx, s);
      };
      value(createLoss({ kind, jacobian: 'backprop' }, null), spy);
      expect(sigmasSeen.length).toBeGreaterThan(0);
      expect(sigmasSeen.every((s) => s === undefined)).toBe(true);
      expect(sameBatch).toBe(true);
    }
    // An empty schedule is single-scale too.
    expect(value(createLoss({ kind: 'sm' }, []), unconditional.score)).toBe(value(createLoss({ kind: 'sm' }, null), unconditional.score));
  });

  it('rejects what cannot work', () => {
    expect(() => createLoss({ kind: 'dsm' }, null)).toThrow(/noise levels/);
    expect(() => createLoss({ kind: 'ssm', projections: 0 }, null)).toThrow(/projections/);
    expect(() => createLoss({ kind: 'sm' }, [1, -1])).toThrow(/> 0/);
    const plain: ScoreFn = (xx, s) => unconditional.score(xx, s);
    expect(() => value(createLoss({ kind: 'sm', jacobian: 'forward' }, null), plain)).toThrow(/withTangents/);
    const wrongShape: ScoreFn = (xx) => tf.slice(xx, [0, 0], [-1, 1]) as tf.Tensor2D;
    expect(() => value(createLoss({ kind: 'dsm' }, SIGMAS), wrongShape)).toThrow(/shape/);
  });
});
