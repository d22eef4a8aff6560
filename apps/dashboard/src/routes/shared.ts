// What the route modules share: the store and the series cache (read per request), lookups of the sweep or run a URL
// names (404 when there is none), and the shapes several endpoints answer with (docs/api.md,
// typed in api-types.ts).
import type { Request } from 'express';
import type { RunStore, RunSummary } from '@scorelab/tracking';
import { compareRuns, sweptParameters, type ComparedRun } from '../analysis';
import type { RunRow } from '../api-types';
import { badRequest, notFound, parseId, parseName, queryParam, quote } from '../http-input';
import { compareMetricKeys, defaultMetric } from '../metric-names';
import type { SeriesCache } from '../series-cache';

/** Read `store` and `seriesCache` once per request (getters: the served store may be replaced, or
 * gone, when they throw HttpError 503). */
export interface RouteContext {
  readonly store: RunStore;
  readonly seriesCache: SeriesCache;
  /** False while the store file is missing or unreadable. */
  available(): boolean;
}

/** A live sweep is one the pages should poll: a run is running or the runner marked it running. */
export function isLive(status: string, counts: { running: number }): boolean {
  return counts.running > 0 || status === 'running';
}

/** A run as listed in /api/sweeps/:sweep/runs: `error` is the first line of the error text. */
export function runRow(r: RunSummary): RunRow {
  return {
    id: r.id,
    idx: r.idx,
    status: r.status,
    params: r.params,
    seed: r.seed,
    latest: r.latest,
    durationMs: r.durationMs,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    currentStep: r.currentStep,
    totalSteps: r.totalSteps,
    attempt: r.attempt,
    error: r.error === null ? null : r.error.split('\n')[0],
  };
}

/** Every key the runs logged, in table order (metric-names.ts). */
export function metricKeysOf(runs: readonly RunSummary[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.latest)) keys.add(k);
  return [...keys].sort(compareMetricKeys);
}

/** A sweep's runs as every view compares them (analysis.ts compareRuns: params extended by the
 * unswept config paths where the runs differ). */
export async function sweepRuns(store: RunStore, sweepId: number): Promise<ComparedRun[]> {
  return compareRuns(await store.listRuns({ sweepId }));
}

/** The sweep named by its id or name; 404 if there is none. */
export async function sweepOf(store: RunStore, ref: string) {
  const name = parseName(ref, 'sweep');
  const sweep = await store.getSweep(name);
  if (!sweep) throw notFound(`no sweep ${quote(name)}`);
  return sweep;
}

/** The run of an id; 400 for a malformed id, 404 if there is none. */
export async function runOf(store: RunStore, ref: string) {
  const id = parseId(ref, 'run id');
  const run = await store.getRun(id);
  if (!run) throw notFound(`no run ${id}`);
  return run;
}

/** ?metric= (a key logged in `keys`, else 400), or the default metric of those keys. */
export function chosenMetric(req: Request, keys: readonly string[]): string | null {
  const m = queryParam(req, 'metric');
  if (m === undefined) return defaultMetric(keys);
  const name = parseName(m, 'metric');
  if (!keys.includes(name)) throw badRequest(`metric ${quote(name)} was not logged here; logged: ${keys.join(', ') || 'none yet'}`);
  return name;
}

/** The query parameter `name` as a swept parameter of `runs` (else 400), or `fallback` when absent. */
export function sweptPath(req: Request, name: string, runs: readonly RunSummary[], fallback: string | null): string | null {
  const v = queryParam(req, name);
  const paths = sweptParameters(runs).map((p) => p.path);
  if (v === undefined) return fallback;
  const path = parseName(v, name);
  if (!paths.includes(path)) throw badRequest(`${name}: ${quote(path)} is not a swept parameter; swept: ${paths.join(', ') || 'none'}`);
  return path;
}
