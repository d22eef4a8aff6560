import * as tf from '@tensorflow/tfjs';
import { type NoiseFamily, Rng, selectBackend, subVpSde, veSde, vpSde, type Sde, type ScoreFn } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLoss } from './create-loss';
import { denoisingScoreMatching } from './denoising-score-matching';
import { addMat, eye, gaussian, inverse, matMul, matVec, perturbedGaussianTimeScore, sampleGaussian, scaleMat, type Gaussian } from './gaussian-fixture';
import { scoreMatching } from './score-matching';
import { slicedScoreMatching } from './sliced-score-matching';
import type { ScoreLoss, Weighting } from './types';

// The continuous-time members of the noise family (core noise-family.ts): every loss takes { kind: 'sde', sde }
// and draws t ~ U(sde.trainEps, T), so a different training eps is a different SDE (veSde({ ..., trainEps })).

beforeAll(async () => {
  await selectBackend('wasm');
});

/** The weightings an sde offers: s(t)^2 or g(t)^2. */
type SdeWeighting = Exclude<Weighting, 'none'>;
const family = (sde: Sde): NoiseFamily => ({ kind: 'sde', sde });

/** E_{t ~ U(eps, 1)} of h(t), composite Simpson on 4000 intervals (float64; h is smooth on [eps, 1]). */
function timeAverage(eps: number, h: (t: number) => number): number {
  const k = 4000;
  const dt = (1 - eps) / k;
  let acc = 0;
  for (let i = 0; i <= k; i++) acc += (i === 0 || i === k ? 1 : i % 2 === 1 ? 4 : 2) * h(eps + i * dt);
  return (acc * dt) / 3 / (1 - eps);
}

function lambdaOf(sde: Sde, weighting: SdeWeighting, t: number): number {
  return weighting === 'sigma2' ? sde.marginal(t).std ** 2 : sde.diffusion(t) ** 2;
}

/** Mean and standard error of the loss over independent batches (fresh data and a fresh loss stream each). */
function batchEstimate(loss: ScoreLoss, score: ScoreFn, g: Gaussian, seed: number, batches = 16, n = 2000) {
  const values: number[] = [];
  const dataRng = new Rng(seed);
  const lossRng = new Rng(seed + 1000);
  for (let b = 0; b < batches; b++) {
    const x = tf.tensor2d(sampleGaussian(g, n, dataRng));
    values.push(tf.tidy(() => loss(score, x, lossRng).dataSync()[0]));
    x.dispose();
  }
  const mean = values.reduce((a, v) => a + v, 0) / batches;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (batches - 1));
  return { mean, se: sd / Math.sqrt(batches) };
}

const cases: [string, Sde, SdeWeighting][] = [
  ['vp, sigma2', vpSde(), 'sigma2'],
  ['subvp, sigma2', subVpSde(), 'sigma2'],
  ['ve, likelihood', veSde({ sigmaMin: 0.01, sigmaMax: 10 }), 'likelihood'],
  ['ve, sigma2', veSde({ sigmaMin: 0.01, sigmaMax: 10 }), 'sigma2'],
];

describe.each(cases)('continuous-time losses with the exact score of Gaussian data (%s)', (_name, sde, weighting) => {
  const g = gaussian(2);
  // Per t, with C_t = m^2 Sigma + s^2 I:  DSM = 1/2 (D / s^2 - tr C_t^{-1})  (Tweedie: E<s*, z/s> = -E||s*||^2)
  // and SSM = tr J + 1/2 E||s*||^2 = -1/2 tr C_t^{-1}. The expectations over t are computed by quadrature.
  const trInv = (t: number) => {
    const { mean, std } = sde.marginal(t);
    return g.lambda.reduce((acc, l) => acc + 1 / (mean * mean * l + std * std), 0);
  };
  // A 16-batch estimate with its own SE; 4.5 SE (t with 15 dof: two-sided p ~ 5e-4), plus float32 slack.
  it('dsm: the Monte-Carlo loss matches E_t lambda(t) 1/2 (D / s^2 - tr C_t^{-1})', () => {
    const expected = timeAverage(sde.trainEps, (t) => lambdaOf(sde, weighting, t) * 0.5 * (2 / sde.marginal(t).std ** 2 - trInv(t)));
    const exact = perturbedGaussianTimeScore(g, sde);
    const { mean, se } = batchEstimate(denoisingScoreMatching({ family: family(sde), weighting }), exact.plain, g, 1);
    exact.dispose();
    expect(Math.abs(mean - expected)).toBeLessThan(4.5 * se + 1e-4 * Math.abs(expected));
    // Power: the other weighting gives a clearly different value.
    const other = timeAverage(sde.trainEps, (t) => lambdaOf(sde, weighting === 'sigma2' ? 'likelihood' : 'sigma2', t) * 0.5 * (2 / sde.marginal(t).std ** 2 - trInv(t)));
    expect(Math.abs(other - expected)).toBeGreaterThan(20 * se);
  });

  it.each(['ssm', 'ssm-vr', 'sm'] as const)('%s: matches E_t lambda(t) (-1/2 tr C_t^{-1}), forward tangents and double backprop', (variant) => {
    const expected = timeAverage(sde.trainEps, (t) => lambdaOf(sde, weighting, t) * -0.5 * trInv(t));
    const exact = perturbedGaussianTimeScore(g, sde);
    for (const [jacobian, fn] of [
      ['forward', exact.tangent],
      ['backprop', exact.plain],
    ] as const) {
      // sm (exact trace) has the same expectation as both sliced variants.
      const loss =
        variant === 'sm' ? scoreMatching({ family: family(sde), weighting, jacobian }) : slicedScoreMatching({ family: family(sde), weighting, variant, projections: 2, jacobian });
      const { mean, se } = batchEstimate(loss, fn, g, 2, 12, 1500);
      expect(Math.abs(mean - expected), jacobian).toBeLessThan(4.5 * se + 1e-4 * Math.abs(expected));
    }
    exact.dispose();
  });
});

