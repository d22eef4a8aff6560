import * as tf from '@tensorflow/tfjs';
import { CLEAN, createScoreNetwork, levelsFamily, Rng, selectBackend, type ScoreFn } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { denoisingScoreMatching } from './denoising-score-matching';
import { addMat, eye, gaussian, inverse, matMul, matVec, perturbedPrecision, sampleGaussian, scaleMat } from './gaussian-fixture';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe.each([2, 3] as const)('denoising score matching at one sigma, D = %i', (d) => {
  const g = gaussian(d);
  const sigma = 0.7;
  const n = 8000;
  const noiseSeed = 5;

  it('its minimiser over linear models s(x) = -A x + b is the score of N(mu, Sigma + sigma^2 I)', () => {
    const rows = sampleGaussian(g, n, new Rng(40 + d));
    const x = tf.tensor2d(rows);
    // Re-seeding the loss's stream every step fixes z, so gradient descent minimises one
    // quadratic whose minimiser is the least-squares fit below. With one noise level the loss
    // draws exactly z = rng.normalTensor([N, D]) and nothing else.
    const z = new Rng(noiseSeed).normalArray(n * d);
    const xt = rows.map((r, k) => r.map((v, j) => v + sigma * z[k * d + j]));

    // DSM is least squares of the target -z / sigma on phi = [x~, 1]; per output coordinate i,
    // theta_i = G^{-1} sum_n phi_n (-z_ni / sigma) with G = sum_n phi_n phi_n^T, and s_i =
    // -sum_j A_ij x~_j + b_i, so A_ij = -theta_ij and b_i = theta_iD.
    const phi = xt.map((r) => [...r, 1]);
    const gram = phi[0].map((_, a) => phi[0].map((__, c) => phi.reduce((acc, p) => acc + p[a] * p[c], 0)));
    const gramInv = inverse(gram);
    const theta = Array.from({ length: d }, (_, i) => {
      const r = phi[0].map((__, a) => phi.reduce((acc, p, k) => acc + (p[a] * -z[k * d + i]) / sigma, 0));
      return matVec(gramInv, r);
    });
    const aLs = theta.map((t) => t.slice(0, d).map((v) => -v));
    const bLs = theta.map((t) => t[d]);

    // Gradient descent with the package's loss (and its weight gradient).
    const at = tf.variable(tf.zeros([d, d])); // A^T
    const b = tf.variable(tf.zeros([d]));
    const score: ScoreFn = (xx) => tf.sub(b, tf.matMul(xx, at)) as tf.Tensor2D;
    const loss = denoisingScoreMatching({ family: levelsFamily([sigma]) });
    // Step 1/L with L = lambda(sigma) (E||phi||^2), an upper bound on the Hessian's largest
    // eigenvalue; momentum makes the quadratic converge in a few hundred steps.
    const meanPhiSq = phi.reduce((acc, p) => acc + p.reduce((s, v) => s + v * v, 0), 0) / n;
    const optimizer = tf.train.momentum(1 / (sigma * sigma * meanPhiSq), 0.9);
    for (let step = 0; step < 200; step++) optimizer.minimize(() => loss(score, x, new Rng(noiseSeed)), false, [at, b]);
    const aGd = (tf.transpose(at).arraySync() as number[][]).map((r) => r.slice());
    const bGd = b.arraySync() as number[];
    optimizer.dispose();
    tf.dispose([at, b, x]);

    // 1) Gradient descent reached the least-squares fit: the loss and its gradient are right.
    for (let i = 0; i < d; i++) {
      expect(Math.abs(bGd[i] - bLs[i])).toBeLessThan(1e-3);
      for (let j = 0; j < d; j++) expect(Math.abs(aGd[i][j] - aLs[i][j])).toBeLessThan(1e-3);
    }

    // 2) The fit is the perturbed score: A* = (Sigma + sigma^2 I)^{-1} = P, b* = P mu, within
    // 4.5 OLS standard errors. The residual e = -z/sigma - s*(x~) is independent of x~ (Gaussian,
    // s* = E[-z/sigma | x~] by Tweedie) with covariance K = P Sigma P + (I/sigma - sigma P)^2,
    // so Var(theta_i) = K_ii G^{-1}.
    const p = perturbedPrecision(g, sigma);
    const bStar = matVec(p, g.mu);
    const m = addMat(scaleMat(eye(d), 1 / sigma), scaleMat(p, -sigma));
    const k = addMat(matMul(matMul(p, g.sigma), p), matMul(m, m));
    for (let i = 0; i < d; i++) {
      expect(Math.abs(bGd[i] - bStar[i])).toBeLessThan(4.5 * Math.sqrt(k[i][i] * gramInv[d][d]) + 1e-3);
      for (let j = 0; j < d; j++) expect(Math.abs(aGd[i][j] - p[i][j])).toBeLessThan(4.5 * Math.sqrt(k[i][i] * gramInv[j][j]) + 1e-3);
    }
  });
});

describe('denoising score matching, single-scale conventions', () => {
  it('an unconditional network gets the sigma tensor and ignores it; a literal one-level family equals the validated one', () => {
    const net = createScoreNetwork({ hidden: [8], activation: 'softplus', conditioning: 'none' }, 2, CLEAN, new Rng(1));
    const x = new Rng(2).normalTensor([16, 2]) as tf.Tensor2D;
    const seen: (number[] | undefined)[] = [];
    const spy: ScoreFn = (xx, s) => {
      seen.push(s === undefined ? undefined : Array.from(s.dataSync()));
      return net.score(xx, s);
    };
    const [viaSpy, viaLiteral] = tf.tidy(() => [
      denoisingScoreMatching({ family: levelsFamily([0.5]) })(spy, x, new Rng(3)).dataSync()[0],
      denoisingScoreMatching({ family: { kind: 'levels', sigmas: [0.5] } })(net.score, x, new Rng(3)).dataSync()[0],
    ]);
    expect(seen).toEqual([new Array(16).fill(0.5)]);
    expect(viaSpy).toBe(viaLiteral);
    // Independent value: lambda(0.5) * mean 1/2 ||s(x + 0.5 z) + z / 0.5||^2 with the same z.
    const expected = tf.tidy(() => {
      const z = new Rng(3).normalTensor([16, 2]);
      const s = net.score(tf.add(x, tf.mul(0.5, z)) as tf.Tensor2D);
      return 0.25 * tf.mean(tf.mul(0.5, tf.sum(tf.square(tf.add(s, tf.div(z, 0.5))), 1))).dataSync()[0];
    });
    expect(Math.abs(viaSpy - expected)).toBeLessThan(1e-5 * (1 + Math.abs(expected)));
    const noWeight = tf.tidy(() => denoisingScoreMatching({ family: levelsFamily([0.5]), weighting: 'none' })(net.score, x, new Rng(3)).dataSync()[0]);
    expect(Math.abs(noWeight - expected / 0.25)).toBeLessThan(1e-5 * (1 + Math.abs(noWeight)));
    x.dispose();
    net.dispose();
  });

  it('rejects an empty or non-positive sigma', () => {
    // No levels is the clean family, which has nothing to denoise.
    expect(() => denoisingScoreMatching({ family: levelsFamily([]) })).toThrow(/noise levels/);
    expect(() => denoisingScoreMatching({ family: CLEAN })).toThrow(/noise levels/);
    expect(() => denoisingScoreMatching({ family: levelsFamily([0]) })).toThrow(/> 0/);
    expect(() => denoisingScoreMatching({ family: levelsFamily([1, Number.NaN]) })).toThrow(/> 0/);
  });
});
