import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { CLEAN, conditionOf, drawNoise, evaluationPoints, exactScore, levelsFamily, noiseFamily, perturbRows, type NoiseFamily } from './noise-family';
import { Rng } from './rng';
import { geometricSigmas } from './schedules';
import type { Sde } from './sde/sde';
import { veSde } from './sde/ve-sde';
import { vpSde } from './sde/vp-sde';

beforeAll(async () => {
  await selectBackend('wasm');
});

const SIGMAS = [3, 1, 0.3];
const sdeFamily = (sde: Sde): NoiseFamily => ({ kind: 'sde', sde });

describe('noise families', () => {
  it('levelsFamily validates and copies; no levels is the clean family; noiseFamily reads the noise or sde section', () => {
    const sigmas = [2, 0.5];
    const family = levelsFamily(sigmas);
    sigmas[0] = 99;
    expect(family).toEqual({ kind: 'levels', sigmas: [2, 0.5] });
    expect(levelsFamily([])).toBe(CLEAN);
    expect(() => levelsFamily([1, 0])).toThrow(/> 0, got 0/);
    expect(() => levelsFamily([1, Number.NaN])).toThrow(/> 0/);
    expect(() => levelsFamily([Infinity])).toThrow(/finite/);

    expect(noiseFamily({})).toBe(CLEAN);
    expect(noiseFamily({ noise: { schedule: 'geometric', sigmaMax: 3, sigmaMin: 0.3, levels: 4 } })).toEqual({ kind: 'levels', sigmas: geometricSigmas(3, 0.3, 4) });
    expect(noiseFamily({ noise: { schedule: 'custom', sigmas: [5, 2] } })).toEqual({ kind: 'levels', sigmas: [5, 2] });
    const sde = noiseFamily({ sde: { kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 1e-4, trainEps: 2e-5 } });
    expect(sde.kind).toBe('sde');
    expect(sde.kind === 'sde' && sde.sde).toMatchObject({ kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 1e-4, trainEps: 2e-5 });
    expect(() => noiseFamily({ noise: { schedule: 'custom', sigmas: [1] }, sde: { kind: 've', sigmaMin: 0.01, sigmaMax: 10, eps: 1e-5, trainEps: 1e-5 } })).toThrow(/both/);

    expect([CLEAN, levelsFamily(SIGMAS), sdeFamily(vpSde())].map(conditionOf)).toEqual(['none', 'sigma', 'time']);
  });
});

