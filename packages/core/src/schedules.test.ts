import { describe, expect, it } from 'vitest';
import { geometricSigmas, linearSigmas, scheduleSigmas } from './schedules';

describe('noise schedules', () => {
  it('geometric: endpoints, constant ratio, largest first', () => {
    const s = geometricSigmas(20, 1, 10);
    expect(s).toHaveLength(10);
    expect(s[0]).toBe(20);
    expect(s[9]).toBe(1);
    const r = s[1] / s[0];
    expect(r).toBeCloseTo(Math.pow(1 / 20, 1 / 9), 12);
    for (let i = 1; i < s.length; i++) expect(s[i] / s[i - 1]).toBeCloseTo(r, 12);
  });

  it('linear: constant differences', () => {
    const s = linearSigmas(1, 0.1, 4);
    expect(s).toEqual([1, 0.7, 0.4, 0.1].map((v, i) => (i === 3 ? 0.1 : expect.closeTo(v, 12))));
  });

  it('one level is just sigmaMax; custom lists are checked', () => {
    expect(geometricSigmas(3, 1, 1)).toEqual([3]);
    expect(scheduleSigmas({ schedule: 'custom', sigmas: [5, 2, 0.5] })).toEqual([5, 2, 0.5]);
    expect(() => scheduleSigmas({ schedule: 'custom', sigmas: [1, 2] })).toThrow(/strictly decreasing/);
    expect(() => geometricSigmas(1, 2, 3)).toThrow(/sigmaMin \(2\) must be < sigmaMax \(1\)/);
    expect(() => geometricSigmas(1, 0, 3)).toThrow(/sigmaMin must be > 0/);
    expect(() => linearSigmas(2, 1, 0)).toThrow(/levels/);
  });
});
