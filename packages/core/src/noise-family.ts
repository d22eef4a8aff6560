/**
 * The one noise family (DESIGN.md section 2): every perturbation is x~ = m x + s z, z ~ N(0, I).
 * - `levels`: NCSN's noise levels sigma_1 > ... > sigma_L, the discretised VE SDE (m = 1, s = sigma_i),
 *   exactly as score_sde treats NCSN; the network's condition is sigma.
 * - `sde`: a score SDE in continuous time, t in [eps, T] (trained on [trainEps, T]); the network's condition is t.
 * - `clean`: no perturbation (a single-scale model trained on the data itself); no condition.
 * Training draws, evaluation points and samplers all read the family, so a run needs no second path.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossSpec, NoiseSpec, SdeSpec } from '@scorelab/config';
import type { Rng } from './rng';
import { scheduleSigmas } from './schedules';
import type { ScoreFn } from './score';
import type { Sde } from './sde/sde';
import { sdeFromSpec } from './sde/sde-from-spec';
import { analyticTimeScore, type PerturbedScoreSource } from './sde/analytic-time-score';

export type NoiseFamily =
  | { readonly kind: 'clean' }
  /** sigmas largest first. */
  | { readonly kind: 'levels'; readonly sigmas: readonly number[] }
  | { readonly kind: 'sde'; readonly sde: Sde };

/** The condition coordinate a model of this family takes: sigma, t, or none. */
export type Condition = 'sigma' | 'time' | 'none';

/** lambda of each noise level or time in a loss: s^2 (sigma2), 1 (none) or g(t)^2 (likelihood, sde only). */
export type LossWeighting = LossSpec['weighting'];

export const CLEAN: NoiseFamily = { kind: 'clean' };

/** The family of a run's `noise` or `sde` section (config rules allow at most one of them). */
export function noiseFamily(sections: { noise?: NoiseSpec; sde?: SdeSpec }): NoiseFamily {
  if (sections.noise && sections.sde) throw new Error('noise and sde are both given: an sde replaces the noise levels');
  if (sections.sde) return { kind: 'sde', sde: sdeFromSpec(sections.sde) };
  if (sections.noise) return levelsFamily(scheduleSigmas(sections.noise));
  return CLEAN;
}

/** Noise levels (largest first, validated); an empty list is the clean family. */
export function levelsFamily(sigmas: readonly number[]): NoiseFamily {
  if (sigmas.length === 0) return CLEAN;
  for (const s of sigmas) {
    if (!(Number.isFinite(s) && s > 0)) throw new Error(`noise levels must be finite and > 0, got ${s}`);
  }
  return { kind: 'levels', sigmas: sigmas.slice() };
}

export function conditionOf(family: NoiseFamily): Condition {
  switch (family.kind) {
    case 'clean':
      return 'none';
    case 'levels':
      return 'sigma';
    case 'sde':
      return 'time';
  }
}

/**
 * The perturbation of a batch of n rows, drawn once: per row the condition (sigma or t), the mean
 * factor m (null: m = 1, as for every noise level), the std s and the loss weight lambda. Float32, as
 * the tensors that are made from them.
 */
export interface NoiseDraw {
  cond: Float32Array;
  mean: Float32Array | null;
  std: Float32Array;
  weight: Float32Array;
}

/**
 * Per-row noise for training, or null for the clean family. Random draws, in this order:
 * levels: one level index per row (rng.int, only with >= 2 levels); sde: t ~ U(trainEps, T) per row
 * (rng.uniform). m(t), s(t) and g(t) are computed in float64 from the float32-rounded t that the score sees.
 */
export function drawNoise(family: NoiseFamily, n: number, rng: Rng, weighting: LossWeighting): NoiseDraw | null {
  switch (family.kind) {
    case 'clean':
      return null;
    case 'levels': {
      if (weighting === 'likelihood') throw new Error('loss weighting likelihood (lambda = g(t)^2) needs an sde; with noise levels use sigma2 or none');
      const { sigmas } = family;
      const std = new Float32Array(n);
      const weight = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const s = sigmas.length === 1 ? sigmas[0] : sigmas[rng.int(sigmas.length)];
        std[i] = s;
        weight[i] = weighting === 'sigma2' ? s * s : 1;
      }
      return { cond: std, mean: null, std, weight };
    }
    case 'sde': {
      if (weighting === 'none') throw new Error('loss weighting none is not available with an sde; use sigma2 (lambda = s(t)^2) or likelihood (lambda = g(t)^2)');
      const { sde } = family;
      const t = new Float32Array(n);
      const mean = new Float32Array(n);
      const std = new Float32Array(n);
      const weight = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const ti = Math.fround(sde.trainEps + (sde.T - sde.trainEps) * rng.uniform());
        const m = sde.marginal(ti);
        t[i] = ti;
        mean[i] = m.mean;
        std[i] = m.std;
        weight[i] = weighting === 'sigma2' ? m.std * m.std : sde.diffusion(ti) ** 2;
      }
      return { cond: t, mean, std, weight };
    }
  }
}

/** x~ = m x + s z per row: [N, D]. (m = 1 is skipped, so a noise level's x + s z is computed as before.) */
export function perturbRows(x: tf.Tensor2D, z: tf.Tensor2D, draw: NoiseDraw): tf.Tensor2D {
  const n = x.shape[0];
  return tf.tidy(() => {
    const noise = tf.mul(z, tf.tensor2d(draw.std, [n, 1]));
    return tf.add(draw.mean === null ? x : tf.mul(x, tf.tensor2d(draw.mean, [n, 1])), noise) as tf.Tensor2D;
  });
}

/**
 * Where a model is evaluated (eval/fisher and its per-level or per-time keys): levels: every sigma_i;
 * sde: t = trainEps, then 0.1, 0.2, ..., 1 (those above it), so the keys are round numbers; clean: one
 * unconditioned point. weight: lambda = s^2 (1 when clean), the eval/fisher weighting.
 */
export interface EvaluationPoint {
  /** sigma or t; undefined for the clean family. */
  cond: number | undefined;
  mean: number;
  std: number;
  weight: number;
}

export function evaluationPoints(family: NoiseFamily): EvaluationPoint[] {
  switch (family.kind) {
    case 'clean':
      return [{ cond: undefined, mean: 1, std: 0, weight: 1 }];
    case 'levels':
      return family.sigmas.map((s) => ({ cond: s, mean: 1, std: s, weight: s * s }));
    case 'sde': {
      const { sde } = family;
      const times = [sde.trainEps];
      for (let k = 1; k <= 10; k++) if (k / 10 > sde.trainEps) times.push(k / 10);
      return times.map((t) => {
        const { mean, std } = sde.marginal(t);
        return { cond: t, mean, std, weight: std ** 2 };
      });
    }
  }
}

/**
 * The exact score of the perturbed data under the family: the dataset's perturbed score at sigma
 * (levels; unconditioned when clean), or the exact marginal score grad log p_t of the SDE.
 */
export function exactScore(source: PerturbedScoreSource, family: NoiseFamily): ScoreFn {
  switch (family.kind) {
    case 'clean':
    case 'levels':
      return (x, sigma) => source.score(x, sigma);
    case 'sde':
      return analyticTimeScore(source, family.sde);
  }
}
