// Shared by the dashboard tests: a fixture store in a temp dir served on an ephemeral port, and a
// raw HTTP client (fetch normalises '..' in paths; the traversal tests need them sent as written).
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server';
import type { DashboardServer } from '../src/server';
import { makeFixtureStore } from './fixture-store';
import type { FixtureStore } from './fixture-store';
import type { Browser, Page } from 'playwright-core';

export interface Served {
  server: DashboardServer;
  fixture: FixtureStore;
  dir: string;
  close(): Promise<void>;
}

export async function serveFixture(prepare?: (dbPath: string) => Promise<void>): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'scorelab-dashboard-'));
  const path = join(dir, 'scorelab.db');
  const fixture = await makeFixtureStore(path);
  if (prepare) await prepare(path);
  const server = await startServer({ dbPath: path, port: 0, host: '127.0.0.1' });
  return {
    server,
    fixture,
    dir,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawGet(baseUrl: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function getJson<T = any>(baseUrl: string, path: string): Promise<T> {
  const res = await fetch(baseUrl + path);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A dashboard page opened in `browser` once its client has drawn (body[data-ready="1"]), with the requests it made outside `base` and its console and page errors. */
export async function openDashboardPage(browser: Browser, base: string, path: string): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) foreign.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(base + path);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  return { page, foreign, errors };
}
