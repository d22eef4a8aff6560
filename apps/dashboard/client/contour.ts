// Marching squares: the line segments where a function sampled on a regular grid crosses a level.
// Pure (no DOM), so it is unit-tested in Node against a closed form (apps/dashboard/test).
//
// values[j][i] is f at x = xmin + i (xmax - xmin) / (nx - 1), y = ymin + j (ymax - ymin) / (ny - 1).
// In each cell the crossing on an edge is found by linear interpolation between its two corners;
// the ambiguous saddle cases are resolved with the cell's centre value (mean of the corners).
import type { Grid } from '@scorelab/config';

/** [x1, y1, x2, y2] in data coordinates. */
export type Segment = [number, number, number, number];

/** A grid of values; null (a non-finite log density in JSON) and non-finite values (log 0 = -Infinity)
 * are treated as below every level. */
export type GridValues = readonly (readonly (number | null)[])[];

export function contourSegments(values: GridValues, grid: Grid, level: number): Segment[] {
  const { xmin, xmax, ymin, ymax, nx, ny } = grid;
  const dx = (xmax - xmin) / (nx - 1);
  const dy = (ymax - ymin) / (ny - 1);
  const val = (j: number, i: number) => {
    const v = values[j][i];
    return v !== null && Number.isFinite(v) ? v : -Number.MAX_VALUE;
  };
  const segments: Segment[] = [];
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      // Corners counter-clockwise from bottom-left: a (i, j), b (i+1, j), c (i+1, j+1), d (i, j+1).
      const a = val(j, i);
      const b = val(j, i + 1);
      const c = val(j + 1, i + 1);
      const d = val(j + 1, i);
      const code = (a > level ? 1 : 0) | (b > level ? 2 : 0) | (c > level ? 4 : 0) | (d > level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      const x0 = xmin + i * dx;
      const y0 = ymin + j * dy;
      const t = (p: number, q: number) => (level - p) / (q - p);
      // Crossing points on the four edges (only those whose corners differ in side are used).
      type P = [number, number];
      const bottom = (): P => [x0 + t(a, b) * dx, y0];
      const right = (): P => [x0 + dx, y0 + t(b, c) * dy];
      const top = (): P => [x0 + t(d, c) * dx, y0 + dy];
      const left = (): P => [x0, y0 + t(a, d) * dy];
      const seg = (p: P, q: P) => segments.push([p[0], p[1], q[0], q[1]]);
      switch (code) {
        case 1: case 14: seg(left(), bottom()); break;
        case 2: case 13: seg(bottom(), right()); break;
        case 3: case 12: seg(left(), right()); break;
        case 4: case 11: seg(right(), top()); break;
        case 6: case 9: seg(bottom(), top()); break;
        case 7: case 8: seg(left(), top()); break;
        case 5: case 10: {
          // Saddle: a and c on one side, b and d on the other. If the centre is on a's side the two
          // a/c corners are joined through the middle, so the lines cut off b and d instead.
          const centerAbove = (a + b + c + d) / 4 > level;
          const aAbove = code === 5;
          if (centerAbove === aAbove) {
            seg(bottom(), right());
            seg(top(), left());
          } else {
            seg(left(), bottom());
            seg(right(), top());
          }
          break;
        }
      }
    }
  }
  return segments;
}

/** Contour levels of a log density: logMax - d^2 / 2 for d = 1..4 "standard deviations" (the
 * levels a unit Gaussian's contours would have at radii 1..4, however many modes there are).
 * The maximum is over the finite values. */
export function densityLevels(logDensity: GridValues): number[] {
  let max = -Infinity;
  for (const row of logDensity) for (const v of row) if (v !== null && Number.isFinite(v) && v > max) max = v;
  return [0.5, 2, 4.5, 8].map((k) => max - k);
}
