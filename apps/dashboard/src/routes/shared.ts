// What the route modules share: the store and the series cache (read per request), lookups of the sweep or run a URL
// names (404 when there is none), and the shapes several endpoints answer with (docs/api.md,
// typed in api-types.ts).
import type { Request } from 'express';
import type { ModelRecord, RunStore, RunSummary } from '@scorelab/tracking';
import { compareRuns, sweptParameters, type ComparedRun } from '../analysis';
import type { RunModel, RunRow } from '../api-types';
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

/** Who sampled which model among a sweep's runs: the model records (read once per model) and the
 * runs of each model. */
export interface SweepModels {
  models: Map<number, ModelRecord>;
  runsOf: Map<number, number[]>;
}

export async function sweepModels(store: RunStore, runs: readonly RunSummary[]): Promise<SweepModels> {
  const runsOf = new Map<number, number[]>();
  for (const r of runs) {
    if (r.modelId === null || r.modelId === undefined) continue;
    const list = runsOf.get(r.modelId);
    if (list) list.push(r.id);
    else runsOf.set(r.modelId, [r.id]);
  }
  for (const list of runsOf.values()) list.sort((a, b) => a - b);
  const models = new Map<number, ModelRecord>();
  for (const id of runsOf.keys()) {
    const m = await store.getModel(id);
    if (m) models.set(id, m);
  }
  return { models, runsOf };
}

/** The run's model (null: none recorded yet) and the other runs of the sweep that sampled it. */
export function runModel(r: Pick<RunSummary, 'id' | 'modelId'>, sm: SweepModels): { model: RunModel | null; sharedWith: number[] } {
  const m = r.modelId === null || r.modelId === undefined ? undefined : sm.models.get(r.modelId);
  if (!m) return { model: null, sharedWith: [] };
  return { model: { id: m.id, sourceRunId: m.sourceRunId, step: m.step }, sharedWith: (sm.runsOf.get(m.id) ?? []).filter((id) => id !== r.id) };
}

/** A run as listed in /api/sweeps/:sweep/runs: `error` is the first line of the error text; `model`
 * and `sharedWith` from `sm` (sweepModels of the sweep's runs). */
export function runRow(r: RunSummary, sm: SweepModels): RunRow {
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
    ...runModel(r, sm),
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
