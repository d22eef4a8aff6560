// Backend-neutral parts of the run queries: status counts, latest metric values, run summaries
// and metric series (decoding and downsampling). A backend supplies the rows; these shape them.
import { decodeValue } from './codec';
import { lttbIndicesXY } from './lttb';
import type { EpochMs, MetricPoint, MetricSeries, Run, RunStatus, RunSummary, SeriesPoint, StatusCounts } from './types';

export function emptyCounts(): StatusCounts {
  return { queued: 0, running: 0, finished: 0, failed: 0, killed: 0, total: 0 };
}

/** `GROUP BY sweep, status` counts -> the StatusCounts of each sweep. */
export function countsBySweep(rows: readonly { sweepId: number; status: RunStatus; n: number }[]): Map<number, StatusCounts> {
  const out = new Map<number, StatusCounts>();
  for (const r of rows) {
    let c = out.get(r.sweepId);
    if (!c) out.set(r.sweepId, (c = emptyCounts()));
    c[r.status] += r.n;
    c.total += r.n;
  }
  return out;
}

/** latest_metrics rows -> run id -> { key: value } (non-finite values decoded). */
export function latestByRun(rows: readonly { runId: number; key: string; value: number | null; nonfinite: string | null }[]): Map<number, Record<string, number>> {
  const out = new Map<number, Record<string, number>>();
  for (const r of rows) {
    let m = out.get(r.runId);
    if (!m) out.set(r.runId, (m = {}));
    m[r.key] = decodeValue(r.value, r.nonfinite);
  }
  return out;
}

/** The point of each key that a batch leaves in latest_metrics: the largest step, ties to the later point. */
export function latestPointPerKey(points: readonly MetricPoint[]): Map<string, MetricPoint> {
  const latest = new Map<string, MetricPoint>();
  for (const p of points) {
    const prev = latest.get(p.key);
    if (prev === undefined || p.step >= prev.step) latest.set(p.key, p);
  }
  return latest;
}

/** A run with its sweep's name, latest metrics and duration (a running run's so far, at `now`). */
export function summariseRun(run: Run, sweepName: string, latest: Record<string, number>, now: EpochMs): RunSummary {
  let durationMs: number | null = null;
  if (run.startedAt !== null) {
    if (run.endedAt !== null) durationMs = run.endedAt - run.startedAt;
    else if (run.status === 'running') durationMs = now - run.startedAt;
  }
  return { ...run, sweepName, latest, durationMs };
}

/**
 * Series up to this many stored points are LTTB-downsampled over every point. Longer ones are cut
 * into seriesBuckets(maxPoints) equal step ranges in SQL, and only each bucket's candidates leave
 * the database (its first and last point, its smallest and largest finite value, its first
 * non-finite one); LTTB then picks maxPoints among those (docs/store.md, Downsampling).
 */
export const EXACT_SERIES_LIMIT = 50_000;

/** How many step buckets a long series is cut into for maxPoints returned points. */
export function seriesBuckets(maxPoints: number): number {
  return 2 * maxPoints;
}

/** A stored series, rows [step, value, nonfinite, wallTime] in step order (every point, or the
 * candidates of a bucketed series of `total` points), LTTB-downsampled to `maxPoints` when it has
 * more (checkSeriesOptions has vetted maxPoints). */
export function metricSeriesFromRows(
  runId: number,
  key: string,
  rows: readonly [step: number, value: number | null, nonfinite: string | null, wallTime: EpochMs][],
  maxPoints: number | undefined,
  total = rows.length,
): MetricSeries {
  const n = rows.length;
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = rows[i][0];
    values[i] = decodeValue(rows[i][1], rows[i][2]);
  }
  const kept = maxPoints !== undefined && maxPoints < n ? lttbIndicesXY(steps, values, maxPoints) : Array.from({ length: n }, (_, i) => i);
  return {
    runId,
    key,
    points: kept.map((i): SeriesPoint => ({ step: rows[i][0], value: values[i], wallTime: rows[i][3] })),
    total,
    downsampled: maxPoints !== undefined && maxPoints < total,
  };
}
