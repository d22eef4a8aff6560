// The dashboard's HTTP surface: the JSON API of docs/api.md, one router per resource (routes/), and
// the pages with their files (routes/pages.ts). Read-only: every handler only queries the RunStore,
// whose queries are parameterised. Before each request the store file is checked (served-store.ts):
// a deleted one makes the data routes answer 503, a replaced one is opened in its place.
import express, { type Request } from 'express';
import type { RunStore } from '@scorelab/tracking';
import type { Health } from './api-types';
import { clientBundle, type ClientBundle } from './bundle-client';
import { errorAnswer, requestGuard } from './guards';
import { HttpError, notFound, quote } from './http-input';
import { artifactRoutes } from './routes/artifacts';
import { comparisonRoutes } from './routes/comparisons';
import { metricRoutes } from './routes/metrics';
import { pageRoutes } from './routes/pages';
import { playgroundRoutes } from './routes/playground';
import { runRoutes } from './routes/runs';
import type { RouteContext } from './routes/shared';
import { sweepRoutes } from './routes/sweeps';
import { ServedStore } from './served-store';

export interface AppOptions {
  /** Hostnames the Host header may name (DNS-rebinding guard); undefined = any. */
  allowedHosts?: readonly string[];
  /** The bundled client; default: this process's bundle, built on first use (bundle-client.ts). */
  client?: Promise<ClientBundle>;
}

/** `source`: a store to serve as it is, or a ServedStore that watches its file (startServer). */
export function createApp(source: RunStore | ServedStore, options: AppOptions = {}): express.Express {
  const served = source instanceof ServedStore ? source : new ServedStore(source);
  const readonly = served.current?.store.readonly ?? true;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'weak');
  app.set('query parser', 'simple');
  // JSON has no NaN or Infinity: send them as the strings "NaN", "Infinity", "-Infinity" (docs/api.md).
  app.set('json replacer', (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
  // Read at request time: a handler takes the store once and keeps it, even if the file is replaced meanwhile.
  const ctx: RouteContext = {
    get store() {
      const opened = served.current;
      if (!opened) throw new HttpError(503, `${served.status.reason ?? 'the store is not available'} (see /api/health)`);
      return opened.store;
    },
    get seriesCache() {
      const opened = served.current;
      if (!opened) throw new HttpError(503, served.status.reason ?? 'the store is not available');
      return opened.seriesCache;
    },
    available: () => served.current !== null,
  };
  const client = options.client ?? clientBundle();
  // A failed build is answered per request (500, logged); startServer reports it before listening.
  client.catch(() => {});

  app.use(requestGuard(options.allowedHosts));
  app.use(async (_req, _res, next) => {
    await served.check();
    next();
  });

  const api = express.Router();
  api.get('/health', async (_req, res) => {
    const store = served.status;
    res.status(store.state === 'open' ? 200 : 503).json({ ok: store.state === 'open', readonly, reason: store.reason, store } satisfies Health);
  });
  api.use(sweepRoutes(ctx), comparisonRoutes(ctx), metricRoutes(ctx), runRoutes(ctx), artifactRoutes(ctx));
  app.use('/api', api);
  app.use('/api', () => {
    throw notFound('no such API endpoint (see docs/api.md)');
  });

  app.use(playgroundRoutes());
  app.use(pageRoutes(ctx, client));
  app.use((req: Request) => {
    throw notFound(`no such page: ${quote(req.path)}`);
  });
  app.use(errorAnswer);
  return app;
}
