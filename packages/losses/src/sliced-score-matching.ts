import * as tf from '@tensorflow/tfjs';
import { CLEAN, drawProjections, projectedJacobian, type NoiseFamily, type Projection, type ScoreFn } from '@scorelab/core';
import { asTangentScore, checkScoreShape, perturb, resolveJacobian, weightedMean } from './noise';
import type { JacobianMode, ScoreLoss, Weighting } from './types';

export interface SlicedScoreMatchingOptions {
  /** `ssm` (default) or the variance-reduced `ssm-vr`. */
  variant?: 'ssm' | 'ssm-vr';
  /** Distribution of v (E[v v^T] = I): rademacher (default), gaussian, sphere (radius sqrt(D)). */
  projection?: Projection;
  /** M, projections per sample (default 1); the M terms are averaged. */
  projections?: number;
  /** Noise levels to anneal over or an sde; default clean (single-scale on the data itself). */
  family?: NoiseFamily;
  weighting?: Weighting;
  jacobian?: JacobianMode;
}

/**
 * Sliced score matching (Song et al. 2019), kinds `ssm` and `ssm-vr`:
 *   ssm:    L = E_x E_v[ v^T J_s(x) v + 1/2 (v^T s(x))^2 ]
 *   ssm-vr: L = E_x[ E_v[ v^T J_s(x) v ] + 1/2 ||s(x)||^2 ]
 * with M projections v per sample. Since E[v v^T] = I both are unbiased for sm; ssm-vr
 * computes the 1/2 ||s||^2 term exactly, which removes its variance. Annealing and weighting as
 * in scoreMatching; under an sde (score_sde's `ssm` option) it equals dsm minus a constant in
 * expectation, so it has the same minimiser. Random draws: the perturbation (noise.ts), then the
 * projections. v^T J v comes from forward tangents, sum(v * (J v)), or from double backprop
 * (core projectedJacobian).
 */
export function slicedScoreMatching(opts: SlicedScoreMatchingOptions = {}): ScoreLoss {
  const variant = opts.variant ?? 'ssm';
  const projection = opts.projection ?? 'rademacher';
  const m = opts.projections ?? 1;
  if (!(Number.isInteger(m) && m >= 1)) throw new Error(`slicedScoreMatching: projections must be an integer >= 1, got ${m}`);
  const family = opts.family ?? CLEAN;
  const weighting = opts.weighting ?? 'sigma2';
  const mode = opts.jacobian ?? 'auto';
  return (score, x, rng) =>
    tf.tidy(() => {
      const batch = perturb(x, rng, family, weighting);
      const [n, d] = batch.x.shape;
      const vs = drawProjections(rng, projection, n, d, m);
      const { s, vJv } = scoreAndProjectedJacobian(score, batch.x, batch.cond, vs, resolveJacobian(score, mode));
      let half: tf.Tensor1D;
      switch (variant) {
        case 'ssm': {
          // (v_m . s)^2 averaged over the M projections: [M, N] -> [N].
          const vs3 = tf.stack(vs) as tf.Tensor3D;
          half = tf.mul(0.5, tf.mean(tf.square(tf.sum(tf.mul(vs3, s), 2)), 0)) as tf.Tensor1D;
          break;
        }
        case 'ssm-vr':
          half = tf.mul(0.5, tf.sum(tf.square(s), 1)) as tf.Tensor1D;
          break;
      }
      return weightedMean(tf.add(vJv, half) as tf.Tensor1D, batch.weight);
    });
}

/** s(x, cond): [N, D] and (1/M) sum_m v_m^T J v_m per row: [N]. vs: M tensors [N, D]. */
function scoreAndProjectedJacobian(
  score: ScoreFn,
  x: tf.Tensor2D,
  cond: tf.Tensor1D | undefined,
  vs: tf.Tensor2D[],
  mode: 'forward' | 'backprop',
): { s: tf.Tensor2D; vJv: tf.Tensor1D } {
  const [n] = x.shape;
  const m = vs.length;
  switch (mode) {
    case 'forward': {
      const { score: s, jvps } = asTangentScore(score).withTangents(x, cond, vs);
      checkScoreShape(s, x);
      const q = tf.sum(tf.mul(tf.stack(vs), tf.stack(jvps)), 2); // [M, N]
      return { s, vJv: tf.mean(q, 0) as tf.Tensor1D };
    }
    case 'backprop': {
      const s = score(x, cond);
      checkScoreShape(s, x);
      // Rows are independent, so the M projections run as one batch of M*N rows: one double
      // backprop instead of M.
      const xs = m === 1 ? x : (tf.tile(x, [m, 1]) as tf.Tensor2D);
      const c = cond === undefined || m === 1 ? cond : (tf.tile(cond, [m]) as tf.Tensor1D);
      const v = m === 1 ? vs[0] : (tf.concat(vs, 0) as tf.Tensor2D);
      const q = projectedJacobian((xx) => score(xx, c), xs, v); // [M*N]
      return { s, vJv: tf.mean(tf.reshape(q, [m, n]), 0) as tf.Tensor1D };
    }
  }
}
