// The dashboard's HTTP surface: pages, static files (from a fixed list: no path is ever built from
// a request), chart.js from node_modules, and the JSON API of docs/api.md. Read-only: every handler
// only queries the RunStore, whose queries are parameterised.
import express, { type NextFunction, type Request, type Response } from 'express';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError, StoreError } from '@scorelab/tracking';
import type { RunStore, RunSummary } from '@scorelab/tracking';
import {
  ablation,
  aggregateSeries,
  bestConfiguration,
  bestRun,
  configDiff,
  heatmap,
  marginals,
  sweptParameters,
  valueKey,
  valueLabel,
} from './analysis';
import { runsCsv } from './csv';
import { SeriesCache } from './series-cache';
import {
  HttpError,
  badRequest,
  notFound,
  parseId,
  parseIdList,
  parseMaxPoints,
  parseName,
  parseNameList,
  queryParam,
  quote,
} from './http-input';
import { ABLATION_METRICS, compareMetricKeys, defaultMetric, metricDirection } from './metric-names';

export interface AppOptions {
  /** Hostnames the Host header may name (DNS-rebinding guard); undefined = any. */
  allowedHosts?: readonly string[];
}

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
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

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Everything is served from this origin; chart.js sets style attributes on its canvases.
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/** A live sweep is one the pages should poll: a run is running or the runner marked it running. */
function isLive(status: string, counts: { running: number }): boolean {
  return counts.running > 0 || status === 'running';
}

function runRow(r: RunSummary) {
  return {
    id: r.id,
    idx: r.idx,
    status: r.status,
    params: r.params,
    seed: r.seed,
    latest: r.latest,
    durationMs: r.durationMs,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    currentStep: r.currentStep,
    totalSteps: r.totalSteps,
    attempt: r.attempt,
    error: r.error === null ? null : r.error.split('\n')[0],
  };
}

