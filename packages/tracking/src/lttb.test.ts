import { describe, expect, it } from 'vitest';
import { lttb, lttbIndices, lttbIndicesXY } from './lttb';

const series = (ys: number[]) => ys.map((y, x) => ({ x, y }));

/** Deterministic pseudo-random numbers (LCG) so the property checks are reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('lttbIndices', () => {
  it('matches a hand-computed example', () => {
    // x = 0..5, y = [0, 1, 0, 5, 0, 0], threshold 4 -> 2 buckets: {1, 2} and {3, 4}.
    // Bucket 0: a = (0, 0), c = mean of bucket 1 = (3.5, 2.5);
    //   2*area(1) = |(0-3.5)(1-0) - (0-1)(2.5-0)| = |-3.5 + 2.5| = 1
    //   2*area(2) = |(0-3.5)(0-0) - (0-2)(2.5-0)| = 5          -> keeps 2
    // Bucket 1: a = (2, 0), c = last point (5, 0);
    //   2*area(3) = |(2-5)(5-0) - (2-3)(0-0)| = 15, 2*area(4) = 0 -> keeps 3
    expect(lttbIndices(series([0, 1, 0, 5, 0, 0]), 4)).toEqual([0, 2, 3, 5]);
  });

  it('returns every index when threshold >= n, first and last for threshold 2', () => {
    const pts = series([3, 1, 4, 1, 5]);
    expect(lttbIndices(pts, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(lttbIndices(pts, 50)).toEqual([0, 1, 2, 3, 4]);
    expect(lttbIndices(pts, 2)).toEqual([0, 4]);
    expect(lttbIndices([], 10)).toEqual([]);
  });

  it('keeps an isolated peak and an isolated trough that a stride would drop', () => {
    const ys = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 50) * 0.01);
    ys[377] = 10; // peak
    ys[611] = -10; // trough
    const kept = lttbIndices(series(ys), 20);
    expect(kept).toContain(377);
    expect(kept).toContain(611);
    // A stride of 1000/20 = 50 would miss both.
    expect(377 % 50).not.toBe(0);
    expect(611 % 50).not.toBe(0);
  });

  it('returns exactly threshold strictly increasing indices with first and last, one per bucket', () => {
    const rand = lcg(7);
    const problems: string[] = [];
    for (let trial = 0; trial < 200; trial++) {
      const n = 3 + Math.floor(rand() * 400);
      const threshold = 2 + Math.floor(rand() * (n - 2)); // 2 .. n-1, always < n
      const pts = series(Array.from({ length: n }, () => rand() * 10 - 5));
      const kept = lttbIndices(pts, threshold);
      // Plain checks collected into one assertion: 200 trials x ~200 expect() calls is slow.
      const where = `n=${n} threshold=${threshold}`;
      if (kept.length !== threshold) problems.push(`${where}: ${kept.length} points`);
      if (kept[0] !== 0 || kept[kept.length - 1] !== n - 1) problems.push(`${where}: first/last missing`);
      for (let i = 1; i < kept.length; i++) if (kept[i] <= kept[i - 1]) problems.push(`${where}: not increasing at ${i}`);
      // Bucket b covers interior indices [floor(b(n-2)/B)+1, floor((b+1)(n-2)/B)+1).
      const B = threshold - 2;
      for (let b = 0; b < B; b++) {
        const lo = Math.floor((b * (n - 2)) / B) + 1;
        const hi = Math.floor(((b + 1) * (n - 2)) / B) + 1;
        if (kept[b + 1] < lo || kept[b + 1] >= hi) problems.push(`${where}: bucket ${b} kept ${kept[b + 1]} outside [${lo}, ${hi})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps the x order of the input (steps stay monotonic), duplicates of x allowed', () => {
    const pts = Array.from({ length: 500 }, (_, i) => ({ x: Math.floor(i / 3), y: Math.cos(i) }));
    const kept = lttb(pts, 37);
    expect(kept.length).toBe(37);
    for (let i = 1; i < kept.length; i++) expect(kept[i].x).toBeGreaterThanOrEqual(kept[i - 1].x);
  });

  it('always keeps the first non-finite point of a bucket (a divergence shows)', () => {
    const ys = Array.from({ length: 300 }, (_, i) => 1 / (i + 1));
    ys[150] = NaN;
    ys[151] = Infinity;
    ys[220] = -Infinity;
    const kept = lttbIndices(series(ys), 12);
    expect(kept.length).toBe(12);
    // 10 buckets of 29.8 interior points: 150 and 151 share bucket [150, 179), 220 is in [209, 239).
    expect(kept).toContain(150);
    expect(kept).not.toContain(151);
    expect(kept).toContain(220);
  });

  it('handles an all-NaN tail without producing NaN areas that break the selection', () => {
    const ys = Array.from({ length: 200 }, (_, i) => (i < 100 ? Math.sin(i / 5) : NaN));
    const kept = lttbIndices(series(ys), 20);
    expect(kept.length).toBe(20);
    // The finite half still gets its buckets: at least the 9 buckets that lie fully before 100.
    expect(kept.filter((i) => i < 100).length).toBeGreaterThanOrEqual(9);
  });

  it('rejects thresholds below 2 and non-integers', () => {
    expect(() => lttbIndices(series([1, 2, 3]), 1)).toThrow(RangeError);
    expect(() => lttbIndices(series([1, 2, 3]), 2.5)).toThrow(RangeError);
    expect(() => lttbIndicesXY([0, 1, 2], [0, 1], 2)).toThrow(/3 x values but 2 y values/);
  });
});
