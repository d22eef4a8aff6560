// GET /api/sweeps, /api/sweeps/:sweep, /api/sweeps/:sweep/runs and /api/sweeps/:sweep/runs.csv.
import { Router } from 'express';
import type { RunSummary } from '@scorelab/tracking';
import { bestConfiguration, bestRun, compareRuns, configurationVerdict, floorOf, marginals, sweptParameters } from '../analysis';
import type { SweepList, SweepRuns, SweepSummary } from '../api-types';
import { runsCsv } from '../csv';
import { parseIdList, parseName, queryParam } from '../http-input';
import { defaultMetric, metricDirection, withFloorsBeside } from '../metric-names';
import { chosenMetric, isLive, metricKeysOf, runRow, sweepModels, sweepOf, sweepRuns, type RouteContext } from './shared';

export function sweepRoutes(ctx: RouteContext): Router {
  const api = Router();

  api.get('/sweeps', async (req, res) => {
    const { store } = ctx;
    const sweeps = await store.listSweeps();
    const runs = await store.listRuns();
    const requested = queryParam(req, 'metric');
    const metric = requested === undefined ? undefined : parseName(requested, 'metric');
    const bySweep = new Map<number, RunSummary[]>();
    for (const r of runs) {
      const list = bySweep.get(r.sweepId);
      if (list) list.push(r);
      else bySweep.set(r.sweepId, [r]);
    }
    res.json({
      sweeps: sweeps.map((s) => {
        const list = compareRuns(bySweep.get(s.id) ?? []);
        const keys = metricKeysOf(list);
        // A metric this sweep did not log gives no best run rather than an error: sweeps differ.
        const m = metric ?? defaultMetric(keys);
        return {
          id: s.id,
          name: s.name,
          description: s.description,
          status: s.status,
          createdAt: s.createdAt,
          counts: s.counts,
          live: isLive(s.status, s.counts),
          parameters: sweptParameters(list).map((p) => p.path),
          metricKeys: keys,
          metric: m,
          direction: m === null ? null : metricDirection(m),
          best: m === null ? null : bestRun(list, m),
          floor: m === null ? null : floorOf(list, m),
        };
      }),
    } satisfies SweepList);
  });

  api.get('/sweeps/:sweep', async (req, res) => {
    const { store } = ctx;
    const sweep = await sweepOf(store, req.params.sweep);
    const runs = await sweepRuns(store, sweep.id);
    const keys = metricKeysOf(runs);
    const metric = chosenMetric(req, keys);
    const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
    const lastActivity = runs.reduce((t, r) => Math.max(t, r.heartbeatAt ?? 0, r.endedAt ?? 0, r.startedAt ?? 0), 0);
    const models = await sweepModels(store, runs);
    res.json({
      sweep: { ...sweep, live: isLive(sweep.status, sweep.counts) },
      parameters: sweptParameters(runs),
      seeds,
      metricKeys: keys,
      directions: Object.fromEntries(keys.map((k) => [k, metricDirection(k)])),
      metric,
      best: metric === null ? null : bestRun(runs, metric),
      bestConfiguration: metric === null ? null : bestConfiguration(runs, metric),
      marginals: metric === null ? [] : marginals(runs, metric),
      floor: metric === null ? null : floorOf(runs, metric),
      verdict: metric === null ? null : configurationVerdict(runs, metric),
      failedRuns: runs.filter((r) => r.status === 'failed').map((r) => runRow(r, models)),
      lastActivity: lastActivity || null,
    } satisfies SweepSummary);
  });

  api.get('/sweeps/:sweep/runs', async (req, res) => {
    const { store } = ctx;
    const sweep = await sweepOf(store, req.params.sweep);
    const runs = await sweepRuns(store, sweep.id);
    const models = await sweepModels(store, runs);
    res.json({ sweepId: sweep.id, runs: runs.map((r) => runRow(r, models)) } satisfies SweepRuns);
  });

  api.get('/sweeps/:sweep/runs.csv', async (req, res) => {
    const { store } = ctx;
    const sweep = await sweepOf(store, req.params.sweep);
    let runs = await sweepRuns(store, sweep.id);
    const ids = queryParam(req, 'ids');
    if (ids !== undefined) {
      const wanted = new Set(parseIdList(ids, 'ids', 100_000));
      runs = runs.filter((r) => wanted.has(r.id));
    }
    const csv = runsCsv(
      runs,
      sweptParameters(runs).map((p) => p.path),
      withFloorsBeside(metricKeysOf(runs)),
    );
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${sweep.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-runs.csv"`);
    res.send(csv);
  });

  return api;
}