describe('drawNoise', () => {
  it('levels: one rng.int(L) per row, in order; cond = std = sigma, m = 1, lambda = sigma^2 or 1', () => {
    const n = 50;
    for (const weighting of ['sigma2', 'none'] as const) {
      const rng = new Rng(7);
      const draw = drawNoise(levelsFamily(SIGMAS), n, rng, weighting)!;
      const replay = new Rng(7);
      const want = Array.from({ length: n }, () => SIGMAS[replay.int(SIGMAS.length)]);
      expect(draw.cond).toEqual(new Float32Array(want));
      expect(draw.std).toEqual(new Float32Array(want));
      expect(draw.mean).toBeNull();
      expect(draw.weight).toEqual(new Float32Array(want.map((s) => (weighting === 'sigma2' ? s * s : 1))));
      // Every level is drawn (power: a constant index would fail), and the stream is left where the replay is.
      expect(new Set(want).size).toBe(3);
      expect(rng.uniform()).toBe(replay.uniform());
    }
  });

  it('one level draws nothing; clean returns null and draws nothing', () => {
    const rng = new Rng(3);
    const draw = drawNoise(levelsFamily([0.7]), 4, rng, 'sigma2')!;
    expect(draw.cond).toEqual(new Float32Array([0.7, 0.7, 0.7, 0.7]));
    expect(draw.weight).toEqual(new Float32Array(4).fill(0.7 * 0.7));
    expect(drawNoise(CLEAN, 4, rng, 'sigma2')).toBeNull();
    expect(rng.uniform()).toBe(new Rng(3).uniform());
  });

  it('sde: t = fround(trainEps + (T - trainEps) u) per row (rng.uniform), m(t), s(t) from that t, lambda = s(t)^2 or g(t)^2', () => {
    const n = 40;
    // The sampling eps (0.3 here) plays no part in training: t starts at trainEps.
    for (const sde of [vpSde({ eps: 0.3, trainEps: 0.01 }), veSde({ sigmaMin: 0.05, sigmaMax: 5, eps: 0.3 })]) {
      for (const weighting of ['sigma2', 'likelihood'] as const) {
        const rng = new Rng(11);
        const draw = drawNoise(sdeFamily(sde), n, rng, weighting)!;
        const replay = new Rng(11);
        const ts = Array.from({ length: n }, () => Math.fround(sde.trainEps + (sde.T - sde.trainEps) * replay.uniform()));
        expect(draw.cond).toEqual(new Float32Array(ts));
        expect(draw.mean).toEqual(new Float32Array(ts.map((t) => sde.marginal(t).mean)));
        expect(draw.std).toEqual(new Float32Array(ts.map((t) => sde.marginal(t).std)));
        const lambda = ts.map((t) => (weighting === 'sigma2' ? sde.marginal(t).std ** 2 : sde.diffusion(t) ** 2));
        expect(draw.weight).toEqual(new Float32Array(lambda));
        expect(Math.min(...ts)).toBeGreaterThanOrEqual(Math.fround(sde.trainEps));
        expect(Math.min(...ts)).toBeLessThan(0.3);
        expect(Math.max(...ts)).toBeLessThanOrEqual(sde.T);
        expect(rng.uniform()).toBe(replay.uniform());
      }
    }
  });

  it('refuses the weightings the family does not have', () => {
    expect(() => drawNoise(levelsFamily(SIGMAS), 2, new Rng(0), 'likelihood')).toThrow(/likelihood.*needs an sde/);
    expect(() => drawNoise(sdeFamily(vpSde()), 2, new Rng(0), 'none')).toThrow(/none is not available with an sde/);
  });
});

