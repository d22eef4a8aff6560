// Metric series: GET /api/sweeps/:sweep/curves (per run, or mean and min-max band per group of runs)
// and GET /api/runs/:run/series.
import { Router } from 'express';
import { aggregateSeries, sweptParameters, valueKey, valueLabel, type ComparedRun } from '../analysis';
import type { GroupedCurves, RunCurves, RunSeries } from '../api-types';
import { badRequest, notFound, parseIdList, parseMaxPoints, parseName, queryParam, quote } from '../http-input';
import { runOf, sweepOf, sweepRuns, type RouteContext } from './shared';

export function metricRoutes(ctx: RouteContext): Router {
  const api = Router();

  api.get('/sweeps/:sweep/curves', async (req, res) => {
    const { store, seriesCache } = ctx;
    const sweep = await sweepOf(store, req.params.sweep);
    const all = await sweepRuns(store, sweep.id);
    const keys = await store.metricKeys({ sweepId: sweep.id });
    const key = parseName(queryParam(req, 'key'), 'key');
    if (!keys.includes(key)) throw badRequest(`key ${quote(key)} was not logged in sweep ${sweep.id}`);
    const maxPoints = parseMaxPoints(queryParam(req, 'maxPoints'));
    const idsText = queryParam(req, 'runs');
    let runs = all;
    if (idsText !== undefined) {
      const byId = new Map(all.map((r) => [r.id, r]));
      runs = parseIdList(idsText, 'runs').map((id) => {
        const r = byId.get(id);
        if (!r) throw badRequest(`run ${id} is not in sweep ${sweep.id}`);
        return r;
      });
    }
    const groupBy = queryParam(req, 'groupBy');
    if (groupBy === undefined || groupBy === '') {
      if (idsText === undefined && runs.length > 200) throw badRequest(`sweep ${sweep.id} has ${runs.length} runs: choose up to 200 with runs=, or use groupBy`);
      const series: RunCurves['series'] = [];
      for (const r of runs) {
        const s = await store.metricSeries(r.id, key, { maxPoints });
        series.push({
          runId: r.id,
          idx: r.idx,
          seed: r.seed,
          status: r.status,
          params: r.params,
          points: s.points.map((p) => ({ step: p.step, value: p.value })),
          total: s.total,
          downsampled: s.downsampled,
        });
      }
      res.json({ key, maxPoints, groupBy: null, series } satisfies RunCurves);
      return;
    }
    // '@config' groups by every parameter (swept, or unswept where the configs differ), so the band is over seeds only.
    const paths = sweptParameters(all).map((p) => p.path);
    const byParams = groupBy === '@config' ? paths : [parseName(groupBy, 'groupBy')];
    if (groupBy !== '@config' && !paths.includes(byParams[0])) {
      throw badRequest(`groupBy: ${quote(groupBy)} is not a swept parameter (or '@config'); swept: ${paths.join(', ') || 'none'}`);
    }
    const groups = new Map<string, ComparedRun[]>();
    // Queued runs have logged nothing yet.
    for (const r of runs.filter((x) => x.status !== 'queued')) {
      const k = valueKey(byParams.map((p) => r.params[p]));
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
    const out: GroupedCurves['groups'] = [];
    for (const [k, members] of groups) {
      const series = [];
      for (const r of members) series.push(await seriesCache.get(r, key));
      const params = Object.fromEntries(byParams.map((p) => [p, members[0].params[p]]));
      out.push({
        key: k,
        label: byParams.map((p) => (byParams.length > 1 ? `${p}=${valueLabel(params[p])}` : valueLabel(params[p]))).join(', '),
        params,
        runIds: members.map((r) => r.id),
        seeds: members.map((r) => r.seed),
        ...aggregateSeries(series, maxPoints),
      });
    }
    res.json({ key, maxPoints, groupBy, groups: out } satisfies GroupedCurves);
  });

  api.get('/runs/:id/series', async (req, res) => {
    const { store } = ctx;
    const run = await runOf(store, req.params.id);
    const key = parseName(queryParam(req, 'key'), 'key');
    const maxPoints = parseMaxPoints(queryParam(req, 'maxPoints'));
    if (run.latest[key] === undefined) throw notFound(`run ${run.id} has no metric ${quote(key)}`);
    const s = await store.metricSeries(run.id, key, { maxPoints });
    res.json({ runId: run.id, key, maxPoints, total: s.total, downsampled: s.downsampled, points: s.points } satisfies RunSeries);
  });

  return api;
}
