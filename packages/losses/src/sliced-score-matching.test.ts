import * as tf from '@tensorflow/tfjs';
import { type Projection, Rng, selectBackend } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreMatching } from './score-matching';
import { slicedScoreMatching } from './sliced-score-matching';
import { addMat, dot, gaussian, linearScore, matVec, outer, projectionVariance, randomMatrix, sampleGaussian, scaleMat, transpose } from './gaussian-fixture';

beforeAll(async () => {
  await selectBackend('wasm');
});

// For s(x) = -A x + b (J = -A), given the batch, the ssm term of sample n with projection v is
// v^T Q_n v - tr(Q_n) + sm_n, where Q_n = Jsym + 1/2 s_n s_n^T (ssm) or Jsym (ssm-vr) and
// Jsym = -(A + A^T) / 2. So conditionally on the batch, ssm and ssm-vr are unbiased for the batch
// sm value, with variance sum_n Var_v(v^T Q_n v) / (M N^2) (projectionVariance gives Var_v exactly
// for each projection kind). We allow 4 of those standard errors.
const PROJECTIONS: Projection[] = ['rademacher', 'gaussian', 'sphere'];

describe.each([2, 3] as const)('sliced score matching, D = %i', (d) => {
  const g = gaussian(d);
  const prng = new Rng(200 + d);
  const a = randomMatrix(prng, d, 1, 0.6);
  const b = g.mu.map(() => prng.normal());
  const jsym = scaleMat(addMat(a, transpose(a)), -0.5);
  const n = 3000;
  const m = 4;
  const rows = sampleGaussian(g, n, new Rng(30 + d));
  const scores = rows.map((r) => matVec(a, r).map((v, i) => b[i] - v));

  it.each(PROJECTIONS)('ssm and ssm-vr agree with sm in expectation (projection %s)', (projection) => {
    const x = tf.tensor2d(rows);
    const score = linearScore(a, b);
    const sm = tf.tidy(() => scoreMatching()(score.plain, x, new Rng(0)).dataSync()[0]);
    for (const variant of ['ssm', 'ssm-vr'] as const) {
      let varSum = 0;
      for (const s of scores) varSum += projectionVariance(projection, variant === 'ssm' ? addMat(jsym, scaleMat(outer(s, s), 0.5)) : jsym);
      const se = Math.sqrt(varSum / m) / n;
      for (const [jacobian, fn] of [
        ['forward', score.tangent],
        ['backprop', score.plain],
      ] as const) {
        const loss = slicedScoreMatching({ variant, projection, projections: m, jacobian });
        const value = tf.tidy(() => loss(fn, x, new Rng(7)).dataSync()[0]);
        expect(Math.abs(value - sm), `${variant} ${jacobian}`).toBeLessThan(4 * se + 2e-5 * (1 + Math.abs(sm)));
      }
    }
    // Power: the 1/2 ||s||^2 term is far larger than the tolerance, so a wrong factor on the
    // (v^T s)^2 term, or summing instead of averaging the M projections, would fail.
    const halfNormSq = scores.reduce((acc, s) => acc + 0.5 * dot(s, s), 0) / n;
    let worst = 0;
    for (const s of scores) worst += projectionVariance('gaussian', addMat(jsym, scaleMat(outer(s, s), 0.5)));
    expect(halfNormSq).toBeGreaterThan(10 * 4 * (Math.sqrt(worst / m) / n));
    score.dispose();
    x.dispose();
  });
});
