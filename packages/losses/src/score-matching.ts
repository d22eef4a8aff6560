import * as tf from '@tensorflow/tfjs';
import { CLEAN, exactDivergence, type NoiseFamily, type ScoreFn } from '@scorelab/core';
import { asTangentScore, checkScoreShape, perturb, resolveJacobian, weightedMean } from './noise';
import type { JacobianMode, ScoreLoss, Weighting } from './types';

export interface ScoreMatchingOptions {
  /** Noise levels to anneal over (or an sde); default clean (single-scale on the data itself). */
  family?: NoiseFamily;
  weighting?: Weighting;
  jacobian?: JacobianMode;
}

/**
 * Exact (Hyvarinen) score matching, kind `sm`:
 *   L = E_x[ tr(J_s(x)) + 1/2 ||s(x)||^2 ],   J_s = ds/dx: [D, D] per sample,
 * which equals the Fisher divergence 1/2 E||s - grad log p||^2 minus the constant
 * 1/2 E||grad log p||^2. Annealed (noise levels given): x is replaced by x~ = x + sigma_n z, the
 * score is s(x~, sigma_n) and sample n's term is multiplied by lambda(sigma_n), so the objective is
 *   E_n[ lambda(sigma_n) (Fisher(s(., sigma_n), p_{sigma_n}) - const_n) ]
 * and trains the same noise-conditional network as dsm.
 * The trace is exact: D tangents e_i with sum_i e_i . (J e_i) (forward), or D backward passes
 * (backprop, core exactDivergence).
 */
export function scoreMatching(opts: ScoreMatchingOptions = {}): ScoreLoss {
  const family = opts.family ?? CLEAN;
  const weighting = opts.weighting ?? 'sigma2';
  const mode = opts.jacobian ?? 'auto';
  return (score, x, rng) =>
    tf.tidy(() => {
      const batch = perturb(x, rng, family, weighting);
      const { s, trace } = scoreAndTrace(score, batch.x, batch.cond, resolveJacobian(score, mode));
      const terms = tf.add(trace, tf.mul(0.5, tf.sum(tf.square(s), 1))) as tf.Tensor1D;
      return weightedMean(terms, batch.weight);
    });
}

/** s(x, cond): [N, D] and tr(ds/dx) per row: [N]. */
function scoreAndTrace(score: ScoreFn, x: tf.Tensor2D, cond: tf.Tensor1D | undefined, mode: 'forward' | 'backprop'): { s: tf.Tensor2D; trace: tf.Tensor1D } {
  const [n, d] = x.shape;
  switch (mode) {
    case 'forward': {
      const ts = asTangentScore(score);
      if (ts.withStackedTangents) {
        // All D basis tangents in one stacked batch: row i*N + r is e_i. The trace is
        // sum_i (J e_i)_i, read off with a [D, 1, D] identity mask (no split into D pieces).
        const { score: s, jvpStacked } = ts.withStackedTangents(x, cond, stackedBasis(n, d));
        checkScoreShape(s, x);
        const eye = tf.reshape(tf.eye(d), [d, 1, d]);
        const trace = tf.sum(tf.mul(tf.reshape(jvpStacked, [d, n, d]), eye), [0, 2]) as tf.Tensor1D;
        return { s, trace };
      }
      const basis = Array.from({ length: d }, (_, i) => basisTangent(n, d, i));
      const { score: s, jvps } = asTangentScore(score).withTangents(x, cond, basis);
      checkScoreShape(s, x);
      // e_i . (J e_i) = (J e_i)_i, the i-th diagonal entry of J.
      const diag = jvps.map((jv, i) => tf.reshape(tf.slice(jv, [0, i], [-1, 1]), [-1]));
      return { s, trace: tf.addN(diag) as tf.Tensor1D };
    }
    case 'backprop': {
      const s = score(x, cond);
      checkScoreShape(s, x);
      return { s, trace: exactDivergence((xx) => score(xx, cond), x) };
    }
  }
}

/** The D basis tangents stacked: row i*N + r is e_i, [D*N, D]. */
function stackedBasis(n: number, d: number): tf.Tensor2D {
  const out = new Float32Array(d * n * d);
  for (let i = 0; i < d; i++) for (let r = 0; r < n; r++) out[(i * n + r) * d + i] = 1;
  return tf.tensor2d(out, [d * n, d]);
}

/** The tangent e_i for every row: [N, D]. */
function basisTangent(n: number, d: number, i: number): tf.Tensor2D {
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) out[r * d + i] = 1;
  return tf.tensor2d(out, [n, d]);
}