function metricKeysOf(runs: readonly RunSummary[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.latest)) keys.add(k);
  return [...keys].sort(compareMetricKeys);
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
  const publicFiles = listPublicFiles();
  const seriesCache = new SeriesCache(store);
  const chartJs = chartJsPath();

  app.use((req: Request, res: Response, next: NextFunction) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw new HttpError(405, `method ${req.method} is not allowed: the dashboard is read-only`);
    }
    if (options.allowedHosts) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      if (!options.allowedHosts.includes(host)) throw new HttpError(403, `host ${quote(host)} is not allowed`);
    }
    next();
  });

  // ------------------------------------------------------------------ lookups

  async function sweepOf(ref: string) {
    const name = parseName(ref, 'sweep');
    const sweep = await store.getSweep(name);
    if (!sweep) throw notFound(`no sweep ${quote(name)}`);
    return sweep;
  }

  async function runOf(ref: string) {
    const id = parseId(ref, 'run id');
    const run = await store.getRun(id);
    if (!run) throw notFound(`no run ${id}`);
    return run;
  }

  function chosenMetric(req: Request, keys: readonly string[]): string | null {
    const m = queryParam(req, 'metric');
    if (m === undefined) return defaultMetric(keys);
    const name = parseName(m, 'metric');
    if (!keys.includes(name)) throw badRequest(`metric ${quote(name)} was not logged here; logged: ${keys.join(', ') || 'none yet'}`);
    return name;
  }

  function sweptPath(req: Request, name: string, runs: readonly RunSummary[], fallback: string | null): string | null {
    const v = queryParam(req, name);
    const paths = sweptParameters(runs).map((p) => p.path);
    if (v === undefined) return fallback;
    const path = parseName(v, name);
    if (!paths.includes(path)) throw badRequest(`${name}: ${quote(path)} is not a swept parameter; swept: ${paths.join(', ') || 'none'}`);
    return path;
  }

  // ------------------------------------------------------------------ API

  const api = express.Router();

  api.get('/health', async (_req, res) => {
    res.json({ ok: true, readonly: store.readonly });
  });

  api.get('/sweeps', async (req, res) => {
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
        const list = bySweep.get(s.id) ?? [];
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
        };
      }),
    });
  });

  api.get('/sweeps/:sweep', async (req, res) => {
    const sweep = await sweepOf(req.params.sweep);
    const runs = await store.listRuns({ sweepId: sweep.id });
    const keys = metricKeysOf(runs);
    const metric = chosenMetric(req, keys);
    const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
    const lastActivity = runs.reduce((t, r) => Math.max(t, r.heartbeatAt ?? 0, r.endedAt ?? 0, r.startedAt ?? 0), 0);
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
      failedRuns: runs.filter((r) => r.status === 'failed').map(runRow),
      lastActivity: lastActivity || null,
    });
  });

  api.get('/sweeps/:sweep/runs', async (req, res) => {
    const sweep = await sweepOf(req.params.sweep);
    const runs = await store.listRuns({ sweepId: sweep.id });
    res.json({ sweepId: sweep.id, runs: runs.map(runRow) });
  });

  api.get('/sweeps/:sweep/runs.csv', async (req, res) => {
    const sweep = await sweepOf(req.params.sweep);
    let runs = await store.listRuns({ sweepId: sweep.id });
    const ids = queryParam(req, 'ids');
    if (ids !== undefined) {
      const wanted = new Set(parseIdList(ids, 'ids', 100_000));
      runs = runs.filter((r) => wanted.has(r.id));
    }
    const csv = runsCsv(
      runs,
      sweptParameters(runs).map((p) => p.path),
      metricKeysOf(runs),
    );
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${sweep.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-runs.csv"`);
    res.send(csv);
  });

  api.get('/sweeps/:sweep/heatmap', async (req, res) => {
    const sweep = await sweepOf(req.params.sweep);
    const runs = await store.listRuns({ sweepId: sweep.id });
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
      res.json({ available: false, reason: x === null ? 'no swept parameters' : 'no metrics logged yet' });
      return;
    }
    if (x === y) throw badRequest('x and y must be different parameters');
    res.json({ available: true, ...heatmap(runs, metric, x, y) });
  });

  api.get('/sweeps/:sweep/ablation', async (req, res) => {
    const sweep = await sweepOf(req.params.sweep);
    const runs = await store.listRuns({ sweepId: sweep.id });
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
      res.json({ available: false, reason: 'no swept parameters' });
      return;
    }
    res.json({ available: true, ...ablation(runs, param, metrics) });
  });

  api.get('/sweeps/:sweep/curves', async (req, res) => {
    const sweep = await sweepOf(req.params.sweep);
    const all = await store.listRuns({ sweepId: sweep.id });
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
      const series = [];
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
      res.json({ key, maxPoints, groupBy: null, series });
      return;
    }
    // '@config' groups by every swept parameter, so the band is over seeds only.
    const paths = sweptParameters(all).map((p) => p.path);
    const byParams = groupBy === '@config' ? paths : [parseName(groupBy, 'groupBy')];
    if (groupBy !== '@config' && !paths.includes(byParams[0])) {
      throw badRequest(`groupBy: ${quote(groupBy)} is not a swept parameter (or '@config'); swept: ${paths.join(', ') || 'none'}`);
    }
    const groups = new Map<string, RunSummary[]>();
    // Queued runs have logged nothing yet.
    for (const r of runs.filter((x) => x.status !== 'queued')) {
      const k = valueKey(byParams.map((p) => r.params[p]));
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
    const out = [];
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
    res.json({ key, maxPoints, groupBy, groups: out });
  });

  api.get('/runs/:id', async (req, res) => {
    const run = await runOf(req.params.id);
    const sweep = await store.getSweep(run.sweepId);
    const siblings = await store.listRuns({ sweepId: run.sweepId });
    res.json({
      run,
      sweep: sweep && { id: sweep.id, name: sweep.name, status: sweep.status, live: isLive(sweep.status, sweep.counts) },
      metricKeys: Object.keys(run.latest).sort(compareMetricKeys),
      directions: Object.fromEntries(Object.keys(run.latest).map((k) => [k, metricDirection(k)])),
      artifacts: await store.listArtifacts(run.id),
      siblings: siblings.map((r) => ({ id: r.id, idx: r.idx, seed: r.seed, status: r.status, params: r.params })),
    });
  });

  api.get('/runs/:id/series', async (req, res) => {
    const run = await runOf(req.params.id);
    const key = parseName(queryParam(req, 'key'), 'key');
    const maxPoints = parseMaxPoints(queryParam(req, 'maxPoints'));
    if (run.latest[key] === undefined) throw notFound(`run ${run.id} has no metric ${quote(key)}`);
    const s = await store.metricSeries(run.id, key, { maxPoints });
    res.json({ runId: run.id, key, maxPoints, total: s.total, downsampled: s.downsampled, points: s.points });
  });

  api.get('/runs/:id/artifacts', async (req, res) => {
    const run = await runOf(req.params.id);
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

  api.get('/runs/:id/diff', async (req, res) => {
    const run = await runOf(req.params.id);
    const otherText = queryParam(req, 'other');
    if (otherText === undefined) throw badRequest('other (a run id) is required');
    const other = await runOf(otherText);
    res.json({ a: run.id, b: other.id, differences: configDiff(run.config, other.config) });
  });

  app.use('/api', api);
  app.use('/api', () => {
    throw notFound('no such API endpoint (see docs/api.md)');
  });

  // ------------------------------------------------------------------ pages and files

  const page = (file: string) => (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(publicFiles.get(file)!, { dotfiles: 'allow' });
  };
  app.get('/', page('index.html'));
  app.get('/sweeps/:sweep', async (req, res) => {
    await sweepOf(req.params.sweep);
    page('sweep.html')(req, res);
  });
  app.get('/runs/:id', async (req, res) => {
    await runOf(req.params.id);
    page('run.html')(req, res);
  });
  app.get('/vendor/chart.umd.min.js', (_req, res) => {
    res.setHeader('Content-Type', CONTENT_TYPES['.js']);
    res.setHeader('Cache-Control', 'max-age=3600');
    res.sendFile(chartJs, { dotfiles: 'allow' });
  });
  app.get('/static/*path', (req, res) => {
    // Express has already decoded each segment; a file is served only if it is in the fixed list.
    const segments = (req.params as { path: string[] }).path;
    if (segments.some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('/') || s.includes('\0'))) {
      throw badRequest(`static paths may not contain '..', '.', backslashes, encoded slashes or NUL`);
    }
    const abs = publicFiles.get(segments.join('/'));
    if (!abs) throw notFound(`no static file ${quote(segments.join('/'))}`);
    res.setHeader('Content-Type', CONTENT_TYPES[extname(abs)]);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(abs, { dotfiles: 'allow' });
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });

  app.use((req: Request) => {
    throw notFound(`no such page: ${quote(req.path)}`);
  });

  // JSON for every error: a 4xx says what was wrong with the request; anything else is logged here
  // and answered without details (no stack traces to the client).
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let status = 500;
    let message = 'internal error (see the server log)';
    if (err instanceof HttpError) {
      status = err.status;
      message = err.message;
    } else if (err instanceof NotFoundError) {
      status = 404;
      message = err.message;
    } else if (err instanceof StoreError) {
      status = 400;
      message = err.message;
    } else if (err instanceof RangeError) {
      status = 400;
      message = err.message;
    } else {
      // Errors raised by express itself (malformed URI encoding: 400, ...) carry a 4xx status.
      const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
      if (typeof s === 'number' && s >= 400 && s < 500) {
        status = s;
        message = s === 400 ? 'malformed request (bad URL encoding?)' : `request refused (${s})`;
      }
    }
    if (status >= 500) console.error(`dashboard: ${req.method} ${req.originalUrl}:`, err);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json({ error: message });
  });
  return app;
}