describe('perturbRows', () => {
  const xs = [1, -2, 0.5, 3, -1, 0.25];
  const zs = [0.3, -1.1, 2, 0.7, -0.4, 1.5];
  const run = (family: NoiseFamily) => {
    const draw = drawNoise(family, 3, new Rng(5), 'sigma2')!;
    const out = tf.tidy(() => Array.from(perturbRows(tf.tensor2d(xs, [3, 2]), tf.tensor2d(zs, [3, 2]), draw).dataSync()));
    return { draw, out };
  };

  // Two float32 roundings (the product and the sum) of values ~3: within 4 ulp of the float64 value.
  const closeF32 = (got: number[], want: number[]) => want.forEach((w, k) => expect(Math.abs(got[k] - w)).toBeLessThan(4 * 2 ** -23 * (1 + Math.abs(w))));

  it('levels: x + sigma z per row', () => {
    const { draw, out } = run(levelsFamily(SIGMAS));
    const want = xs.map((x, k) => x + zs[k] * draw.std[Math.floor(k / 2)]);
    closeF32(out, want);
  });

  it('sde: m(t) x + s(t) z per row', () => {
    const { draw, out } = run(sdeFamily(vpSde()));
    const r = (k: number) => Math.floor(k / 2);
    const want = xs.map((x, k) => x * draw.mean![r(k)] + zs[k] * draw.std[r(k)]);
    closeF32(out, want);
    // Power: m(t) < 1 here, so forgetting it would change the rows.
    expect(Math.max(...Array.from(draw.mean!))).toBeLessThan(0.999);
  });

  it('keeps the tensor count flat', () => {
    const x = tf.ones([3, 2]) as tf.Tensor2D;
    const draw = drawNoise(sdeFamily(vpSde()), 3, new Rng(1), 'sigma2')!;
    const before = tf.memory().numTensors;
    perturbRows(x, x, draw).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('evaluationPoints', () => {
  it('levels: every sigma with m = 1, s = sigma, lambda = sigma^2; clean: one unconditioned point of weight 1', () => {
    expect(evaluationPoints(levelsFamily(SIGMAS))).toEqual(SIGMAS.map((s) => ({ cond: s, mean: 1, std: s, weight: s * s })));
    expect(evaluationPoints(CLEAN)).toEqual([{ cond: undefined, mean: 1, std: 0, weight: 1 }]);
  });

  it('sde: t = trainEps, then the round times 0.1 ... 1 above it, with m(t), s(t) and lambda = s(t)^2', () => {
    const tenths = Array.from({ length: 10 }, (_, k) => (k + 1) / 10);
    for (const [eps, times] of [
      [1e-3, [1e-3, ...tenths]],
      [0.1, tenths],
      [0.15, [0.15, ...tenths.slice(1)]],
    ] as const) {
      // The sampling eps (0.5) does not move the evaluation points.
      const sde = vpSde({ eps: 0.5, trainEps: eps });
      const points = evaluationPoints(sdeFamily(sde));
      expect(points.map((p) => p.cond)).toEqual(times);
      points.forEach((p) => {
        const { mean, std } = sde.marginal(p.cond!);
        expect(p).toEqual({ cond: p.cond, mean, std, weight: std * std });
      });
    }
  });
});

describe('exactScore', () => {
  // Source N(mu, c^2 I): its perturbed score is -(x - mu) / (c^2 + sigma^2). Under an sde p_t = N(m mu, (m^2 c^2 + s^2) I).
  const mu = [1, -2];
  const c = 0.8;
  const seen: (number[] | undefined)[] = [];
  const source = {
    score: (x: tf.Tensor2D, sigma?: tf.Tensor1D) =>
      tf.tidy(() => {
        seen.push(sigma === undefined ? undefined : Array.from(sigma.dataSync()));
        const v = sigma === undefined ? tf.scalar(c * c) : tf.reshape(tf.add(tf.square(sigma), c * c), [-1, 1]);
        return tf.div(tf.sub(tf.tensor2d([mu]), x), v) as tf.Tensor2D;
      }),
  };
  const rows = [
    [0.5, 0.5],
    [3, -4],
    [-1, 1],
  ];
  const closed = (x: number[], m: number, s: number) => x.map((xi, j) => -(xi - m * mu[j]) / (m * m * c * c + s * s));
  const check = (got: number[][], want: number[][]) =>
    want.forEach((row, n) => row.forEach((w, j) => expect(Math.abs(got[n][j] - w)).toBeLessThan(1e-5 * (1 + Math.abs(w)))));

  it('levels and clean: the source score at sigma (or unconditioned)', () => {
    seen.length = 0;
    const sig = [2, 0.5, 1];
    const got = tf.tidy(() => exactScore(source, levelsFamily(SIGMAS))(tf.tensor2d(rows), tf.tensor1d(sig)).arraySync());
    check(got, rows.map((x, n) => closed(x, 1, sig[n])));
    const clean = tf.tidy(() => exactScore(source, CLEAN)(tf.tensor2d(rows)).arraySync());
    check(clean, rows.map((x) => closed(x, 1, 0)));
    expect(seen).toEqual([sig, undefined]);
  });

  it('sde: the marginal score -(x - m mu) / (m^2 c^2 + s^2) at each row t', () => {
    for (const sde of [vpSde(), veSde({ sigmaMin: 0.05, sigmaMax: 5 })]) {
      const ts = [0.01, 0.3, 0.9];
      const got = tf.tidy(() => exactScore(source, sdeFamily(sde))(tf.tensor2d(rows), tf.tensor1d(ts)).arraySync());
      check(got, rows.map((x, n) => closed(x, sde.marginal(ts[n]).mean, sde.marginal(ts[n]).std)));
      expect(() => tf.tidy(() => exactScore(source, sdeFamily(sde))(tf.zeros([1, 2]) as tf.Tensor2D))).toThrow(/needs t/);
    }
  });
});
