import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CLEAN, Rng, levelsFamily, selectBackend } from '@scorelab/core';
import { createDensityDataset, type Dataset } from '@scorelab/datasets';
import type { DatasetSpec } from '@scorelab/config';
import { DENSITY_METRIC, densityArtifacts, densityCondition, pointEnergyOf, exactEnergy, prepareDensityEvaluation, pointFieldOf, type DensityResult } from './density-eval';

beforeAll(async () => {
  await selectBackend('wasm');
});

function value(result: DensityResult, key: string): number {
  const r = result.records.find((p) => p.key === key);
  if (!r) throw new Error(`no ${key} (problem: ${result.problem})`);
  return r.value;
}

/** -log p at the held-out points: their mean estimates the entropy, their sd / sqrt(n) is its standard error. */
function heldOutNegLogP(dataset: Dataset, points: Float64Array, n: number, sigma = 0): { mean: number; se: number } {
  const v = tf.tidy(() => dataset.logDensity(tf.tensor2d(Float32Array.from(points), [n, 2]), sigma).dataSync());
  let s = 0;
  let s2 = 0;
  for (const x of v) {
    s -= x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, se: Math.sqrt(Math.max(0, s2 / n - mean * mean) / n) };
}

// Entropies in closed form: separated mixtures (overlaps below e^-25) are H(weights) + sum_k w_k H(N_k);
// a 2-D N(0, s^2 I) has 1 + log(2 pi s^2); the checkerboard is uniform on 8 unit squares.
const CASES: { spec: DatasetSpec; entropy: number }[] = [
  { spec: { kind: 'mog2d-weighted' }, entropy: -(0.2 * Math.log(0.2) + 0.8 * Math.log(0.8)) + 1 + Math.log(2 * Math.PI) },
  { spec: { kind: '8gaussians', scale: 1 }, entropy: Math.log(8) + 1 + Math.log(2 * Math.PI * 0.01) },
  { spec: { kind: 'checkerboard', scale: 1 }, entropy: Math.log(8) },
];

