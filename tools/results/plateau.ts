/**
 * Has a training run converged? Two checks over seeds, both of the form "the 95% bound of the
 * change is within a tolerance": |mean change| + 2 se <= tolerance (an equivalence bound, so a
 * noisy change that merely fails to be significant does not pass).
 *
 * - Between budgets: per seed, the metric after b_k steps minus after b_{k-1} steps. The same seed
 *   trains the same network up to b_{k-1} and samples with the same start points and noise, so the
 *   difference is paired and its seed-to-seed scatter is that of the extra training alone.
 * - Along a run: per seed, the least-squares slope of the eval curve over the last part of the
 *   run times that part's length, i.e. the change the trend predicts over it.
 */
import { summarize } from './table';

export interface Change {
  /** Seeds that have both values. */
  n: number;
  /** Mean over seeds of the change. */
  mean: number;
  /** Standard error of that mean, sd / sqrt(n); NaN for n < 2. */
  se: number;
}

/** Mean and standard error over seeds of after[s] - before[s], for the seeds present in both maps. */
export function pairedChange(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): Change {
  const d: number[] = [];
  for (const [seed, b] of before) {
    const a = after.get(seed);
    if (a !== undefined && Number.isFinite(a) && Number.isFinite(b)) d.push(a - b);
  }
  const s = summarize(d);
  return { n: s.n, mean: s.mean, se: s.n < 2 ? NaN : s.sd / Math.sqrt(s.n) };
}

/** |mean| + 2 se: the change is at most this in magnitude with about 95% confidence (n >= 5). */
export function changeBound(c: Change): number {
  return Math.abs(c.mean) + 2 * c.se;
}

/** The plateau test: the 95% bound of the change is at most `tolerance`; false without a standard error. */
export function isPlateau(c: Change, tolerance: number): boolean {
  return Number.isFinite(c.se) && changeBound(c) <= tolerance;
}

export interface CurvePoint {
  step: number;
  value: number;
}

/**
 * The change over the last `fraction` of a run that a straight-line fit predicts: the least-squares
 * slope of value against step over the points with step >= (1 - fraction) * last step, times the
 * span of those steps. NaN with fewer than two such points.
 */
export function trendChange(points: readonly CurvePoint[], fraction: number): number {
  if (points.length === 0) return NaN;
  const last = Math.max(...points.map((p) => p.step));
  const tail = points.filter((p) => p.step >= (1 - fraction) * last - 1e-9);
  if (tail.length < 2) return NaN;
  const mx = tail.reduce((a, p) => a + p.step, 0) / tail.length;
  const my = tail.reduce((a, p) => a + p.value, 0) / tail.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of tail) {
    sxy += (p.step - mx) * (p.value - my);
    sxx += (p.step - mx) ** 2;
  }
  if (sxx === 0) return NaN;
  const span = Math.max(...tail.map((p) => p.step)) - Math.min(...tail.map((p) => p.step));
  return (sxy / sxx) * span;
}

/** Mean and standard error over seeds of per-seed values (e.g. trendChange of each seed's curve). */
export function seedChange(values: readonly number[]): Change {
  const s = summarize(values);
  return { n: s.n, mean: s.mean, se: s.n < 2 ? NaN : s.sd / Math.sqrt(s.n) };
}
