import { describe, expect, it } from 'vitest';
import { changeBound, isPlateau, pairedChange, seedChange, trendChange } from './plateau';

describe('paired change between budgets', () => {
  it('pairs by seed: mean and standard error of the differences, seeds missing on one side left out', () => {
    // Differences 1, 2, 3, 6 (seed 9 only before): mean 3, sd sqrt(((-2)^2 + 1 + 0 + 9) / 3) = sqrt(14/3).
    const before = new Map([[0, 10], [1, 20], [2, 30], [3, 40], [9, 5]]);
    const after = new Map([[0, 11], [1, 22], [2, 33], [3, 46]]);
    const c = pairedChange(before, after);
    expect(c.n).toBe(4);
    expect(c.mean).toBe(3);
    expect(c.se).toBeCloseTo(Math.sqrt(14 / 3) / 2, 12);
    expect(changeBound(c)).toBeCloseTo(3 + Math.sqrt(14 / 3), 12);
  });

  it('a shared offset between seeds cancels: a constant change has zero standard error', () => {
    const before = new Map([[0, 0.1], [1, 0.5], [2, 0.9]]);
    const after = new Map([[0, 0.08], [1, 0.48], [2, 0.88]]);
    const c = pairedChange(before, after);
    expect(c.mean).toBeCloseTo(-0.02, 12);
    expect(c.se).toBeCloseTo(0, 12);
    expect(isPlateau(c, 0.021)).toBe(true);
    expect(isPlateau(c, 0.019)).toBe(false);
  });

  it('an insignificant but noisy change is no plateau: the bound, not the significance, decides', () => {
    // Differences 1, -1, 1, -1: mean 0, sd sqrt(4/3), se sqrt(4/3) / 2 = 0.577, bound 1.155.
    const c = pairedChange(new Map([[0, 0], [1, 0], [2, 0], [3, 0]]), new Map([[0, 1], [1, -1], [2, 1], [3, -1]]));
    expect(c.mean).toBe(0);
    expect(c.se).toBeCloseTo(Math.sqrt(4 / 3) / 2, 12);
    expect(isPlateau(c, 0.5)).toBe(false);
    expect(isPlateau(c, 1.2)).toBe(true);
  });

  it('one seed has no standard error and never passes', () => {
    const c = pairedChange(new Map([[0, 1]]), new Map([[0, 1]]));
    expect(c.n).toBe(1);
    expect(c.se).toBeNaN();
    expect(isPlateau(c, 10)).toBe(false);
  });
});

describe('trend over the last part of a run', () => {
  it('a straight line: slope times the span of the tail, points before the tail ignored', () => {
    // value = 5 - 0.001 step on [5000, 10000]; the early points (a different slope) are outside the last half.
    const points = [
      { step: 1000, value: 100 },
      { step: 3000, value: 50 },
      ...[5000, 6000, 7000, 8000, 9000, 10000].map((step) => ({ step, value: 5 - 0.001 * step })),
    ];
    expect(trendChange(points, 0.5)).toBeCloseTo(-0.001 * 5000, 9);
  });

  it('symmetric noise around a flat line gives zero trend; fewer than two tail points give NaN', () => {
    const flat = [0, 1, 2, 3, 4].map((k) => ({ step: 1000 + 100 * k, value: k % 2 === 0 ? 1 : -1 }));
    // Values +1, -1, +1, -1, +1 at equally spaced steps: symmetric about the middle point, slope 0.
    expect(trendChange(flat, 1)).toBeCloseTo(0, 12);
    expect(trendChange([{ step: 10, value: 1 }], 0.5)).toBeNaN();
    expect(trendChange([{ step: 1, value: 1 }, { step: 10, value: 2 }], 0.5)).toBeNaN();
  });

  it('seedChange: mean and standard error of per-seed values', () => {
    const c = seedChange([1, 2, 3]);
    expect(c.mean).toBe(2);
    expect(c.se).toBeCloseTo(1 / Math.sqrt(3), 12);
  });
});