describe('eval/nll and eval/kl of the exact energy E = -log p', () => {
  for (const { spec, entropy } of CASES) {
    it(`${spec.kind}: eval/nll is the entropy within 4 standard errors of the held-out mean plus the log Z bound, eval/kl is 0`, () => {
      const dataset = createDensityDataset(spec);
      const evaluation = prepareDensityEvaluation(dataset, new Rng(21), { heldOut: 4000 });
      const result = evaluation.measure({ kind: 'energy', energy: exactEnergy(dataset) }, 5);
      expect(result.problem).toBeNull();
      expect(result.records.every((r) => r.step === 5)).toBe(true);
      const bound = value(result, DENSITY_METRIC.logZError) + value(result, DENSITY_METRIC.outerMass);
      const { se } = heldOutNegLogP(dataset, evaluation.heldOut, evaluation.heldOutCount);
      expect(Math.abs(value(result, DENSITY_METRIC.nll) - entropy)).toBeLessThanOrEqual(4 * se + bound);
      // Both sides are the same float32 log p on the same nodes: the discrete KL is 0 to round-off.
      expect(Math.abs(value(result, DENSITY_METRIC.kl))).toBeLessThan(1e-9);
    });
  }

  it('eval/kl of a shifted Gaussian energy equals |mu|^2 / (2 s^2), eval/nll the entropy plus it', () => {
    const s = 0.7;
    const mu = [0.3, -0.4];
    const dataset = createDensityDataset({ kind: 'gaussian', dim: 2, mean: [0, 0], std: s });
    const energy = (p: Float64Array, n: number) => Float64Array.from({ length: n }, (_, r) => ((p[2 * r] - mu[0]) ** 2 + (p[2 * r + 1] - mu[1]) ** 2) / (2 * s * s));
    const evaluation = prepareDensityEvaluation(dataset, new Rng(4), { heldOut: 4000 });
    const result = evaluation.measure({ kind: 'energy', energy }, 0);
    expect(result.problem).toBeNull();
    const kl = (mu[0] ** 2 + mu[1] ** 2) / (2 * s * s);
    const bound = value(result, DENSITY_METRIC.logZError) + value(result, DENSITY_METRIC.outerMass);
    // The box is the data's (p's) and so holds q = N(mu, s^2 I) less well: add q's outer mass, measured.
    expect(Math.abs(value(result, DENSITY_METRIC.kl) - kl)).toBeLessThanOrEqual(2 * bound + 1e-6);
    // -log q(x) = |x - mu|^2 / (2 s^2) + log(2 pi s^2): mean H + KL, variance (1 + |mu|^2 / s^2) for x ~ p.
    const se = Math.sqrt((1 + (mu[0] ** 2 + mu[1] ** 2) / (s * s)) / 4000);
    expect(Math.abs(value(result, DENSITY_METRIC.nll) - (1 + Math.log(2 * Math.PI * s * s) + kl))).toBeLessThan(4 * se + bound);
  });

  it('an energy that is +Infinity where the data have mass gives a reason, not eval/kl = Infinity', () => {
    const dataset = createDensityDataset({ kind: 'gaussian', dim: 2, mean: [0, 0], std: 1 });
    const evaluation = prepareDensityEvaluation(dataset, new Rng(6));
    // N(0, I) restricted to the half plane x > 0: all of its mass is in the box, half of the data's is not under it.
    const half = (p: Float64Array, n: number) => Float64Array.from({ length: n }, (_, r) => (p[2 * r] > 0 ? (p[2 * r] ** 2 + p[2 * r + 1] ** 2) / 2 : Infinity));
    const result = evaluation.measure({ kind: 'energy', energy: half }, 0);
    expect(result.problem).toMatch(/nll = Infinity, kl = Infinity/);
    expect(result.records.map((r) => r.key).sort()).toEqual([DENSITY_METRIC.outerMass, DENSITY_METRIC.logZError].sort());
  });

  it('flags an energy whose mass leaves the box and logs no eval/nll or eval/kl', () => {
    const dataset = createDensityDataset({ kind: '8gaussians', scale: 1 });
    const evaluation = prepareDensityEvaluation(dataset, new Rng(1));
    const flat = (_: Float64Array, n: number) => new Float64Array(n); // E = 0: uniform on the box
    const result = evaluation.measure({ kind: 'energy', energy: flat }, 3);
    expect(result.problem).toMatch(/box does not hold/);
    expect(result.records.map((r) => r.key).sort()).toEqual([DENSITY_METRIC.outerMass, DENSITY_METRIC.logZError].sort());
    // Uniform: the ring is the 8 nodes nearest each edge, trapezoid weight 7.5 cells of 256 per side, so it
    // holds exactly 1 - (241/256)^2 = 11.4% of the mass.
    expect(value(result, DENSITY_METRIC.outerMass)).toBeCloseTo(1 - (241 / 256) ** 2, 12);
  });
});

describe('score models: the path-integrated density and its curl', () => {
  it('the exact score of mog2d-weighted at sigma = 0.5 is a gradient field and integrates to log p_sigma', () => {
    const sigma = 0.5;
    const dataset = createDensityDataset({ kind: 'mog2d-weighted' });
    const evaluation = prepareDensityEvaluation(dataset, new Rng(8), { sigma, heldOut: 4000 });
    const result = evaluation.measure({ kind: 'score', score: pointFieldOf((x) => dataset.score(x, sigma)) }, 0);
    expect(result.problem).toBeNull();
    // O(h^2) curl of the difference stencils and float32 scores (h = box / 256 ~ 0.085 = 0.08 sd).
    expect(value(result, DENSITY_METRIC.curl)).toBeLessThan(1e-3);
    expect(value(result, DENSITY_METRIC.pathDependence)).toBeLessThan(1e-2);
    // p_sigma: components N(+-5, (1 + sigma^2) I).
    const entropy = -(0.2 * Math.log(0.2) + 0.8 * Math.log(0.8)) + 1 + Math.log(2 * Math.PI * (1 + sigma * sigma));
    const { se } = heldOutNegLogP(dataset, evaluation.heldOut, evaluation.heldOutCount, sigma);
    const bound = value(result, DENSITY_METRIC.logZError) + value(result, DENSITY_METRIC.outerMass);
    // The path integral adds its O(h^2) trapezoid error (and the path dependence) to log p̂.
    expect(Math.abs(value(result, DENSITY_METRIC.nllPath) - entropy)).toBeLessThanOrEqual(4 * se + bound + value(result, DENSITY_METRIC.pathDependence) + 1e-2);
    expect(value(result, DENSITY_METRIC.klPath)).toBeLessThan(1e-2);
    expect(value(result, DENSITY_METRIC.klPath)).toBeGreaterThanOrEqual(0);
  });

  it('a rotating field has eval/curl c / sqrt(1 + c^2) over any data density', () => {
    const c = 0.5;
    const dataset = createDensityDataset({ kind: '8gaussians', scale: 1 });
    const evaluation = prepareDensityEvaluation(dataset, new Rng(2));
    const rotating = (p: Float64Array, n: number) => {
      const out = new Float64Array(2 * n);
      for (let r = 0; r < n; r++) {
        out[2 * r] = -p[2 * r] - c * p[2 * r + 1];
        out[2 * r + 1] = -p[2 * r + 1] + c * p[2 * r];
      }
      return out;
    };
    expect(value(evaluation.measure({ kind: 'score', score: rotating }, 0), DENSITY_METRIC.curl)).toBeCloseTo(c / Math.sqrt(1 + c * c), 10);
  });
});

