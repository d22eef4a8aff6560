import * as tf from '@tensorflow/tfjs';
import { levelsFamily, type Projection, Rng, selectBackend, type ScoreFn } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { denoisingScoreMatching } from './denoising-score-matching';
import { scoreMatching } from './score-matching';
import { slicedScoreMatching } from './sliced-score-matching';
import { addMat, eye, gaussian, type Mat, matMul, mean, perturbedGaussianScore, perturbedPrecision, projectionVariance, sampleGaussian, scaleMat, trace } from './gaussian-fixture';
import type { ScoreLoss, Weighting } from './types';

beforeAll(async () => {
  await selectBackend('wasm');
});

// Annealed objectives with the exact score of p_sigma = N(mu, C), C = Sigma + sigma^2 I,
// P = C^{-1}. Per sample, level l is uniform over the L levels and the term is
// lambda(sigma_l) T_l, where (with u, s Gaussian as below) we know mean m_l and variance v_l of T_l:
//  dsm: T = 1/2 ||u||^2, u = s(x~) + z/sigma ~ N(0, K), K = P Sigma P + (I/sigma - sigma P)^2:
//       m = 1/2 tr K = 1/2 (D / sigma^2 - tr P), v = 1/2 tr(K^2);
//  sm:  T = -tr P + 1/2 ||s||^2, s ~ N(0, P): m = -1/2 tr P, v = 1/2 tr(P^2);
//  ssm-vr: sm plus (v^T(-P)v - tr(-P)) averaged over M projections: v += Var_v / M (exact);
//  ssm: sm plus the projection noise of Q = -P + 1/2 s s^T, whose mean over s is bounded by the
//       Gaussian-projection value 2 E tr(Q^2) = ((tr P)^2 + 2 tr P^2) / 2 (an upper bound for
//       rademacher and sphere), so the tolerance is conservative there.
// The loss averages N such terms: mean E = (1/L) sum_l w_l m_l, and the variance of one term is
// (1/L) sum_l (w_l^2 v_l + (w_l m_l)^2) - E^2. We allow 4 standard errors.
const SIGMAS = [3, 1, 0.3];
const LEVELS = levelsFamily(SIGMAS);
const N = 20000;

type Kind = 'dsm' | 'sm' | 'ssm' | 'ssm-vr';

function levelMoments(kind: Kind, g: ReturnType<typeof gaussian>, s: number, projection: Projection, m: number): { mean: number; variance: number } {
  const p = perturbedPrecision(g, s);
  const trP = trace(p);
  const trP2 = trace(matMul(p, p));
  switch (kind) {
    case 'dsm': {
      const r = addMat(scaleMat(eye(g.d), 1 / s), scaleMat(p, -s));
      const k: Mat = addMat(matMul(matMul(p, g.sigma), p), matMul(r, r));
      return { mean: 0.5 * trace(k), variance: 0.5 * trace(matMul(k, k)) };
    }
    case 'sm':
      return { mean: -0.5 * trP, variance: 0.5 * trP2 };
    case 'ssm-vr':
      return { mean: -0.5 * trP, variance: 0.5 * trP2 + projectionVariance(projection, scaleMat(p, -1)) / m };
    case 'ssm':
      return { mean: -0.5 * trP, variance: 0.5 * trP2 + (trP * trP + 2 * trP2) / 2 / m };
  }
}

function expected(kind: Kind, g: ReturnType<typeof gaussian>, weight: (s: number) => number, projection: Projection, m: number) {
  const levels = SIGMAS.map((s) => ({ w: weight(s), ...levelMoments(kind, g, s, projection, m) }));
  const e = mean(levels.map((l) => l.w * l.mean));
  const second = mean(levels.map((l) => l.w * l.w * (l.variance + l.mean * l.mean)));
  return { mean: e, se: Math.sqrt((second - e * e) / N) };
}

/** The weightings of noise levels (`likelihood`, lambda = g(t)^2, needs an sde). */
const WEIGHTS: Record<Exclude<Weighting, 'likelihood'>, (s: number) => number> = { sigma2: (s) => s * s, none: () => 1 };

describe.each([2, 3] as const)('annealed objectives, D = %i', (d) => {
  const g = gaussian(d);
  const rows = sampleGaussian(g, N, new Rng(50 + d));

  const cases: { kind: Kind; make: (w: Weighting) => ScoreLoss; projection: Projection; m: number; tangent: boolean }[] = [
    { kind: 'dsm', make: (w) => denoisingScoreMatching({ family: LEVELS, weighting: w }), projection: 'gaussian', m: 1, tangent: false },
    { kind: 'sm', make: (w) => scoreMatching({ family: LEVELS, weighting: w }), projection: 'gaussian', m: 1, tangent: true },
    { kind: 'sm', make: (w) => scoreMatching({ family: LEVELS, weighting: w }), projection: 'gaussian', m: 1, tangent: false },
    { kind: 'ssm-vr', make: (w) => slicedScoreMatching({ variant: 'ssm-vr', projection: 'sphere', projections: 2, family: LEVELS, weighting: w }), projection: 'sphere', m: 2, tangent: true },
    { kind: 'ssm', make: (w) => slicedScoreMatching({ variant: 'ssm', projection: 'rademacher', family: LEVELS, weighting: w }), projection: 'rademacher', m: 1, tangent: false },
  ];

  it.each(['sigma2', 'none'] as const)('weight each sample by lambda(sigma_n) (weighting %s)', (weighting) => {
    const x = tf.tensor2d(rows);
    const exact = perturbedGaussianScore(g);
    for (const c of cases) {
      const score: ScoreFn = c.tangent ? exact.tangent : exact.plain;
      const value = tf.tidy(() => c.make(weighting)(score, x, new Rng(9)).dataSync()[0]);
      const want = expected(c.kind, g, WEIGHTS[weighting], c.projection, c.m);
      expect(Math.abs(value - want.mean), `${c.kind} tangent=${c.tangent}`).toBeLessThan(4 * want.se);
      // Power: other weightings (the other lambda, lambda = sigma, or lambda applied to the
      // level-averaged term instead of per sample, which only differs when lambda is not 1) are
      // over 8 SE away, so a wrong weighting would need a 4 SE fluke to pass.
      const other = weighting === 'sigma2' ? WEIGHTS.none : WEIGHTS.sigma2;
      const alternatives = [expected(c.kind, g, other, c.projection, c.m).mean, expected(c.kind, g, (s) => s, c.projection, c.m).mean];
      if (weighting === 'sigma2') alternatives.push(mean(SIGMAS.map(WEIGHTS.sigma2)) * expected(c.kind, g, () => 1, c.projection, c.m).mean);
      for (const alt of alternatives) expect(Math.abs(alt - want.mean)).toBeGreaterThan(8 * want.se);
    }
    exact.dispose();
    x.dispose();
  });

  it('lambda = g(t)^2 needs an sde: every objective refuses weighting likelihood with noise levels', () => {
    const x = tf.tensor2d(rows.slice(0, 8));
    const exact = perturbedGaussianScore(g);
    for (const c of cases) expect(() => tf.tidy(() => c.make('likelihood')(exact.tangent, x, new Rng(9))), c.kind).toThrow(/likelihood.*needs an sde/);
    exact.dispose();
    x.dispose();
  });
});