describe('continuous-time DSM at one fixed marginal (m, s)', () => {
  // An SDE whose marginal is the same at every t isolates the loss formula from the time sampling:
  // the loss is then DSM on x~ = m x + s z with target -z / s, and lambda = s^2 is a constant factor.
  const m0 = 0.8;
  const s0 = 0.6;
  const base = vpSde();
  const fixed = {
    ...base,
    marginal: (t: number | tf.Tensor1D) => (typeof t === 'number' ? { mean: m0, std: s0 } : { mean: tf.fill(t.shape, m0), std: tf.fill(t.shape, s0) }),
  } as unknown as Sde;

  it('its minimiser over linear models s(x) = -A x + b is the score of N(m mu, m^2 Sigma + s^2 I)', () => {
    const d = 2;
    const g = gaussian(d);
    const n = 6000;
    const noiseSeed = 5;
    const rows = sampleGaussian(g, n, new Rng(41));
    const x = tf.tensor2d(rows);
    // Re-seeding the loss stream every step fixes t and z: gradient descent minimises one quadratic whose
    // minimiser is the least-squares fit of -z / s on phi = [x~, 1]. The loss draws N uniforms, then z.
    const zr = new Rng(noiseSeed);
    for (let i = 0; i < n; i++) zr.uniform();
    const z = zr.normalArray(n * d);
    const xt = rows.map((r, k) => r.map((v, j) => Math.fround(Math.fround(v * m0) + Math.fround(s0 * z[k * d + j]))));
    const phi = xt.map((r) => [...r, 1]);
    const gram = phi[0].map((_, a) => phi[0].map((__, c) => phi.reduce((acc, p) => acc + p[a] * p[c], 0)));
    const gramInv = inverse(gram);
    const theta = Array.from({ length: d }, (_, i) => matVec(gramInv, phi[0].map((__, a) => phi.reduce((acc, p, k) => acc + (p[a] * -z[k * d + i]) / s0, 0))));
    const aLs = theta.map((t) => t.slice(0, d).map((v) => -v));
    const bLs = theta.map((t) => t[d]);

    const at = tf.variable(tf.zeros([d, d]));
    const b = tf.variable(tf.zeros([d]));
    const score: ScoreFn = (xx) => tf.sub(b, tf.matMul(xx, at)) as tf.Tensor2D;
    const loss = denoisingScoreMatching({ family: family(fixed) });
    const meanPhiSq = phi.reduce((acc, p) => acc + p.reduce((s, v) => s + v * v, 0), 0) / n;
    const optimizer = tf.train.momentum(1 / (s0 * s0 * meanPhiSq), 0.9);
    for (let step = 0; step < 200; step++) optimizer.minimize(() => loss(score, x, new Rng(noiseSeed)), false, [at, b]);
    const aGd = tf.transpose(at).arraySync() as number[][];
    const bGd = b.arraySync() as number[];
    optimizer.dispose();
    tf.dispose([at, b, x]);

    // 1) Gradient descent reached the least-squares fit: the loss and its weight gradient are right.
    for (let i = 0; i < d; i++) {
      expect(Math.abs(bGd[i] - bLs[i])).toBeLessThan(1e-3);
      for (let j = 0; j < d; j++) expect(Math.abs(aGd[i][j] - aLs[i][j])).toBeLessThan(1e-3);
    }
    // 2) The fit is the marginal score: A* = P = (m^2 Sigma + s^2 I)^{-1}, b* = m P mu, within 4.5 OLS
    // standard errors. The residual e = -z/s - s*(x~) = m P (x - mu) + (s P - I/s) z is independent of x~
    // (jointly Gaussian, uncorrelated by Tweedie) with covariance K = m^2 P Sigma P + (s P - I/s)^2.
    const p = inverse(addMat(scaleMat(g.sigma, m0 * m0), scaleMat(eye(d), s0 * s0)));
    const bStar = matVec(p, g.mu).map((v) => m0 * v);
    const r = addMat(scaleMat(p, s0), scaleMat(eye(d), -1 / s0));
    const k = addMat(scaleMat(matMul(matMul(p, g.sigma), p), m0 * m0), matMul(r, r));
    for (let i = 0; i < d; i++) {
      expect(Math.abs(bGd[i] - bStar[i])).toBeLessThan(4.5 * Math.sqrt(k[i][i] * gramInv[d][d]) + 1e-3);
      for (let j = 0; j < d; j++) expect(Math.abs(aGd[i][j] - p[i][j])).toBeLessThan(4.5 * Math.sqrt(k[i][i] * gramInv[j][j]) + 1e-3);
    }
  });
});

