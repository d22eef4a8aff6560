import { describe, expect, it } from 'vitest';
import { fixed, fmt, logLogSlope, markdownTable, meanSd, median, pearson, range, ranks, summarize } from './table';

describe('summary statistics', () => {
  it('summarize: mean, sample sd (n - 1), min, max of the finite values', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32, sd = sqrt(32 / 7).
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9, NaN, Infinity]);
    expect(s.n).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect([s.min, s.max]).toEqual([2, 9]);
    expect(summarize([3]).sd).toBeNaN();
    expect(summarize([]).n).toBe(0);
  });

  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('pearson: +-1 for exact linear relations, a hand-computed value otherwise', () => {
    expect(pearson([1, 2, 3, 4], [3, 5, 7, 9])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 12);
    // x = 1..4, y = 1, 3, 2, 4: sxy = 4, sxx = syy = 5 -> 0.8.
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('ranks give ties their mean rank', () => {
    expect(ranks([10, 30, 20, 30])).toEqual([1, 3.5, 2, 3.5]);
  });

  it('logLogSlope recovers the exponent of a power law', () => {
    const xs = [2, 8, 32, 128];
    expect(logLogSlope(xs, xs.map((x) => 3 * x ** 1.5))).toBeCloseTo(1.5, 12);
    expect(logLogSlope(xs, xs.map(() => 7))).toBeCloseTo(0, 12);
  });
});

describe('formatting', () => {
  it('fmt: significant digits, exponents outside [1e-3, 1e5), non-finite values', () => {
    expect(fmt(0.123456)).toBe('0.123');
    expect(fmt(1234.5, 3)).toBe('1230');
    expect(fmt(0.00012345)).toBe('1.23e-4');
    expect(fmt(123456)).toBe('1.23e5');
    expect(fmt(0)).toBe('0');
    expect([fmt(NaN), fmt(Infinity), fmt(-Infinity)]).toEqual(['NaN', 'inf', '-inf']);
    expect(fixed(0.5, 3)).toBe('0.500');
  });

  it('meanSd and range', () => {
    const s = summarize([0.7, 0.8, 0.9]);
    expect(meanSd(s, (x) => fixed(x, 2))).toBe('0.80 ± 0.10');
    expect(range(s, (x) => fixed(x, 1))).toBe('0.7 – 0.9');
    expect(meanSd(summarize([]))).toBe('—');
  });

  it('markdownTable: header, rule with alignment, padded rows, escaped pipes', () => {
    const t = markdownTable(['loss', 'w'], [['dsm', '0.8'], ['a|b', '0.75']]);
    expect(t.split('\n')).toEqual(['| loss |    w |', '| ---- | ---: |', '| dsm  |  0.8 |', '| a\\|b | 0.75 |']);
    expect(() => markdownTable(['a', 'b'], [['1']])).toThrow(/row 0 has 1 cells/);
  });
});
