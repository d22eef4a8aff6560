import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, type ScoreFn, selectBackend } from '@scorelab/core';
import { type LangevinConvention, langevin, runSampler } from '../index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Score of N(0, 1): s(x) = -x. */
const standardNormalScore: ScoreFn = (x) => tf.neg(x);

/** The step-k chain x' = rho x + c z has stationary variance c^2 / (1 - rho^2). */
function stationaryVariance(a: number, convention: LangevinConvention): number {
  // half: rho = 1 - a/2, c^2 = a    => a / (a - a^2/4) = 1 / (1 - a/4)
  // full: rho = 1 - a,   c^2 = 2a   => 2a / (2a - a^2) = 1 / (1 - a/2)
  return convention === 'half' ? 1 / (1 - a / 4) : 1 / (1 - a / 2);
}

describe('langevin on N(0, 1)', () => {
  // 100k independent chains (50k rows x 2 coordinates). With known mean 0, vhat = mean(x^2) has
  // vhat / v ~ chi^2_n / n, relative sd sqrt(2/n) = 0.45%; we allow 4 sd (1.8%). That separates
  // every case from its neighbour: at a = 0.1 half gives 1.0256, full 1.0526 and the exact law 1.
  const rows = 50_000;
  const n = rows * 2;
  const cases: [LangevinConvention, number][] = [
    ['half', 0.1],
    ['half', 0.5],
    ['half', 1.0],
    ['full', 0.1],
    ['full', 0.5],
    ['full', 1.0],
  ];
  for (const [convention, a] of cases) {
    it(`${convention} convention, a = ${a}: stationary variance ${stationaryVariance(a, convention).toFixed(4)}`, () => {
      const rng = new Rng(11);
      const rho = convention === 'half' ? 1 - a / 2 : 1 - a;
      // Start from N(0, 1): the initial excess decays like rho^(2k); run until it is below 1e-6.
      const steps = Math.max(10, Math.ceil(Math.log(1e-6) / (2 * Math.log(Math.abs(rho) || 1e-3))));
      const x0 = rng.normalTensor([rows, 2]) as tf.Tensor2D;
      const { samples } = runSampler(langevin({ stepSize: a, steps, convention }), standardNormalScore, x0, rng);
      const xs = samples.dataSync();
      let m = 0;
      let m2 = 0;
      for (const v of xs) {
        m += v;
        m2 += v * v;
      }
      m /= n;
      m2 /= n;
      const v = stationaryVariance(a, convention);
      expect(Math.abs(m)).toBeLessThan(4 * Math.sqrt(v / n));
      expect(Math.abs(m2 / v - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
      tf.dispose([x0, samples]);
    });
  }
});

describe('langevin mechanics', () => {
  it('passes sigma to the score for every row when given, and no sigma otherwise', () => {
    const seen: (number[] | undefined)[] = [];
    const recording: ScoreFn = (x, sigma) => {
      seen.push(sigma ? Array.from(sigma.dataSync()) : undefined);
      return tf.zerosLike(x);
    };
    const x0 = tf.zeros([3, 2]) as tf.Tensor2D;
    const withSigma = runSampler(langevin({ stepSize: 0.1, steps: 4, sigma: 0.3 }), recording, x0, new Rng(1));
    expect(seen).toHaveLength(4);
    for (const s of seen) expect(s).toEqual([0.3, 0.3, 0.3].map((v) => Math.fround(v)));
    expect(withSigma.scoreEvaluations).toBe(4);
    seen.length = 0;
    const without = runSampler(langevin({ stepSize: 0.1, steps: 3 }), recording, x0, new Rng(1));
    expect(seen).toEqual([undefined, undefined, undefined]);
    expect(without.scoreEvaluations).toBe(3);
    tf.dispose([x0, withSigma.samples, without.samples]);
  });

  it('takes x += (a/2) s + sqrt(a) z (half) and x += a s + sqrt(2a) z (full) with z from the rng', () => {
    // One step from x0 with s = 1 - x: recompute by hand with the same Rng stream.
    const x0 = tf.tensor2d([
      [0.5, -1],
      [2, 3],
    ]);
    const score: ScoreFn = (x) => tf.sub(1, x);
    const a = 0.3;
    for (const convention of ['half', 'full'] as const) {
      const { samples } = runSampler(langevin({ stepSize: a, steps: 1, convention }), score, x0, new Rng(5));
      const z = new Rng(5).normalArray(4);
      const x = [0.5, -1, 2, 3];
      const expected = x.map((v, i) => (convention === 'half' ? v + (a / 2) * (1 - v) + Math.sqrt(a) * z[i] : v + a * (1 - v) + Math.sqrt(2 * a) * z[i]));
      const got = Array.from(samples.dataSync());
      for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(expected[i], 5);
      samples.dispose();
    }
    x0.dispose();
  });

  it('records the initial samples and 10 evenly spaced snapshots', () => {
    const x0 = tf.zeros([4, 2]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const result = runSampler(langevin({ stepSize: 0.1, steps: 1000 }), standardNormalScore, x0, new Rng(2), { recordTrajectory: true });
    expect(result.snapshots!.map((s) => s.step)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(result.trajectory).toHaveLength(11);
    // The last snapshot is the final state; the first is x0.
    expect(Array.from(result.trajectory![10].dataSync())).toEqual(Array.from(result.samples.dataSync()));
    expect(Array.from(result.trajectory![0].dataSync())).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(tf.memory().numTensors).toBe(before + 12);
    tf.dispose([result.samples, ...result.trajectory!]);
    expect(tf.memory().numTensors).toBe(before);
    const short = runSampler(langevin({ stepSize: 0.1, steps: 4 }), standardNormalScore, x0, new Rng(2), { recordTrajectory: true });
    expect(short.snapshots!.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
    tf.dispose([short.samples, ...short.trajectory!]);
    const plain = runSampler(langevin({ stepSize: 0.1, steps: 5 }), standardNormalScore, x0, new Rng(2));
    expect(plain.trajectory).toBeUndefined();
    expect(plain.snapshots).toBeUndefined();
    plain.samples.dispose();
    x0.dispose();
  });

  it('reports progress every progressEvery steps and after the last one', () => {
    const x0 = tf.zeros([2, 1]) as tf.Tensor2D;
    const steps: number[] = [];
    const r = runSampler(langevin({ stepSize: 0.1, steps: 25, sigma: 0.5 }), standardNormalScore, x0, new Rng(3), {
      progressEvery: 10,
      onProgress: (p) => {
        expect(p.totalSteps).toBe(25);
        expect(p.sigma).toBe(0.5);
        expect(p.level).toBeUndefined();
        expect(p.t).toBeUndefined();
        steps.push(p.step);
      },
    });
    expect(steps).toEqual([10, 20, 25]);
    expect(r.steps).toBe(25);
    tf.dispose([x0, r.samples]);
  });

  it('rejects bad options', () => {
    expect(() => langevin({ stepSize: 0, steps: 10 })).toThrow(/stepSize/);
    expect(() => langevin({ stepSize: 0.1, steps: 1.5 })).toThrow(/steps/);
    expect(() => langevin({ stepSize: 0.1, steps: 0 })).toThrow(/steps must be a positive integer/);
    expect(() => langevin({ stepSize: 0.1, steps: 10, sigma: -1 })).toThrow(/sigma/);
  });
});
