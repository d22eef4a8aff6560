// The dashboard's questions answered from run summaries: which parameters were swept, which run and
// which configuration did best, a final metric over two parameters (heatmap), the objectives side by
// side (ablation), and curves averaged over seeds. Pure functions over RunSummary records, so they
// are tested without a server. Their results are the JSON answers' parts (api-types.ts).
import { METRIC } from '@scorelab/config';
import { lttbIndices } from '@scorelab/tracking';
import type { JsonObject, RunSummary, SeriesPoint } from '@scorelab/tracking';
import type {
  Ablation,
  AblationGroup,
  BandPoint,
  BestRun,
  ConfigDifference,
  ConfigurationResult,
  Downsampled,
  Floor,
  GroupPoint,
  GroupStats,
  Heatmap,
  HeatmapCell,
  Marginal,
  MarginalValue,
  MetricDirection,
  NotFinished,
  ParamValue,
  SweptParameter,
  Verdict,
} from './api-types';
import { floorOf, groupFromData, runVerdict, verdict, type Candidate } from './distinguishability';
import { isBetter, metricDirection } from './metric-names';
import { finalRuns, stats, valueKey, valueLabel } from './run-stats';

export { finalRuns, stats, valueKey, valueLabel } from './run-stats';
export { MMD_P_ALPHA, floorOf, runFromData, groupFromData, verdict, configurationVerdict, runVerdict, type Candidate } from './distinguishability';


/**
 * A run as the dashboard compares it (compareRuns): `params` are its swept values plus the unswept
 * dotted paths where its sweep's resolved configs differ; `sweptParams` are the swept values as stored.
 */
export type ComparedRun = RunSummary & { sweptParams?: JsonObject };

/** Swept parameters in the order they appear, values numerically sorted when all are numbers,
 * else in expansion order (e.g. loss.kind as written: sm, ssm-vr, dsm). The unswept config paths
 * of compareRuns come after them, with `swept: false`. */
export function sweptParameters(runs: readonly ComparedRun[]): SweptParameter[] {
  const ordered = [...runs].sort((a, b) => a.idx - b.idx);
  const byPath = new Map<string, Map<string, ParamValue>>();
  const swept = new Set<string>();
  for (const r of ordered) {
    for (const path of Object.keys(r.sweptParams ?? r.params)) swept.add(path);
    for (const [path, value] of Object.entries(r.params)) {
      let values = byPath.get(path);
      if (!values) byPath.set(path, (values = new Map()));
      const key = valueKey(value);
      if (!values.has(key)) values.set(key, { key, label: valueLabel(value), value });
    }
  }
  return [...byPath].map(([path, values]) => {
    const list = [...values.values()];
    if (list.every((v) => typeof v.value === 'number')) list.sort((a, b) => (a.value as number) - (b.value as number));
    return { path, values: list, swept: swept.has(path) };
  });
}

/** A leaf named `seed` tells seeds apart, not configurations. */
const isSeedPath = (path: string) => path === 'seed' || path.endsWith('.seed');

/** Whether `path` is a swept path or lies inside one (a swept section `sampler` covers `sampler.kind`). */
function insideSwept(path: string, swept: ReadonlySet<string>): boolean {
  for (let i = path.indexOf('.'); i !== -1; i = path.indexOf('.', i + 1)) if (swept.has(path.slice(0, i))) return true;
  return swept.has(path);
}

/**
 * The dotted paths of the resolved configs where runs with the same swept values differ (seeds
 * aside), sorted: e.g. `train.lr` after the experiment file was edited and the sweep resumed (the
 * new runs have the old runs' params). A leaf one run lacks differs from any value. Paths that only
 * follow the swept values (a swept sampler.kind changes the sampler's defaults) are not listed.
 */
