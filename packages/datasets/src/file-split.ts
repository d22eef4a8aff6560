import { Rng } from '@scorelab/core';
import { type DataPoints, selectRows } from './data-points';

/** The held-out split of a file's N rows: round(test * N) rows (at least 1, at most N - 1). */
export function heldOutCount(rows: number, test: number): number {
  if (rows < 2) throw new Error(`a train/test split needs at least 2 rows, the file has ${rows}`);
  if (!(test > 0 && test < 1)) throw new Error(`split.test must be in (0, 1), got ${test}`);
  return Math.min(rows - 1, Math.max(1, Math.round(test * rows)));
}

/**
 * Split rows 0..N-1: a Fisher-Yates permutation drawn from new Rng(seed) (for i = N-1 down to 1 swap i
 * with rng.int(i + 1)); its first round(test * N) entries are the test rows. Both parts keep the file's order.
 */
export function splitIndices(rows: number, test: number, seed: number): { train: number[]; test: number[] } {
  const nTest = heldOutCount(rows, test);
  const order = Array.from({ length: rows }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = rows - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const isTest = new Uint8Array(rows);
  for (let k = 0; k < nTest; k++) isTest[order[k]] = 1;
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let i = 0; i < rows; i++) (isTest[i] ? testRows : trainRows).push(i);
  return { train: trainRows, test: testRows };
}

export function splitPoints(points: DataPoints, test: number, seed: number): { train: DataPoints; test: DataPoints } {
  const idx = splitIndices(points.rows, test, seed);
  return { train: selectRows(points, idx.train), test: selectRows(points, idx.test) };
}
