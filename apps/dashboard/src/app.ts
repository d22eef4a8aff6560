// The dashboard's HTTP surface: the JSON API of docs/api.md, one router per resource (routes/), and
// the pages with their files (routes/pages.ts). Read-only: every handler only queries the RunStore,
// whose queries are parameterised.
import express, { type Request } from 'express';
import type { RunStore } from '@scorelab/tracking';
import type { Health } from './api-types';
import { clientBundle, type ClientBundle } from './bundle-client';
import { errorAnswer, requestGuard } from './guards';
import { notFound, quote } from './http-input';
import { artifactRoutes } from './routes/artifacts';
import { comparisonRoutes } from './routes/comparisons';
import { metricRoutes } from './routes/metrics';
import { pageRoutes } from './routes/pages';
import { runRoutes } from './routes/runs';
import type { RouteContext } from './routes/shared';
import { sweepRoutes } from './routes/sweeps';
import { SeriesCache } from './series-cache';

export interface AppOptions {
  /** Hostnames the Host header may name (DNS-rebinding guard); undefined = any. */
  allowedHosts?: readonly string[];
  /** The bundled client; default: this process's bundle, built on first use (bundle-client.ts). */
  client?: Promise<ClientBundle>;
}

export function createApp(store: RunStore, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'weak');
  app.set('query parser', 'simple');
  // JSON has no NaN or Infinity: send them as the strings "NaN", "Infinity", "-Infinity" (docs/api.md).
  app.set('json replacer', (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
  const ctx: RouteContext = { store, seriesCache: new SeriesCache(store) };
  const client = options.client ?? clientBundle();
  // A failed build is answered per request (500, logged); startServer reports it before listening.
  client.catch(() => {});

  app.use(requestGuard(options.allowedHosts));

  const api = express.Router();
  api.get('/health', async (_req, res) => {
    res.json({ ok: true, readonly: store.readonly } satisfies Health);
  });
  api.use(sweepRoutes(ctx), comparisonRoutes(ctx), metricRoutes(ctx), runRoutes(ctx), artifactRoutes(ctx));
  app.use('/api', api);
  app.use('/api', () => {
    throw notFound('no such API endpoint (see docs/api.md)');
  });

  app.use(pageRoutes(ctx, client));
  app.use((req: Request) => {
    throw notFound(`no such page: ${quote(req.path)}`);
  });
  app.use(errorAnswer);
  return app;
}
