import { describe, expect, it } from 'vitest';
import { forward64, loss64 } from './float64-mlp';
import { type Activation, type FusedBatch, FusedMlp, type FusedObjective } from './fused-mlp';

/** A small deterministic generator (tests only): uniform in [-1, 1). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function randomArray(n: number, rand: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rand());
}

function randomParams(widths: readonly number[], rand: () => number): Float32Array[] {
  return widths.slice(0, -1).flatMap((w, l) => [randomArray(w * widths[l + 1], rand, 1 / Math.sqrt(w)), randomArray(widths[l + 1], rand, 0.3)]);
}

const ACTIVATIONS: Activation[] = ['softplus', 'swish', 'elu', 'relu', 'tanh'];

/**
 * Shapes that exercise every path: a narrow output (dot products, transposed weight gradient), hidden
 * widths that are not multiples of 4 or 8 (scalar edges), a hidden layer narrower than the 8-column
 * tile (narrow products inside the network), extra condition columns, and batches not divisible by 4.
 */
const SHAPES: { widths: number[]; n: number }[] = [
  { widths: [3, 9, 5, 2], n: 7 },
  { widths: [2, 16, 12, 2], n: 9 },
  { widths: [4, 8, 3], n: 5 },
  { widths: [5, 20, 24, 10, 3], n: 6 },
];

function objectives(n: number, d: number, rand: () => number): FusedObjective[] {
  return [
    { kind: 'dsm', target: randomArray(n * d, rand, 2) },
    { kind: 'sm' },
    { kind: 'ssm', projections: randomArray(2 * n * d, rand, 1.5), count: 2 },
    { kind: 'ssm-vr', projections: randomArray(3 * n * d, rand, 1.5), count: 3 },
  ];
}

describe('FusedMlp against a float64 transcription', () => {
  for (const { widths, n } of SHAPES) {
    const d = widths[widths.length - 1];
    it.each(ACTIVATIONS)(`widths [${widths}], N = ${n}: forward, loss and every weight gradient (%s)`, (activation) => {
      const rand = lcg(widths.length * 1000 + n + activation.length);
      const params = randomParams(widths, rand);
      const net = new FusedMlp({ widths, activation });
      net.setParams(params);
      // The weights went in and come out unchanged.
      net.readParams().forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(params[i])));
      const input = randomArray(n * widths[0], rand, 2);
      for (const withScale of [false, true]) {
        const scale = withScale ? Float32Array.from({ length: n }, () => 0.3 + Math.abs(rand())) : null;
        const weight = withScale ? Float32Array.from({ length: n }, () => 0.2 + Math.abs(rand())) : null;
        // Forward: float32 round-off of sums of ~20 terms: 1e-5 relative to the row's magnitude.
        const out = net.forward(input, n, scale);
        const ref = forward64(widths, activation, params, input, n, scale, []).s;
        for (let r = 0; r < n; r++) {
          const mag = Math.max(...ref[r].map(Math.abs), 1e-3);
          for (let j = 0; j < d; j++) expect(Math.abs(out[r * d + j] - ref[r][j])).toBeLessThan(1e-5 * mag);
        }
        for (const objective of objectives(n, d, rand)) {
          const batch: FusedBatch = { n, input, scale, weight, objective };
          const loss = net.lossAndGradients(batch);
          const want = loss64(widths, activation, params, batch);
          expect(Math.abs(loss - want), `${objective.kind} loss`).toBeLessThan(2e-5 * (1 + Math.abs(want)));
          // The gradient against central differences of the float64 objective (h = 1e-6: truncation ~1e-12,
          // cancellation ~1e-10), per weight tensor to 1e-4 of its largest entry: float32 accumulation gives
          // ~1e-6; a wrong term in the backward pass gives an error of the order of the gradient itself.
          const grads = net.readGradients();
          params.forEach((p, t) => {
            const fd = Array.from(p, (_, i) => {
              const plus = params.map((q) => Float64Array.from(q));
              const minus = params.map((q) => Float64Array.from(q));
              plus[t][i] += 1e-6;
              minus[t][i] -= 1e-6;
              return (loss64(widths, activation, plus, batch) - loss64(widths, activation, minus, batch)) / 2e-6;
            });
            const scaleOf = Math.max(...fd.map(Math.abs), 1e-6);
            const worst = Math.max(...fd.map((v, i) => Math.abs(v - grads[t][i])));
            expect(worst, `${objective.kind}, scale ${withScale}, tensor ${t} (max |g| ${scaleOf})`).toBeLessThan(1e-4 * scaleOf);
          });
        }
      }
      net.dispose();
    });
  }

  it('a larger network on the 4 x 8 tiles agrees with float64 too (2-128-128-2 shape at N = 64, sm)', () => {
    const widths = [3, 64, 48, 2];
    const n = 64;
    const rand = lcg(7);
    const params = randomParams(widths, rand);
    const net = new FusedMlp({ widths, activation: 'softplus' });
    net.setParams(params);
    const batch: FusedBatch = { n, input: randomArray(n * 3, rand, 2), scale: null, weight: null, objective: { kind: 'sm' } };
    const loss = net.lossAndGradients(batch);
    expect(Math.abs(loss - loss64(widths, 'softplus', params, batch))).toBeLessThan(1e-5 * (1 + Math.abs(loss)));
    // Check a sample of the middle layer's weights by finite differences.
    const grads = net.readGradients();
    const t = 2;
    for (const i of [0, 17, 500, 1234, 3071]) {
      const plus = params.map((q) => Float64Array.from(q));
      const minus = params.map((q) => Float64Array.from(q));
      plus[t][i] += 1e-6;
      minus[t][i] -= 1e-6;
      const fd = (loss64(widths, 'softplus', plus, batch) - loss64(widths, 'softplus', minus, batch)) / 2e-6;
      expect(Math.abs(fd - grads[t][i])).toBeLessThan(1e-4 * Math.max(...Array.from(grads[t], Math.abs)));
    }
  });
});

