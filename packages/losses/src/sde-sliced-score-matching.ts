import * as tf from '@tensorflow/tfjs';
import { drawProjections, hasTimeTangents, projectedJacobian, type Projection, type Sde, type TimeScoreFn } from '@scorelab/core';
import { checkScoreShape, weightedMean } from './noise';
import { checkSdeEps, perturbWithSde, type SdeScoreLoss, type SdeWeighting } from './sde-perturb';
import type { JacobianMode } from './types';

export interface SdeSlicedScoreMatchingOptions {
  sde: Sde;
  /** `ssm` (default) or the variance-reduced `ssm-vr`. */
  variant?: 'ssm' | 'ssm-vr';
  /** Distribution of v (E[v v^T] = I), default rademacher. */
  projection?: Projection;
  /** M projections per sample (default 1). */
  projections?: number;
  /** Default `sigma2` (lambda = s(t)^2). */
  weighting?: SdeWeighting;
  /** t ~ U(eps, T); default sde.eps. */
  eps?: number;
  /** `auto` (default): forward tangents when the score has withTangents, else double backprop. */
  jacobian?: JacobianMode;
}

/**
 * Continuous-time sliced score matching (score_sde's `ssm` option): on the perturbed batch
 * x_t = m(t) x_0 + s(t) z with t ~ U(eps, T),
 *   ssm:    L = E_t lambda(t) E_{x_t} E_v[ v^T J v + 1/2 (v^T s)^2 ]
 *   ssm-vr: L = E_t lambda(t) E_{x_t} [ E_v v^T J v + 1/2 ||s||^2 ],
 * J = ds/dx at (x_t, t). Equal in expectation to DSM minus a constant (E_t lambda(t) D / (2 s(t)^2)), so
 * it has the same minimiser; it needs no knowledge of the perturbation kernel beyond sampling x_t.
 * Random draws: the times and z (as in sdeDenoisingScoreMatching), then the projections.
 */
export function sdeSlicedScoreMatching(opts: SdeSlicedScoreMatchingOptions): SdeScoreLoss {
  const { sde } = opts;
  const eps = checkSdeEps(sde, opts.eps, 'sdeSlicedScoreMatching');
  const variant = opts.variant ?? 'ssm';
  const projection = opts.projection ?? 'rademacher';
  const m = opts.projections ?? 1;
  if (!(Number.isInteger(m) && m >= 1)) throw new Error(`sdeSlicedScoreMatching: projections must be an integer >= 1, got ${m}`);
  const weighting = opts.weighting ?? 'sigma2';
  const mode = opts.jacobian ?? 'auto';
  return (score, x, rng) =>
    tf.tidy(() => {
      const batch = perturbWithSde(x, rng, sde, eps, weighting);
      const [n, d] = batch.x.shape;
      const vs = drawProjections(rng, projection, n, d, m);
      const { s, vJv } = scoreAndProjectedJacobian(score, batch.x, batch.t, vs, resolve(score, mode));
      checkScoreShape(s, x);
      let half: tf.Tensor1D;
      switch (variant) {
        case 'ssm':
          half = tf.mul(0.5, tf.mean(tf.square(tf.sum(tf.mul(tf.stack(vs), s), 2)), 0)) as tf.Tensor1D;
          break;
        case 'ssm-vr':
          half = tf.mul(0.5, tf.sum(tf.square(s), 1)) as tf.Tensor1D;
          break;
      }
      return weightedMean(tf.add(vJv, half) as tf.Tensor1D, batch.weight);
    });
}

function resolve(score: TimeScoreFn, mode: JacobianMode): 'forward' | 'backprop' {
  switch (mode) {
    case 'auto':
      return hasTimeTangents(score) ? 'forward' : 'backprop';
    case 'forward':
      if (!hasTimeTangents(score)) throw new Error("jacobian 'forward' needs a time score with withTangents; use 'backprop' or 'auto'");
      return 'forward';
    case 'backprop':
      return 'backprop';
  }
}

/** s(x, t): [N, D] and (1/M) sum_m v_m^T J v_m: [N]. */
function scoreAndProjectedJacobian(score: TimeScoreFn, x: tf.Tensor2D, t: tf.Tensor1D, vs: tf.Tensor2D[], mode: 'forward' | 'backprop') {
  const n = x.shape[0];
  const m = vs.length;
  switch (mode) {
    case 'forward': {
      if (!hasTimeTangents(score)) throw new Error('score has no withTangents');
      const { score: s, jvps } = score.withTangents(x, t, vs);
      const q = tf.sum(tf.mul(tf.stack(vs), tf.stack(jvps)), 2); // [M, N]
      return { s, vJv: tf.mean(q, 0) as tf.Tensor1D };
    }
    case 'backprop': {
      const s = score(x, t);
      // Rows are independent: the M projections run as one batch of M N rows.
      const xs = m === 1 ? x : (tf.tile(x, [m, 1]) as tf.Tensor2D);
      const ts = m === 1 ? t : (tf.tile(t, [m]) as tf.Tensor1D);
      const v = m === 1 ? vs[0] : (tf.concat(vs, 0) as tf.Tensor2D);
      const q = projectedJacobian((xx) => score(xx, ts), xs, v);
      return { s, vJv: tf.mean(tf.reshape(q, [m, n]), 0) as tf.Tensor1D };
    }
  }
}
