// GET /api/runs/:run (the run page's record) and /api/runs/:run/diff (config against another run).
import { Router } from 'express';
import { configDiff } from '../analysis';
import type { ConfigDiff, RunPage } from '../api-types';
import { badRequest, queryParam } from '../http-input';
import { compareMetricKeys, metricDirection } from '../metric-names';
import { isLive, runOf, sweepRuns, type RouteContext } from './shared';

export function runRoutes(ctx: RouteContext): Router {
  const api = Router();

  api.get('/runs/:id', async (req, res) => {
    const { store } = ctx;
    const run = await runOf(store, req.params.id);
    const sweep = await store.getSweep(run.sweepId);
    const siblings = await sweepRuns(store, run.sweepId);
    // The run's params as its sweep's views show them (with the unswept config paths where the runs differ).
    const params = siblings.find((r) => r.id === run.id)?.params ?? run.params;
    res.json({
      run: { ...run, params },
      sweep: sweep ? { id: sweep.id, name: sweep.name, status: sweep.status, live: isLive(sweep.status, sweep.counts) } : null,
      metricKeys: Object.keys(run.latest).sort(compareMetricKeys),
      directions: Object.fromEntries(Object.keys(run.latest).map((k) => [k, metricDirection(k)])),
      artifacts: await store.listArtifacts(run.id),
      siblings: siblings.map((r) => ({ id: r.id, idx: r.idx, seed: r.seed, status: r.status, params: r.params })),
    } satisfies RunPage);
  });

  api.get('/runs/:id/diff', async (req, res) => {
    const { store } = ctx;
    const run = await runOf(store, req.params.id);
    const otherText = queryParam(req, 'other');
    if (otherText === undefined) throw badRequest('other (a run id) is required');
    const other = await runOf(store, otherText);
    res.json({ a: run.id, b: other.id, differences: configDiff(run.config, other.config) } satisfies ConfigDiff);
  });

  return api;
}
