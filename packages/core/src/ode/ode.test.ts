import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { Rng } from '../rng';
import type { OdeFunction, OdeOptions } from './ode';
import { solveOde } from './solve-ode';

let At: tf.Tensor2D; // x' = x A^T with A = [[-0.5, 2], [-2, -0.5]]
beforeAll(async () => {
  await selectBackend('wasm');
  At = tf.tensor2d([
    [-0.5, -2],
    [2, -0.5],
  ]);
});

// Test problem with a closed form, a state of two tensors:
//   x: [N, 2], z = x_1 + i x_2 solves z' = (-0.5 - 2i) z        -> z(t) = z(t0) exp((-0.5 - 2i)(t - t0));
//   w: [N],   w' = cos(t) w (time-dependent coefficient)        -> w(t) = w(t0) exp(sin t - sin t0).
let evaluations = 0;
const f: OdeFunction = (t, [x, w]) => {
  evaluations++;
  return [tf.matMul(x as tf.Tensor2D, At), tf.mul(w, Math.cos(t))];
};

const rows = 8;
const x0 = new Rng(1).normalArray(rows * 2);
const w0 = new Rng(2).uniformArray(rows, 0.5, 2);

function exact(t0: number, t1: number): number[] {
  const out: number[] = [];
  const dt = t1 - t0;
  const decay = Math.exp(-0.5 * dt);
  for (let i = 0; i < rows; i++) {
    const [a, b] = [x0[2 * i], x0[2 * i + 1]];
    // z exp(-2 i dt) = (a + i b)(cos 2dt - i sin 2dt)
    out.push(decay * (a * Math.cos(2 * dt) + b * Math.sin(2 * dt)), decay * (b * Math.cos(2 * dt) - a * Math.sin(2 * dt)));
  }
  for (let i = 0; i < rows; i++) out.push(w0[i] * Math.exp(Math.sin(t1) - Math.sin(t0)));
  return out;
}

function solve(t0: number, t1: number, options: OdeOptions) {
  const y0 = [tf.tensor2d(x0, [rows, 2]), tf.tensor1d(w0)];
  evaluations = 0;
  const solution = solveOde(f, t0, t1, y0, options);
  const got = [...solution.y[0].dataSync(), ...solution.y[1].dataSync()];
  tf.dispose([...y0, ...solution.y]);
  const want = exact(t0, t1);
  const error = Math.max(...got.map((g, i) => Math.abs(g - want[i])));
  return { error, solution, want };
}

/** Least-squares slope of log(error) against log(steps). */
function slope(steps: number[], errors: number[]): number {
  const xs = steps.map(Math.log);
  const ys = errors.map(Math.log);
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  return xs.reduce((acc, x, i) => acc + (x - mx) * (ys[i] - my), 0) / xs.reduce((acc, x) => acc + (x - mx) ** 2, 0);
}

describe('ODE solvers on a linear ODE with a closed-form solution', () => {
  it('euler converges with order 1: log-log slope of the error against the step count is -1 +- 0.1', () => {
    const steps = [20, 40, 80, 160];
    const errors = steps.map((n) => solve(0, 2, { method: 'euler', steps: n }).error);
    expect(slope(steps, errors)).toBeGreaterThan(-1.1);
    expect(slope(steps, errors)).toBeLessThan(-0.9);
    expect(evaluations).toBe(160);
  });

  it('rk4 converges with order 4: slope -4 +- 0.3 (step counts keep the error above float32 rounding)', () => {
    const steps = [4, 8, 16, 32];
    const errors = steps.map((n) => solve(0, 2, { method: 'rk4', steps: n }).error);
    expect(slope(steps, errors)).toBeGreaterThan(-4.3);
    expect(slope(steps, errors)).toBeLessThan(-3.7);
    expect(evaluations).toBe(4 * 32);
  });

  it('fixed steps also run backwards in time (t1 < t0) and land exactly on t1', () => {
    const { error, solution } = solve(2, 0.5, { method: 'rk4', steps: 64 });
    expect(solution.t).toBe(0.5);
    expect(solution.steps).toBe(64);
    expect(error).toBeLessThan(1e-5);
  });

  it.each([1e-3, 1e-4, 1e-5])('rk45 with rtol = atol = %s meets its tolerance, forwards and backwards', (tol) => {
    for (const [t0, t1] of [
      [0, 2],
      [2, 0],
    ]) {
      const { error, solution, want } = solve(t0, t1, { method: 'rk45', rtol: tol, atol: tol });
      // The controller bounds the local error per step by tol (atol + rtol |y|); the global error of
      // these contracting/bounded dynamics stays within a few times that.
      const scale = tol * (1 + Math.max(...want.map(Math.abs)));
      expect(error).toBeLessThan(3 * scale);
      expect(solution.t).toBe(t1);
      // FSAL accounting: f(t0, y0) and the initial-step probe, then 6 per attempted step.
      expect(solution.nfe).toBe(2 + 6 * (solution.steps + solution.rejectedSteps));
      expect(evaluations).toBe(solution.nfe);
    }
  });

  it('rk45 takes fewer steps for looser tolerances, and its error shrinks with the tolerance', () => {
    const loose = solve(0, 2, { method: 'rk45', rtol: 1e-3, atol: 1e-3 });
    const tight = solve(0, 2, { method: 'rk45', rtol: 1e-6, atol: 1e-6 });
    expect(loose.solution.steps).toBeLessThan(tight.solution.steps);
    expect(tight.error).toBeLessThan(loose.error / 10);
  });

  it('keeps the tensor count flat and rejects a right-hand side of the wrong shape', () => {
    const y0 = [tf.tensor2d(x0, [rows, 2]), tf.tensor1d(w0)];
    const before = tf.memory().numTensors;
    for (const options of [{ method: 'rk45' } as const, { method: 'euler', steps: 5 } as const]) {
      const { y } = solveOde(f, 0, 1, y0, options);
      tf.dispose(y);
      expect(tf.memory().numTensors).toBe(before);
    }
    const bad: OdeFunction = (_t, [x]) => [x, tf.zeros([3])];
    expect(() => solveOde(bad, 0, 1, y0, { method: 'rk45' })).toThrow(/right-hand side returned shapes/);
    expect(() => solveOde(bad, 0, 1, y0, { method: 'euler', steps: 2 })).toThrow(/right-hand side returned shapes/);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => solveOde(f, 0, 1, y0, { method: 'rk4', steps: 0 })).toThrow(/positive integer/);
    expect(() => solveOde(f, 0, 1, y0, { method: 'rk45', rtol: 0 })).toThrow(/rtol/);
    tf.dispose(y0);
  });
});

describe('rk45 first step', () => {
  it('never evaluates the right-hand side outside [t0, t1] (large |y| / |f| ratio)', () => {
    // y' = -0.001 y from y(0) = 100: scipy's first-step heuristic proposes h0 = 0.01 |y|/|f| = 10,
    // far beyond t1 = 1. The right-hand side is poisoned (NaN) outside the interval.
    const outside: number[] = [];
    const f: OdeFunction = (t, y) => {
      if (t < 0 || t > 1) outside.push(t);
      return y.map((v) => tf.mul(v, t > 1 ? NaN : -0.001));
    };
    const sol = solveOde(f, 0, 1, [tf.tensor1d([100])], { method: 'rk45', rtol: 1e-6, atol: 1e-6 });
    expect(outside).toEqual([]);
    expect(sol.y[0].dataSync()[0]).toBeCloseTo(100 * Math.exp(-0.001), 3);
  });
});