describe('continuous-time loss conventions', () => {
  it('draws t ~ U(trainEps, T) per row, then z, and computes lambda(t) 1/2 ||s(m x + s z, t) + z / s||^2 exactly', () => {
    // t ~ U(0.01, 1): the SDE's training eps (its sampling eps, 0.2, plays no part).
    const sde = vpSde({ eps: 0.2, trainEps: 0.01 });
    const x = tf.tensor2d([
      [1, -1],
      [0.5, 2],
      [-3, 0],
    ]);
    const seen: number[][] = [];
    const score: ScoreFn = (xx, t) => {
      seen.push(Array.from(t!.dataSync()));
      return tf.mul(xx, -0.7) as tf.Tensor2D;
    };
    for (const weighting of ['sigma2', 'likelihood'] as const) {
      seen.length = 0;
      const value = tf.tidy(() => denoisingScoreMatching({ family: family(sde), weighting })(score, x, new Rng(3)).dataSync()[0]);
      const rng = new Rng(3);
      const ts = [0, 1, 2].map(() => Math.fround(0.01 + 0.99 * rng.uniform()));
      const z = rng.normalArray(6);
      expect(seen).toEqual([ts]);
      let acc = 0;
      const xs = [1, -1, 0.5, 2, -3, 0];
      ts.forEach((t, i) => {
        const { mean, std } = sde.marginal(t);
        const lam = weighting === 'sigma2' ? std * std : sde.diffusion(t) ** 2;
        let sq = 0;
        for (let j = 0; j < 2; j++) sq += (-0.7 * (mean * xs[2 * i + j] + std * z[2 * i + j]) + z[2 * i + j] / std) ** 2;
        acc += lam * 0.5 * sq;
      });
      expect(Math.abs(value - acc / 3)).toBeLessThan(1e-5 * (1 + acc / 3));
    }
    x.dispose();
  });

  it('createLoss builds dsm/sm/ssm/ssm-vr under an sde; options are validated', () => {
    const sde = veSde();
    for (const kind of ['dsm', 'sm', 'ssm', 'ssm-vr'] as const) {
      expect(typeof createLoss({ kind, weighting: 'sigma2', projection: 'rademacher', projections: 1 }, family(sde))).toBe('function');
    }
    // The loss's eps is the SDE's, validated where the SDE is built.
    expect(() => veSde({ eps: 0 })).toThrow(/eps/);
    expect(() => vpSde({ eps: 1 })).toThrow(/eps/);
    expect(() => slicedScoreMatching({ family: family(sde), projections: 0 })).toThrow(/projections/);
    const plain: ScoreFn = (xx) => tf.neg(xx);
    const x = tf.ones([2, 2]) as tf.Tensor2D;
    expect(() => slicedScoreMatching({ family: family(sde), jacobian: 'forward' })(plain, x, new Rng(1))).toThrow(/withTangents/);
    // lambda = 1 is a noise-level weighting only.
    expect(() => denoisingScoreMatching({ family: family(sde), weighting: 'none' })(plain, x, new Rng(1))).toThrow(/none is not available with an sde/);
    x.dispose();
  });
});
