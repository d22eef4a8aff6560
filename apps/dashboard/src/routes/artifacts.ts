// GET /api/runs/:run/artifacts (the list) and /api/runs/:run/artifacts/:name (one, with its payload:
// `value` for JSON, `shape` and a flat `data` array for floats, `base64` for bytes).
import { Router } from 'express';
import { notFound, parseId, parseName, quote } from '../http-input';
import { runOf, type RouteContext } from './shared';

export function artifactRoutes({ store }: RouteContext): Router {
  const api = Router();

  api.get('/runs/:id/artifacts', async (req, res) => {
    const run = await runOf(store, req.params.id);
    res.json({ runId: run.id, artifacts: await store.listArtifacts(run.id) });
  });

  api.get('/runs/:id/artifacts/:name', async (req, res) => {
    const runId = parseId(req.params.id, 'run id');
    const name = parseName(req.params.name, 'artifact name');
    const artifact = await store.getArtifact(runId, name);
    if (!artifact) {
      if (!(await store.getRun(runId))) throw notFound(`no run ${runId}`);
      throw notFound(`run ${runId} has no artifact ${quote(name)}`);
    }
    const { content, ...info } = artifact;
    let body: Record<string, unknown>;
    switch (content.format) {
      case 'json':
        body = { value: content.value };
        break;
      case 'float32':
      case 'float64':
        body = { shape: content.shape, data: Array.from(content.data) };
        break;
      case 'bytes':
        body = { base64: Buffer.from(content.data).toString('base64') };
        break;
    }
    res.json({ ...info, ...body });
  });

  return api;
}