export function unsweptDifferences(runs: readonly RunSummary[]): string[] {
  const groups = new Map<string, RunSummary[]>();
  for (const r of runs) {
    const k = valueKey(Object.entries(r.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const differing = new Set<string>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    // The usual case, cheaply: the group's configs are equal as JSON text (1000 runs: a few ms).
    const first = JSON.stringify(group[0].config);
    if (group.every((r, i) => i === 0 || JSON.stringify(r.config) === first)) continue;
    const swept = new Set(Object.keys(group[0].params));
    // path -> the first value's key and how many runs have the path
    const seen = new Map<string, { key: string; count: number }>();
    for (const r of group) {
      for (const [path, value] of flattenConfig(r.config)) {
        if (differing.has(path) || isSeedPath(path) || insideSwept(path, swept)) continue;
        const key = valueKey(value);
        const s = seen.get(path);
        if (!s) seen.set(path, { key, count: 1 });
        else if (s.key !== key) differing.add(path);
        else s.count++;
      }
    }
    for (const [path, s] of seen) if (s.count < group.length) differing.add(path);
  }
  return [...differing].sort();
}

/**
 * The runs of one sweep as the dashboard compares them: each run's params extended by the paths of
 * unsweptDifferences (a run without the leaf has null there), so runs whose resolved configs differ
 * never pool as one configuration, and the difference is a parameter like a swept one. Runs are
 * returned as they are when the configs differ in swept values only (the usual case).
 */
export function compareRuns(runs: readonly RunSummary[]): ComparedRun[] {
  const paths = unsweptDifferences(runs);
  if (paths.length === 0) return [...runs];
  return runs.map((r) => {
    const leaves = flattenConfig(r.config);
    const extra = Object.fromEntries(paths.map((p) => [p, leaves.has(p) ? leaves.get(p) : null]));
    return { ...r, sweptParams: r.params, params: { ...r.params, ...extra } };
  });
}

/** The finished run with the best finite final value of `metric` (ties: smallest idx), and whether it
 * is distinguishable from the other runs and the floor (runVerdict). */
export function bestRun(runs: readonly RunSummary[], metric: string, floor: Floor | null = floorOf(runs, metric)): BestRun | null {
  const direction = metricDirection(metric);
  if (direction === 'none') return null;
  let best: RunSummary | undefined;
  for (const r of finalRuns(runs).sort((a, b) => a.idx - b.idx)) {
    const v = r.latest[metric];
    if (v === undefined || !Number.isFinite(v)) continue;
    if (!best || isBetter(v, best.latest[metric], direction)) best = r;
  }
  if (!best) return null;
  return { metric, direction, runId: best.id, idx: best.idx, seed: best.seed, params: best.params, value: best.latest[metric], verdict: runVerdict(runs, metric, floor) };
}

/** Finished runs grouped by all swept parameters (seeds pooled); the group with the best mean.
 * A group with a non-finite (diverged) run is not eligible: its mean would hide the divergence. */
export function bestConfiguration(runs: readonly RunSummary[], metric: string): ConfigurationResult | null {
  const direction = metricDirection(metric);
  if (direction === 'none') return null;
  const groups = new Map<string, RunSummary[]>();
  for (const r of finalRuns(runs)) {
    if (r.latest[metric] === undefined) continue;
    const key = valueKey(Object.entries(r.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  let best: ConfigurationResult | null = null;
  for (const g of groups.values()) {
    const s = stats(g.map((r) => r.latest[metric]));
    if (s.mean === null || s.nonfinite > 0) continue;
    if (!best || isBetter(s.mean, best.mean!, direction)) {
      best = { ...s, metric, direction, params: g[0].params, runIds: g.map((r) => r.id), seeds: g.map((r) => r.seed) };
    }
  }
  return best;
}

/** For each swept parameter, the final metric averaged over every finished run with each value
 * (the other parameters and the seeds pooled): "which objective did best, which step size did best". */
export function marginals(runs: readonly RunSummary[], metric: string): Marginal[] {
  const direction = metricDirection(metric);
  const done = finalRuns(runs).filter((r) => r.latest[metric] !== undefined);
  return sweptParameters(runs).map((p) => {
    const values = p.values.map((v): MarginalValue => ({
      key: v.key,
      label: v.label,
      ...stats(done.filter((r) => valueKey(r.params[p.path]) === v.key).map((r) => r.latest[metric])),
    }));
    let best: MarginalValue | null = null;
    for (const v of values) {
      if (v.mean === null || v.nonfinite > 0 || direction === 'none') continue;
      if (!best || isBetter(v.mean, best.mean!, direction)) best = v;
    }
    const floor = floorOf(runs, metric);
    const candidates = p.values.map((v): Candidate => {
      const members = done.filter((r) => valueKey(r.params[p.path]) === v.key);
      const paired = new Map(members.map((r) => [valueKey([Object.entries(r.params).filter(([k]) => k !== p.path).sort(([x], [y]) => (x < y ? -1 : 1)), r.seed]), r.latest[metric]]));
      return { key: v.key, label: v.label, values: members.map((r) => r.latest[metric]), fromData: groupFromData(members, metric, floor), paired };
    });
    return { path: p.path, values, best: best?.key ?? null, verdict: best ? verdict(candidates, direction, floor, metric) : null };
  });
}

function countNotFinished(runs: readonly RunSummary[]): NotFinished {
  const out: NotFinished = {};
  for (const r of runs) if (r.status !== 'finished') out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

export function heatmap(runs: readonly RunSummary[], metric: string, xPath: string, yPath: string | null): Heatmap {
  const params = sweptParameters(runs);
  const x = params.find((p) => p.path === xPath);
  const y = yPath === null ? null : params.find((p) => p.path === yPath);
  if (!x || y === undefined) throw new RangeError(`not a swept parameter: ${!x ? xPath : yPath}`);
  const rows = y ? y.values : [{ key: 'null', label: '', value: null }];
  const members: RunSummary[][][] = rows.map(() => x.values.map(() => []));
  for (const r of runs) {
    const col = x.values.findIndex((v) => v.key === valueKey(r.params[x.path]));
    const row = y ? y.values.findIndex((v) => v.key === valueKey(r.params[y.path])) : 0;
    if (col >= 0 && row >= 0) members[row][col].push(r);
  }
  const direction = metricDirection(metric);
  const cells = members.map((cols) =>
    cols.map((list): HeatmapCell => {
      const done = finalRuns(list).filter((r) => r.latest[metric] !== undefined);
      return { ...stats(done.map((r) => r.latest[metric])), runIds: list.map((r) => r.id), notFinished: countNotFinished(list) };
    }),
  );
  let best: { row: number; col: number } | null = null;
  cells.forEach((cols, row) =>
    cols.forEach((cell, col) => {
      if (cell.mean === null || cell.nonfinite > 0 || direction === 'none') return;
      if (!best || isBetter(cell.mean, cells[best.row][best.col].mean!, direction)) best = { row, col };
    }),
  );
  const floor = floorOf(runs, metric);
  const candidates: Candidate[] = [];
  members.forEach((cols, row) =>
    cols.forEach((list, col) => {
      const done = finalRuns(list).filter((r) => r.latest[metric] !== undefined);
      const fromData = groupFromData(list, metric, floor);
      cells[row][col].fromData = fromData;
      candidates.push({ key: `${row},${col}`, label: `${y ? `${y.values[row].label}, ` : ''}${x.values[col].label}`, values: done.map((r) => r.latest[metric]), fromData });
    }),
  );
  const v = best === null ? null : verdict(candidates, direction, floor, metric);
  for (const c of v?.ranking ?? []) {
    const [row, col] = c.key.split(',').map(Number);
    cells[row][col].tied = c.tied;
  }
  return {
    metric,
    direction,
    x,
    y: y ?? null,
    pooled: params.map((p) => p.path).filter((p) => p !== xPath && p !== yPath),
    cells,
    best,
    floor,
    verdict: v,
  };
}

export function ablation(runs: readonly RunSummary[], param: string, metrics: readonly string[]): Ablation {
  const params = sweptParameters(runs);
  const p = params.find((q) => q.path === param);
  if (!p) throw new RangeError(`not a swept parameter: ${param}`);
  const groups = p.values.map((v): AblationGroup => {
    const members = runs.filter((r) => valueKey(r.params[param]) === v.key);
    const done = finalRuns(members);
    const collect = (f: (r: RunSummary) => number | undefined): GroupStats => {
      const points: GroupPoint[] = [];
      const values: number[] = [];
      for (const r of done) {
        const value = f(r);
        if (value === undefined) continue;
        points.push({ runId: r.id, seed: r.seed, value });
        values.push(value);
      }
      return { ...stats(values), points };
    };
    return {
      key: v.key,
      label: v.label,
      value: v.value,
      runIds: members.map((r) => r.id),
      notFinished: countNotFinished(members),
      metrics: Object.fromEntries(metrics.map((m) => [m, collect((r) => r.latest[m])])),
      msPerStep: collect((r) => {
        const sps = r.latest[METRIC.stepsPerSec];
        return sps === undefined ? undefined : 1000 / sps;
      }),
    };
  });
  const directions: Record<string, MetricDirection> = {};
  const best: Record<string, string | null> = {};
  for (const m of [...metrics, 'msPerStep']) {
    const direction = m === 'msPerStep' ? 'lower' : metricDirection(m);
    directions[m] = direction;
    let winner: AblationGroup | null = null;
    for (const g of groups) {
      const s = m === 'msPerStep' ? g.msPerStep : g.metrics[m];
      if (s.mean === null || s.nonfinite > 0 || direction === 'none') continue;
      const w = winner && (m === 'msPerStep' ? winner.msPerStep : winner.metrics[m]);
      if (!w || isBetter(s.mean, w.mean!, direction)) winner = g;
    }
    best[m] = winner?.key ?? null;
  }
  const floors: Record<string, Floor | null> = {};
  const verdicts: Record<string, Verdict | null> = {};
  for (const m of metrics) {
    const floor = (floors[m] = floorOf(runs, m));
    const candidates = p.values.map((v): Candidate => {
      const members = finalRuns(runs.filter((r) => valueKey(r.params[param]) === v.key)).filter((r) => r.latest[m] !== undefined);
      const paired = new Map(members.map((r) => [valueKey([Object.entries(r.params).filter(([k]) => k !== param).sort(([x], [y]) => (x < y ? -1 : 1)), r.seed]), r.latest[m]]));
      return { key: v.key, label: v.label, values: members.map((r) => r.latest[m]), fromData: groupFromData(members, m, floor), paired };
    });
    verdicts[m] = best[m] === null ? null : verdict(candidates, directions[m], floor, m);
  }
  return { param, metrics: [...metrics], directions, groups, best, pooled: params.map((q) => q.path).filter((q) => q !== param), floors, verdicts };
}

/**
 * Pointwise statistics of several runs' series of one key, at every step any of them logged (the
 * runner logs at the same steps in every run of a sweep, so steps line up). Then downsampled to at
 * most maxPoints by LTTB on the mean; min and max are taken at the kept steps.
 */
export function aggregateSeries(
  series: readonly (readonly Pick<SeriesPoint, 'step' | 'value'>[] | { steps: ArrayLike<number>; values: ArrayLike<number> })[],
  maxPoints: number,
): Downsampled<BandPoint> {
  const byStep = new Map<number, number[]>();
  const add = (step: number, value: number) => {
    const list = byStep.get(step);
    if (list) list.push(value);
    else byStep.set(step, [value]);
  };
  for (const s of series) {
    if ('steps' in s) for (let i = 0; i < s.steps.length; i++) add(s.steps[i], s.values[i]);
    else for (const p of s) add(p.step, p.value);
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  const all = steps.map((step): BandPoint => {
    const { mean, min, max, n, nonfinite } = stats(byStep.get(step)!);
    return { step, mean, min, max, n, nonfinite };
  });
  if (all.length <= maxPoints) return { points: all, total: all.length, downsampled: false };
  // A step where every run diverged has mean null: LTTB keeps a non-finite y, so pass NaN.
  const kept = lttbIndices(
    all.map((p) => ({ x: p.step, y: p.mean ?? NaN })),
    maxPoints,
  );
  return { points: kept.map((i) => all[i]), total: all.length, downsampled: true };
}

/** Leaves of a JSON object by dotted path; arrays are leaves (e.g. model.hidden: [64, 64]). */
export function flattenConfig(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix !== '') out.set(prefix, {});
    for (const [k, v] of entries) flattenConfig(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else if (prefix !== '') {
    out.set(prefix, value);
  }
  return out;
}

/** The leaves where two resolved configs differ (a missing leaf is undefined -> null in JSON), sorted by path. */
export function configDiff(a: unknown, b: unknown): ConfigDifference[] {
  const fa = flattenConfig(a);
  const fb = flattenConfig(b);
  const paths = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  return paths
    .filter((p) => valueKey(fa.get(p)) !== valueKey(fb.get(p)))
    .map((path) => ({ path, a: fa.has(path) ? fa.get(path) : null, b: fb.has(path) ? fb.get(path) : null }));
}
