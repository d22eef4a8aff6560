// Series reads in SQLite for the dashboard: a long series is bucketed in SQL (summaries.ts,
// EXACT_SERIES_LIMIT) so that only each bucket's candidates are read into JavaScript.
import type { Prepare } from './sqlite-queries';
import { seriesRows } from './sqlite-queries';
import { EXACT_SERIES_LIMIT, metricSeriesFromRows, seriesBuckets } from './summaries';
import type { MetricSeries } from './types';

const SERIES = `FROM metrics WHERE run_id = ? AND key = ?`;
const RANGE = `${SERIES} AND step >= ? AND step < ?`;

/**
 * A series, LTTB-downsampled to maxPoints: up to EXACT_SERIES_LIMIT stored points over all of them,
 * beyond over the candidates of seriesBuckets(maxPoints) step buckets. Each bucket is a range of
 * the (run_id, key, step) primary key, read by a few prepared statements in C (no sort, no row
 * object per point): first and last by the index, argmin and argmax by SQLite's bare column of a
 * lone min()/max() aggregate (the row holding the extreme; ties: one of them). Non-finite values
 * are NULL in `value`, so they are never extremes; the first one of a bucket is a candidate itself.
 */
export function sqliteSeries(stmt: Prepare, runId: number, key: string, maxPoints: number | undefined): MetricSeries {
  if (maxPoints !== undefined) {
    const { n, lo, hi } = stmt(`SELECT count(*) AS n, min(step) AS lo, max(step) AS hi ${SERIES}`).get(runId, key) as { n: number; lo: number | null; hi: number | null };
    if (n > EXACT_SERIES_LIMIT && lo !== null && hi !== null) {
      const candidates = [
        stmt(`SELECT min(step) ${RANGE}`),
        stmt(`SELECT max(step) ${RANGE}`),
        stmt(`SELECT step FROM (SELECT step, min(value) ${RANGE} AND value IS NOT NULL)`),
        stmt(`SELECT step FROM (SELECT step, max(value) ${RANGE} AND value IS NOT NULL)`),
        stmt(`SELECT min(step) ${RANGE} AND value IS NULL`),
      ].map((s) => s.pluck());
      const buckets = seriesBuckets(maxPoints);
      const span = hi - lo + 1;
      const steps = new Set<number>();
      // Bucket b holds the steps s with floor((s - lo) * buckets / span) = b.
      for (let b = 0; b < buckets; b++) {
        const from = lo + Math.ceil((b * span) / buckets);
        const to = lo + Math.ceil(((b + 1) * span) / buckets);
        if (to <= from) continue;
        for (const c of candidates) {
          const step = c.get(runId, key, from, to) as number | null | undefined;
          if (step !== null && step !== undefined) steps.add(step);
        }
      }
      const rows = stmt(`SELECT step, value, nonfinite, wall_time ${SERIES} AND step IN (SELECT value FROM json_each(?)) ORDER BY step`)
        .raw(true)
        .all(runId, key, JSON.stringify([...steps])) as [number, number | null, string | null, number][];
      return metricSeriesFromRows(runId, key, rows, maxPoints, n);
    }
  }
  return metricSeriesFromRows(runId, key, seriesRows(stmt, runId, key), maxPoints);
}