describe('FusedMlp activations at extreme arguments', () => {
  it.each(ACTIVATIONS)('%s: act(z) without overflow, NaN or lost precision for |z| up to 1e4', (activation) => {
    // f(x) = act(x) exactly: one unit, W1 = 1, b1 = 0, W2 = 1, b2 = 0.
    const net = new FusedMlp({ widths: [1, 1, 1], activation });
    net.setParams([[1], [0], [1], [0]]);
    const zs = [-1e4, -1000, -100, -50, -39, -30, -5, -0.3, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.3, 5, 30, 39, 50, 100, 1000, 1e4];
    const out = net.forward(Float32Array.from(zs), zs.length, null);
    zs.forEach((z, i) => {
      const want = forward64([1, 1, 1], activation, [[1], [0], [1], [0]], [Math.fround(z)], 1, null, []).s[0][0];
      // Float32 round-off of the value (a few ulps), or 5e-18 absolute (exp is clamped at exp(-40)).
      expect(Math.abs(out[i] - want), `${activation}(${z})`).toBeLessThanOrEqual(4e-7 * Math.abs(want) + 5e-18);
    });
  });
});

describe('FusedMlp optimisers', () => {
  it("Adam gives the same bits as JsAdam's loop (PyTorch's rule, float64 moments)", () => {
    const widths = [2, 8, 2];
    const rand = lcg(3);
    const params = randomParams(widths, rand);
    const net = new FusedMlp({ widths, activation: 'tanh' });
    net.setParams(params);
    // The reference: JsAdam's arithmetic, transcribed.
    const flat = Float32Array.from(params.flatMap((p) => Array.from(p)));
    const m = new Float64Array(flat.length);
    const v = new Float64Array(flat.length);
    const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 1e-2];
    for (let t = 1; t <= 5; t++) {
      const batch: FusedBatch = { n: 4, input: randomArray(8, rand), scale: null, weight: null, objective: { kind: 'sm' } };
      net.lossAndGradients(batch);
      const g = Float32Array.from(net.readGradients().flatMap((x) => Array.from(x)));
      const gradSq = net.update({ kind: 'adam', lr, beta1: b1, beta2: b2, eps });
      const c1 = 1 - Math.pow(b1, t);
      const c2 = 1 - Math.pow(b2, t);
      let sq = 0;
      for (let i = 0; i < g.length; i++) {
        const gi = g[i];
        sq += gi * gi;
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        flat[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
      expect(gradSq).toBe(sq);
      expect(Array.from(net.readParams().flatMap((x) => Array.from(x)))).toEqual(Array.from(flat));
    }
  });

  it('SGD is p - lr g in float32', () => {
    const widths = [2, 4, 2];
    const rand = lcg(4);
    const params = randomParams(widths, rand);
    const net = new FusedMlp({ widths, activation: 'relu' });
    net.setParams(params);
    net.lossAndGradients({ n: 3, input: randomArray(6, rand), scale: null, weight: null, objective: { kind: 'dsm', target: randomArray(6, rand) } });
    const g = net.readGradients();
    net.update({ kind: 'sgd', lr: 0.05 });
    const lr = Math.fround(0.05);
    net.readParams().forEach((p, t) => p.forEach((x, i) => expect(x).toBe(Math.fround(params[t][i] - Math.fround(lr * g[t][i])))));
  });
});

describe('FusedMlp bookkeeping', () => {
  it('is deterministic, and a changed batch size or tangent count re-lays the workspace out without changing results', () => {
    const widths = [3, 16, 2];
    const rand = lcg(5);
    const params = randomParams(widths, rand);
    const net = new FusedMlp({ widths, activation: 'softplus' });
    net.setParams(params);
    const batch: FusedBatch = { n: 6, input: randomArray(18, rand), scale: null, weight: null, objective: { kind: 'ssm', projections: randomArray(12, rand), count: 1 } };
    const first = net.lossAndGradients(batch);
    const g1 = net.readGradients();
    net.forward(randomArray(3 * 50, rand), 50, null);
    net.lossAndGradients({ ...batch, objective: { kind: 'sm' } });
    expect(net.lossAndGradients(batch)).toBe(first);
    net.readGradients().forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(g1[i])));
  });

  it('rejects what it cannot compute', () => {
    const net = new FusedMlp({ widths: [2, 4, 2], activation: 'elu' });
    expect(() => net.forward(new Float32Array(5), 2, null)).toThrow(/input must be/);
    expect(() => net.lossAndGradients({ n: 2, input: new Float32Array(4), scale: null, weight: null, objective: { kind: 'ssm', projections: new Float32Array(3), count: 1 } })).toThrow(/projections/);
    expect(() => net.setParams([new Float32Array(8)])).toThrow(/expected 4 arrays/);
    expect(() => new FusedMlp({ widths: [2], activation: 'elu' })).toThrow(/widths/);
    net.dispose();
    expect(() => net.forward(new Float32Array(4), 2, null)).toThrow(/after dispose/);
  });
});
