// Where a bar chart draws a sample metric's floor: a band of what true data samples score, and a
// line at its mean. Every floored metric is >= 0 as a population quantity (MMD², SW distance, TV);
// an unbiased MMD² estimate below 0 only says that no difference was detected, so the band and the
// line are clipped at 0 rather than suggesting that values below 0 mean something.
import type { Floor } from '../src/api-types';

export interface FloorBand {
  /** Lower edge: mean − scatter (or the smallest ref/ value without a scatter), at least 0. */
  lo: number;
  /** Upper edge: values up to it are within the floor's spread (Floor.upper). */
  hi: number;
  /** The dashed line: the floor's mean, at least 0. */
  line: number;
  /** The band or the line reached below 0 and was cut there. */
  clipped: boolean;
}

export function floorBand(floor: Floor): FloorBand | null {
  if (floor.mean === null) return null;
  const rawLo = floor.scatter !== null ? floor.mean - floor.scatter : (floor.min ?? floor.mean);
  return { lo: Math.max(0, rawLo), hi: Math.max(0, floor.upper), line: Math.max(0, floor.mean), clipped: rawLo < 0 || floor.mean < 0 };
}
