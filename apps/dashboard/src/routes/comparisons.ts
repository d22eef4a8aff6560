// GET /api/sweeps/:sweep/heatmap and /api/sweeps/:sweep/ablation: a final metric compared across
// the swept values (two parameters as a grid, or the groups of one parameter side by side); and the
// gallery of pictures per configuration (gallery.ts).
import { Router } from 'express';
import { ablation, heatmap, sweptParameters } from '../analysis';
import type { AblationResponse, HeatmapResponse } from '../api-types';
import { badRequest, parseNameList, queryParam, quote } from '../http-input';
import { ABLATION_METRICS } from '../metric-names';
import { galleryRoutes } from './gallery';
import { chosenMetric, metricKeysOf, sweepOf, sweepRuns, sweptPath, type RouteContext } from './shared';

export function comparisonRoutes(ctx: RouteContext): Router {
  const api = Router();

  api.get('/sweeps/:sweep/heatmap', async (req, res) => {
    const { store } = ctx;
    const sweep = await sweepOf(store, req.params.sweep);
    const runs = await sweepRuns(store, sweep.id);
    const paths = sweptParameters(runs).map((p) => p.path);
    const metric = chosenMetric(req, metricKeysOf(runs));
    // Default axes: rows = the objective (loss.kind) when two or more parameters are swept, columns =
    // the first other parameter; with one swept parameter, a single row.
    const yText = queryParam(req, 'y');
    let y = yText === undefined ? (paths.length >= 2 ? (paths.includes('loss.kind') ? 'loss.kind' : paths[0]) : null) : yText === '' ? null : sweptPath(req, 'y', runs, null);
    const xText = queryParam(req, 'x');
    let x = xText === undefined ? (paths.find((p) => p !== y) ?? null) : sweptPath(req, 'x', runs, null);
    if (x === null && y !== null) [x, y] = [y, null];
    if (metric === null || x === null) {
      res.json({ available: false, reason: x === null ? 'no swept parameters' : 'no metrics logged yet' } satisfies HeatmapResponse);
      return;
    }
    if (x === y) throw badRequest('x and y must be different parameters');
    res.json({ available: true, ...heatmap(runs, metric, x, y) } satisfies HeatmapResponse);
  });

  api.get('/sweeps/:sweep/ablation', async (req, res) => {
    const { store } = ctx;
    const sweep = await sweepOf(store, req.params.sweep);
    const runs = await sweepRuns(store, sweep.id);
    const paths = sweptParameters(runs).map((p) => p.path);
    const keys = metricKeysOf(runs);
    const param = sweptPath(req, 'param', runs, paths.includes('loss.kind') ? 'loss.kind' : (paths[0] ?? null));
    const given = queryParam(req, 'metrics');
    let metrics: string[];
    if (given === undefined) {
      metrics = ABLATION_METRICS.filter((m) => keys.includes(m));
    } else {
      metrics = parseNameList(given, 'metrics');
      const unknown = metrics.filter((m) => !keys.includes(m));
      if (unknown.length > 0) throw badRequest(`metrics not logged in this sweep: ${unknown.map(quote).join(', ')}`);
    }
    if (param === null) {
      res.json({ available: false, reason: 'no swept parameters' } satisfies AblationResponse);
      return;
    }
    res.json({ available: true, ...ablation(runs, param, metrics) } satisfies AblationResponse);
  });

  api.use(galleryRoutes(ctx));

  return api;
}
