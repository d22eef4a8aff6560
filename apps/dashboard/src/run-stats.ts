// What every comparison of a sweep's runs starts from: which runs are final, the key of a parameter
// value, and summary statistics over finite values.
import { parameterValueLabel } from '@scorelab/config';
import type { RunSummary } from '@scorelab/tracking';
import type { Stats } from './api-types';

/** The runs whose final metrics are final: only finished runs enter best/heatmap/ablation. A failed
 * run's latest values are from before the failure; a running run's are not final yet. */
export function finalRuns(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => r.status === 'finished');
}

/** Parameter values are JSON; equal values have equal keys. */
export function valueKey(v: unknown): string {
  return JSON.stringify(v) ?? 'null';
}

export function valueLabel(v: unknown): string {
  return parameterValueLabel(v);
}

/** Mean, min and max over the finite values; the rest are counted as nonfinite. */
export function stats(values: readonly number[]): Stats {
  let sum = 0;
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonfinite = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      nonfinite++;
      continue;
    }
    sum += v;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return n === 0 ? { mean: null, min: null, max: null, n, nonfinite } : { mean: sum / n, min, max, n, nonfinite };
}