describe('adapters, artifacts and memory', () => {
  it('pointEnergyOf passes the fixed noise coordinate and evaluates in chunks', () => {
    const seen: number[] = [];
    const energy = (x: tf.Tensor2D, cond?: tf.Tensor1D) => {
      seen.push(x.shape[0]);
      return tf.add(tf.sum(x, 1), cond ?? 0) as tf.Tensor1D;
    };
    const n = 10000;
    const points = Float64Array.from({ length: 2 * n }, (_, k) => k % 7);
    const out = pointEnergyOf(energy, 0.25)(points, n);
    expect(seen).toEqual([8192, n - 8192]);
    for (const r of [0, 8191, 8192, n - 1]) expect(out[r]).toBeCloseTo(points[2 * r] + points[2 * r + 1] + 0.25, 5);
  });

  it('densityArtifacts: log p̂ and the true log p on one 65 x 65 grid, and no tensor is left behind', () => {
    const dataset = createDensityDataset({ kind: '8gaussians', scale: 1 });
    const before = tf.memory().numTensors;
    const evaluation = prepareDensityEvaluation(dataset, new Rng(3));
    const result = evaluation.measure({ kind: 'energy', energy: exactEnergy(dataset) }, 0);
    evaluation.measure({ kind: 'score', score: pointFieldOf((x) => dataset.score(x)) }, 0);
    expect(tf.memory().numTensors).toBe(before);
    const [learned, truth] = densityArtifacts(evaluation, result);
    expect([learned.name, truth.name]).toEqual(['learned-density', 'learned-density-true']);
    const g = learned.content.value.grid;
    expect([g.nx, g.ny]).toEqual([65, 65]);
    expect(truth.content.value.grid).toEqual(g);
    expect(learned.content.value.logDensity).toHaveLength(65);
    // Node (i, j) = (32, 40) of the artifact is node (128, 160) of the 257-node quadrature grid.
    expect(truth.content.value.logDensity[40][32]).toBe(evaluation.trueLogDensity[160 * 257 + 128]);
    // Exact energy: log p̂ = log p - log Z with log Z ~ 0 (|log Z| <= its bound).
    const lp = learned.content.value.logDensity[40][32];
    expect(lp).not.toBeNull();
    expect(Math.abs((lp ?? NaN) - evaluation.trueLogDensity[160 * 257 + 128])).toBeLessThan(1e-6 + value(result, DENSITY_METRIC.logZError) + value(result, DENSITY_METRIC.outerMass));
  });

  it('densityCondition reads noise-level models at sigma_L against p_sigma_L, clean ones unconditionally', () => {
    expect(densityCondition(levelsFamily([1, 0.5, 0.1]))).toEqual({ cond: 0.1, sigma: 0.1 });
    expect(densityCondition(CLEAN)).toEqual({ cond: undefined, sigma: 0 });
  });

  it('refuses data that is not 2-D', () => {
    expect(() => prepareDensityEvaluation(createDensityDataset({ kind: 'gaussian', dim: 3, mean: [0, 0, 0], std: 1 }), new Rng(0))).toThrow(/2-D data/);
  });
});
