// Marching squares (client/contour.ts, run by the browser) against closed-form level sets.
import { describe, expect, it } from 'vitest';
import { contourSegments, densityLevels } from '../client/contour';

function sample(f: (x: number, y: number) => number, n: number, lo: number, hi: number) {
  const grid = { xmin: lo, xmax: hi, ymin: lo, ymax: hi, nx: n, ny: n };
  const h = (hi - lo) / (n - 1);
  const values = Array.from({ length: n }, (_, j) => Array.from({ length: n }, (_, i) => f(lo + i * h, lo + j * h)));
  return { grid, values, h };
}

describe('contourSegments', () => {
  it('traces the circle x^2 + y^2 = r^2', () => {
    const r = 1.3;
    const { grid, values, h } = sample((x, y) => x * x + y * y, 41, -2, 2);
    const segs = contourSegments(values, grid, r * r);
    expect(segs.length).toBeGreaterThan(40);
    // Linear interpolation of f = x^2 + y^2 along an edge of length h errs by at most h^2/4 in f
    // (f'' = 2 along the edge), i.e. by about h^2 / (8 r) in radius where |grad f| = 2r; allow 2x.
    const tol = (h * h) / (4 * r);
    let length = 0;
    for (const [x1, y1, x2, y2] of segs) {
      expect(Math.abs(Math.hypot(x1, y1) - r)).toBeLessThan(tol);
      expect(Math.abs(Math.hypot(x2, y2) - r)).toBeLessThan(tol);
      length += Math.hypot(x2 - x1, y2 - y1);
    }
    // The chords of a circle are shorter than its arcs by O(chord^2 / r^2): within 1% here.
    expect(Math.abs(length - 2 * Math.PI * r) / (2 * Math.PI * r)).toBeLessThan(0.01);
  });

  it('orients with y increasing along rows: a level set of f = y is a horizontal line', () => {
    const { grid, values } = sample((_x, y) => y, 11, 0, 1);
    const segs = contourSegments(values, grid, 0.35);
    expect(segs).toHaveLength(10);
    for (const [, y1, , y2] of segs) {
      expect(y1).toBeCloseTo(0.35, 12);
      expect(y2).toBeCloseTo(0.35, 12);
    }
  });

  it('separates the two peaks of a saddle cell consistently with the centre value', () => {
    // Corners a=(0,0)=1, b=(1,0)=0, c=(1,1)=1, d=(0,1)=0; level 0.4: centre 0.5 > level joins a and c.
    const grid = { xmin: 0, xmax: 1, ymin: 0, ymax: 1, nx: 2, ny: 2 };
    const segs = contourSegments([[1, 0], [0, 1]], grid, 0.4);
    expect(segs).toHaveLength(2);
    // Each segment cuts off one of the low corners b = (1, 0) and d = (0, 1).
    const nearB = segs.some(([x1, y1, x2, y2]) => x1 > 0.5 && y1 === 0 && x2 === 1 && y2 < 0.5);
    const nearD = segs.some(([x1, y1, x2, y2]) => x1 < 0.5 && y1 === 1 && x2 === 0 && y2 > 0.5);
    expect(nearB && nearD).toBe(true);
  });

  it('treats -Infinity (log 0) as below every level', () => {
    const grid = { xmin: 0, xmax: 1, ymin: 0, ymax: 1, nx: 2, ny: 2 };
    expect(contourSegments([[-Infinity, -Infinity], [-Infinity, -Infinity]], grid, -1e300)).toEqual([]);
  });
});

describe('densityLevels', () => {
  it('puts levels at max - d^2/2', () => {
    expect(densityLevels([[-3, -1], [-2, -10]])).toEqual([-1.5, -3, -5.5, -9]);
  });
});
