// Where the ablation bars draw a floor (client/floor-band.ts): never below 0, said so when cut.
import { describe, expect, it } from 'vitest';
import type { Floor } from '../src/api-types';
import { floorBand } from '../client/floor-band';

const floor = (f: Partial<Floor>): Floor => ({ key: 'ref/mmd', mean: 0, min: 0, max: 0, n: 2, nonfinite: 0, draws: 2, scatter: null, upper: 0, ...f });

describe('floorBand', () => {
  it('draws the MMD² floor from 0 when mean - scatter < 0 (unbiased estimates of true samples go negative)', () => {
    // ref/mmd of two draws, -0.0036 and 0.0011: mean -0.00125, scatter 0.0036.
    const b = floorBand(floor({ mean: -0.00125, min: -0.0036, max: 0.0011, scatter: 0.0036, upper: 0.0036 }))!;
    expect(b).toEqual({ lo: 0, hi: 0.0036, line: 0, clipped: true });
  });
  it('leaves a floor that stays above 0 as it is (ref/swd)', () => {
    const b = floorBand(floor({ key: 'ref/swd', mean: 0.8, min: 0.6, max: 1.0, scatter: 0.2, upper: 1.0 }))!;
    expect(b.lo).toBeCloseTo(0.6, 12);
    expect(b).toMatchObject({ hi: 1.0, line: 0.8, clipped: false });
  });
  it('spans min..upper without a scatter (one draw) and clips a negative one', () => {
    expect(floorBand(floor({ mean: -4.32e-4, min: -4.32e-4, max: -4.32e-4, draws: 1, upper: 4.32e-4 }))).toEqual({ lo: 0, hi: 4.32e-4, line: 0, clipped: true });
    expect(floorBand(floor({ mean: null }))).toBeNull();
  });
});
