// Metric writes and series reads in PostgreSQL: one multi-row INSERT per batch from unnest()ed
// arrays, the latest_metrics upsert, and series downsampled in SQL so that a long series is never
// fetched whole.
import { EXACT_SERIES_LIMIT, latestPointPerKey, metricSeriesFromRows, seriesBuckets } from '../summaries';
import type { EpochMs, MetricPoint, MetricSeries } from '../types';
import type { Sql } from './pg-queries';

/** Points per INSERT statement (its arrays are sent as 4 parameters whatever the count). A batch
 * of at most this many is one statement, atomic without BEGIN/COMMIT: one round trip per batch. */
export const METRIC_CHUNK = 20_000;

const INSERT_POINTS = `INSERT INTO metrics (run_id, key, step, value, wall_time)
  SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::bigint[])
  ON CONFLICT (run_id, key, step) DO UPDATE SET value = excluded.value, wall_time = excluded.wall_time`;

// Only a point with a step >= the stored one replaces it; ties go to the later write.
const UPSERT_LATEST = (p: number) => `INSERT INTO latest_metrics (run_id, key, step, value, wall_time)
  SELECT $1, * FROM unnest($${p}::text[], $${p + 1}::bigint[], $${p + 2}::float8[], $${p + 3}::bigint[])
  ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value, wall_time = excluded.wall_time
  WHERE excluded.step >= latest_metrics.step`;

/** The columns of points as the four arrays of INSERT_POINTS / UPSERT_LATEST. */
function columns(points: readonly MetricPoint[], at: EpochMs): unknown[] {
  return [points.map((p) => p.key), points.map((p) => p.step), points.map((p) => p.value), points.map((p) => p.wallTime ?? at)];
}

/**
 * Inserts the points (a (run, key, step) logged again replaces the stored value: last write wins,
 * also within one batch) and moves latest_metrics forward. Up to METRIC_CHUNK points this is one
 * statement (the points and the latest values in one data-modifying WITH); a longer batch takes
 * several, so the caller runs it in a transaction.
 */
export async function insertMetrics(sql: Sql, runId: number, points: readonly MetricPoint[], at: EpochMs): Promise<void> {
  // ON CONFLICT DO UPDATE may not touch a row twice in one statement: keep the last of duplicates.
  const byKeyStep = new Map<string, MetricPoint>();
  for (const p of points) byKeyStep.set(`${p.step}\u0000${p.key}`, p);
  const unique = byKeyStep.size === points.length ? points : [...byKeyStep.values()];
  const latest = columns([...latestPointPerKey(points).values()], at);
  if (unique.length <= METRIC_CHUNK) {
    await sql.query(`WITH points AS (${INSERT_POINTS}) ${UPSERT_LATEST(6)}`, [runId, ...columns(unique, at), ...latest]);
    return;
  }
  for (let lo = 0; lo < unique.length; lo += METRIC_CHUNK) await sql.query(INSERT_POINTS, [runId, ...columns(unique.slice(lo, lo + METRIC_CHUNK), at)]);
  await sql.query(UPSERT_LATEST(2), [runId, ...latest]);
}

type Row = { step: number; value: number; wall_time: number };

/** Rows with their double as it is (NaN and ±Infinity included) -> the shared series shape. */
function toSeries(runId: number, key: string, rows: readonly Row[], maxPoints: number | undefined, total = rows.length): MetricSeries {
  return metricSeriesFromRows(runId, key, rows.map((r) => [r.step, r.value, null, r.wall_time] as const), maxPoints, total);
}

const FINITE = `value NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)`;

/**
 * A series, LTTB-downsampled to maxPoints (summaries.ts, EXACT_SERIES_LIMIT): up to `exactLimit`
 * stored points over all of them, beyond over the candidates of seriesBuckets(maxPoints) step
 * buckets computed in SQL (at most 5 per bucket leave the server). Ties of the smallest (largest)
 * value in a bucket go to its first (last) step.
 */
export async function metricSeries(sql: Sql, runId: number, key: string, maxPoints: number | undefined, exactLimit = EXACT_SERIES_LIMIT): Promise<MetricSeries> {
  const select = `SELECT step, value, wall_time FROM metrics WHERE run_id = $1 AND key = $2`;
  if (maxPoints !== undefined) {
    const { rows: stats } = await sql.query<{ n: number; lo: number | null; hi: number | null }>(
      `SELECT count(*)::bigint AS n, min(step) AS lo, max(step) AS hi FROM metrics WHERE run_id = $1 AND key = $2`,
      [runId, key],
    );
    const { n, lo, hi } = stats[0];
    if (n > exactLimit && lo !== null && hi !== null) {
      // Bucket of a step: floor((step - lo) * buckets / (hi - lo + 1)) in float8 (numeric is ~2x slower here).
      const { rows } = await sql.query<Row>(
        `WITH b AS (
           SELECT min(step) AS first, max(step) AS last,
                  (min(ARRAY[value, step::float8]) FILTER (WHERE ${FINITE}))[2]::bigint AS low,
                  (max(ARRAY[value, step::float8]) FILTER (WHERE ${FINITE}))[2]::bigint AS high,
                  min(step) FILTER (WHERE NOT (${FINITE})) AS odd
           FROM metrics WHERE run_id = $1 AND key = $2
           GROUP BY floor((step - $3::bigint)::float8 * $5 / ($4::bigint - $3::bigint + 1))
         )
         ${select} AND step = ANY ((SELECT array_agg(s) FROM b, unnest(ARRAY[first, last, low, high, odd]) AS s WHERE s IS NOT NULL)::bigint[])
         ORDER BY step`,
        [runId, key, lo, hi, seriesBuckets(maxPoints)],
      );
      return toSeries(runId, key, rows, maxPoints, n);
    }
  }
  const { rows } = await sql.query<Row>(`${select} ORDER BY step`, [runId, key]);
  return toSeries(runId, key, rows, maxPoints);
}
