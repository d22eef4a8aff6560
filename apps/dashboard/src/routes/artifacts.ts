// GET /api/runs/:run/artifacts (the list) and /api/runs/:run/artifacts/:name (one, with its payload:
// `value` for JSON, `shape` and a flat `data` array for floats, `base64` for bytes). A name may hold
// slashes (negatives/<step>, checkpoint/<step>), sent as they are or encoded (%2F).
import { Router } from 'express';
import type { ArtifactContent, ArtifactInfo } from '@scorelab/tracking';
import type { ArtifactList, ArtifactResponse } from '../api-types';
import { notFound, parseId, parseName, quote } from '../http-input';
import { runOf, type RouteContext } from './shared';

export function artifactRoutes(ctx: RouteContext): Router {
  const api = Router();

  api.get('/runs/:id/artifacts', async (req, res) => {
    const { store } = ctx;
    const run = await runOf(store, req.params.id);
    res.json({ runId: run.id, artifacts: await store.listArtifacts(run.id) } satisfies ArtifactList);
  });

  api.get('/runs/:id/artifacts/*name', async (req, res) => {
    const { store } = ctx;
    const runId = parseId(req.params.id, 'run id');
    const name = parseName(req.params.name.join('/'), 'artifact name');
    const artifact = await store.getArtifact(runId, name);
    if (!artifact) {
      if (!(await store.getRun(runId))) throw notFound(`no run ${runId}`);
      throw notFound(`run ${runId} has no artifact ${quote(name)}`);
    }
    const { content, ...info } = artifact;
    res.json(encodeArtifact(info, content));
  });

  return api;
}

/** The info and the payload as JSON sends them (typed arrays as number arrays, bytes as base64). */
function encodeArtifact(info: ArtifactInfo, content: ArtifactContent): ArtifactResponse {
  switch (content.format) {
    case 'json':
      return { ...info, format: content.format, value: content.value };
    case 'float32':
    case 'float64':
      return { ...info, format: content.format, shape: content.shape, data: Array.from(content.data) };
    case 'bytes':
      return { ...info, format: content.format, base64: Buffer.from(content.data).toString('base64') };
  }
}
