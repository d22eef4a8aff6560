// GET /api/runs/:run (the run page's record) and /api/runs/:run/diff (config against another run).
import { Router } from 'express';
import { METRIC } from '@scorelab/config';
import type { RunDetail, RunStore, RunSummary } from '@scorelab/tracking';
import { configDiff } from '../analysis';
import type { ConfigDiff, RunPage, RunPageModel } from '../api-types';
import { badRequest, queryParam } from '../http-input';
import { compareMetricKeys, metricDirection } from '../metric-names';
import { imageShapeOf } from './image-shape';
import { isLive, runModel, runOf, sweepModels, sweepRuns, type RouteContext } from './shared';

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
      model: await pageModel(ctx.store, run, siblings),
      imageShape: imageShapeOf(run.config),
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

/** A training curve: logged while the model trains, so only by the run that trained it. */
const isTrainingKey = (k: string) => k.startsWith('train/') || k === METRIC.stepsPerSec;

/** The run page's model line: its model, the sweep's runs that share it, and the source run's
 * training curves when another run trained it. */
async function pageModel(store: RunStore, run: RunDetail, siblings: readonly RunSummary[]): Promise<RunPageModel | null> {
  const { model, sharedWith } = runModel(run, await sweepModels(store, siblings.some((r) => r.id === run.id) ? siblings : [...siblings, run]));
  if (!model) return null;
  if (model.sourceRunId === run.id) return { ...model, sharedWith, sourceSweep: { id: run.sweepId, name: run.sweepName }, trainingKeys: [] };
  const source = await store.getRun(model.sourceRunId);
  return {
    ...model,
    sharedWith,
    sourceSweep: source ? { id: source.sweepId, name: source.sweepName } : null,
    trainingKeys: source ? Object.keys(source.latest).filter(isTrainingKey).sort(compareMetricKeys) : [],
  };
}
