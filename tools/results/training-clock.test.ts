import { describe, expect, it } from 'vitest';
import { trainingClock } from './training-clock';

describe('trainingClock', () => {
  it('sums steps / rate over the logged intervals and interpolates between them', () => {
    // 100 steps at 50 /s (2 s), then 100 at 20 /s (5 s), then 200 at 100 /s (2 s).
    const t = trainingClock([
      { step: 100, value: 50 },
      { step: 200, value: 20 },
      { step: 400, value: 100 },
    ]);
    expect(t(0)).toBe(0);
    expect(t(50)).toBeCloseTo(1, 12);
    expect(t(100)).toBeCloseTo(2, 12);
    expect(t(200)).toBeCloseTo(7, 12);
    expect(t(300)).toBeCloseTo(8, 12);
    expect(t(400)).toBeCloseTo(9, 12);
    expect(t(1000)).toBeCloseTo(9, 12);
  });

  it('skips non-positive rates and repeated steps', () => {
    const t = trainingClock([
      { step: 100, value: 0 },
      { step: 100, value: 10 },
      { step: 100, value: 1 },
      { step: 200, value: 10 },
    ]);
    expect(t(100)).toBeCloseTo(10, 12);
    expect(t(200)).toBeCloseTo(20, 12);
  });
});
