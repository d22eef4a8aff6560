// Types of contour.js, for the tests that import it.
export interface Grid {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
  nx: number;
  ny: number;
}
export function contourSegments(values: number[][], grid: Grid, level: number): [number, number, number, number][];
export function densityLevels(logDensity: number[][]): number[];
