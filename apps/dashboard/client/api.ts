// The pages' client of the JSON API (docs/api.md): one function per endpoint, typed by src/api-types.ts.
import type {
  AblationResponse,
  ConfigDiff,
  DrawnArtifactName,
  DrawnArtifacts,
  FloatArtifact,
  GalleryResponse,
  GroupedCurves,
  HeatmapResponse,
  NegativesArtifactName,
  RunCurves,
  RunPage,
  RunSeries,
  SweepList,
  SweepRuns,
  SweepSummary,
} from '../src/api-types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET path as JSON; a non-2xx answer throws its `{ error }` message. */
async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(res.status, `${path}: the server answered ${res.status} without JSON`);
  }
  if (!res.ok) {
    const error = body !== null && typeof body === 'object' && 'error' in body && typeof body.error === 'string' ? body.error : null;
    throw new ApiError(res.status, error ?? `${path}: HTTP ${res.status}`);
  }
  // The server's shapes are those of docs/api.md (src/api-types.ts); they are not re-validated here.
  return body as T;
}

const q = encodeURIComponent;
const metricQuery = (metric: string) => (metric ? `?metric=${q(metric)}` : '');

export const fetchSweeps = (metric: string) => getJson<SweepList>(`/api/sweeps${metricQuery(metric)}`);

export const fetchSweep = (ref: string, metric: string) => getJson<SweepSummary>(`/api/sweeps/${q(ref)}${metricQuery(metric)}`);

export const fetchSweepRuns = (ref: string) => getJson<SweepRuns>(`/api/sweeps/${q(ref)}/runs`);

export const fetchHeatmap = (sweepId: number, params: URLSearchParams) => getJson<HeatmapResponse>(`/api/sweeps/${sweepId}/heatmap?${params}`);

export const fetchAblation = (sweepId: number, param: string) => getJson<AblationResponse>(`/api/sweeps/${sweepId}/ablation?param=${q(param)}`);

const curvesPath = (sweepId: number, key: string, maxPoints: number) => `/api/sweeps/${sweepId}/curves?key=${q(key)}&maxPoints=${maxPoints}`;

/** One series per run of `runIds`. */
export const fetchRunCurves = (sweepId: number, key: string, maxPoints: number, runIds: readonly number[]) =>
  getJson<RunCurves>(`${curvesPath(sweepId, key, maxPoints)}&runs=${runIds.join(',')}`);

/** Mean and min–max band per group of runs: groupBy a swept parameter, or '@config'. */
export const fetchGroupedCurves = (sweepId: number, key: string, maxPoints: number, groupBy: string) =>
  getJson<GroupedCurves>(`${curvesPath(sweepId, key, maxPoints)}&groupBy=${q(groupBy)}`);

/** The CSV of a sweep's runs (all, or those of `ids`). */
export const runsCsvUrl = (sweepId: number, ids: readonly number[] | null) => `/api/sweeps/${sweepId}/runs.csv${ids ? `?ids=${ids.join(',')}` : ''}`;

export const fetchRun = (runId: string) => getJson<RunPage>(`/api/runs/${q(runId)}`);

export const fetchRunSeries = (runId: string, key: string, maxPoints: number) => getJson<RunSeries>(`/api/runs/${runId}/series?key=${q(key)}&maxPoints=${maxPoints}`);

export const fetchArtifact = <N extends DrawnArtifactName>(runId: string, name: N) => getJson<DrawnArtifacts[N]>(`/api/runs/${runId}/artifacts/${q(name)}`);

/** A snapshot of ml training's negatives (`negatives/<step>`, float32 [N, 2]). */
export const fetchNegatives = (runId: string, name: NegativesArtifactName) => getJson<FloatArtifact>(`/api/runs/${runId}/artifacts/${q(name)}`);

export const fetchGallery = (sweepId: number) => getJson<GalleryResponse>(`/api/sweeps/${sweepId}/gallery`);

export const fetchDiff = (runId: string, other: string) => getJson<ConfigDiff>(`/api/runs/${runId}/diff?other=${q(other)}`);
