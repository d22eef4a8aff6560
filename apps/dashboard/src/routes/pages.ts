// The pages and their files: the HTML pages, the bundled client (/static/js/*.js, built in memory by
// bundle-client.ts), the rest of public/ from a fixed list (no path is ever built from a request),
// and chart.js from node_modules.
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type Request, type Response } from 'express';
import type { ClientBundle } from '../bundle-client';
import { badRequest, notFound, quote } from '../http-input';
import { runOf, sweepOf, type RouteContext } from './shared';

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Every servable file under public/, by its URL path relative to /static/. */
function listPublicFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (CONTENT_TYPES[extname(name)]) files.set(relative(PUBLIC_DIR, abs).split(sep).join('/'), abs);
    }
  };
  walk(PUBLIC_DIR);
  return files;
}

/** chart.js's self-registering UMD build, resolved from node_modules (no CDN: works offline). */
function chartJsPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

export function pageRoutes(ctx: RouteContext, client: Promise<ClientBundle>): Router {
  const router = Router();
  const publicFiles = listPublicFiles();
  const chartJs = chartJsPath();

  const page = (file: string) => (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(publicFiles.get(file)!, { dotfiles: 'allow' });
  };
  router.get('/', page('index.html'));
  // While the store file is missing the page is served anyway: it shows the banner (client/store-banner.ts).
  router.get('/sweeps/:sweep', async (req, res) => {
    if (ctx.available()) await sweepOf(ctx.store, req.params.sweep);
    page('sweep.html')(req, res);
  });
  router.get('/runs/:id', async (req, res) => {
    if (ctx.available()) await runOf(ctx.store, req.params.id);
    page('run.html')(req, res);
  });
  router.get('/vendor/chart.umd.min.js', (_req, res) => {
    res.setHeader('Content-Type', CONTENT_TYPES['.js']);
    res.setHeader('Cache-Control', 'max-age=3600');
    res.sendFile(chartJs, { dotfiles: 'allow' });
  });
  router.get('/static/*path', async (req, res) => {
    // Express has already decoded each segment; a file is served only if it is in a fixed list.
    const segments = (req.params as { path: string[] }).path;
    if (segments.some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('/') || s.includes('\0'))) {
      throw badRequest(`static paths may not contain '..', '.', backslashes, encoded slashes or NUL`);
    }
    const path = segments.join('/');
    res.setHeader('Cache-Control', 'no-cache');
    const bundled = segments.length === 2 && segments[0] === 'js' ? (await client).files.get(segments[1]) : undefined;
    if (bundled !== undefined) {
      res.setHeader('Content-Type', CONTENT_TYPES[extname(path)]);
      res.send(bundled);
      return;
    }
    const abs = publicFiles.get(path);
    if (!abs) throw notFound(`no static file ${quote(path)}`);
    res.setHeader('Content-Type', CONTENT_TYPES[extname(abs)]);
    res.sendFile(abs, { dotfiles: 'allow' });
  });
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  return router;
}
