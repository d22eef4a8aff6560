// Issue 10 item 8: the store file behind a running dashboard is deleted, replaced by another store, or
// replaced by a file that is not a store. The dashboard notices at request time (a stat of the path,
// here at most every 50 ms instead of every second): /api/health says not ok with the reason and the
// data routes answer 503 while the file is missing; a store put in its place is opened and served;
// the pages show a banner (in headless Chromium when it is installed).
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { startServer, type DashboardServer } from '../src/server';
import { makeFixtureStore } from './fixture-store';
import { addSdeSweep } from './sde-fixture';

const CHROMIUM = '/usr/bin/chromium';

let dir: string;
let path: string;
let server: DashboardServer;

async function get(p: string): Promise<{ status: number; body: any }> {
  const res = await fetch(server.url + p);
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

const health = async () => (await get('/api/health')).body;
const sweepNames = async () => (await get('/api/sweeps')).body.sweeps.map((s: { name: string }) => s.name);

/** A store with only the SDE sweep, written beside the served one and moved over it (rename). */
async function replaceWithSdeStore(): Promise<void> {
  const other = join(dir, 'other.db');
  await addSdeSweep(other);
  for (const suffix of ['-wal', '-shm']) expect(existsSync(other + suffix)).toBe(false);
  renameSync(other, path);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scorelab-store-replaced-'));
  path = join(dir, 'scorelab.db');
  await makeFixtureStore(path);
  server = await startServer({ dbPath: path, port: 0, host: '127.0.0.1', storeCheckMs: 50 });
});
afterEach(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the store file changes under a running dashboard', () => {
  it('deleted: health not ok with the reason, 503 for data routes, pages still served; a new store there is served', async () => {
    expect(await health()).toMatchObject({ ok: true, reason: null, store: { state: 'open', path, reopened: 0 } });
    expect(await sweepNames()).toEqual(['fixture-ablation']);

    rmSync(path);
    await expect.poll(async () => (await get('/api/health')).status, { timeout: 5000, interval: 60 }).toBe(503);
    const h = await health();
    expect(h).toMatchObject({ ok: false, readonly: true, store: { state: 'missing', path } });
    expect(h.reason).toBe(`the store file ${path} is gone (deleted or moved away); the dashboard serves it again when a store is put back at that path`);
    for (const route of ['/api/sweeps', '/api/sweeps/fixture-ablation/heatmap', '/api/runs/1', '/api/runs/1/artifacts/samples']) {
      const r = await get(route);
      expect(r.status, route).toBe(503);
      expect(r.body.error, route).toContain(`the store file ${path} is gone`);
    }
    // The pages load (and show the banner) instead of a JSON error.
    const page = await get('/sweeps/fixture-ablation');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<main id="main">');

    await replaceWithSdeStore();
    await expect.poll(async () => (await health()).ok, { timeout: 5000, interval: 60 }).toBe(true);
    expect(await health()).toMatchObject({ ok: true, reason: null, store: { state: 'open', reopened: 1 } });
    expect(await sweepNames()).toEqual(['fixture-sde']);
    expect((await get('/api/sweeps/fixture-ablation')).status).toBe(404);
    expect(await server.store.listSweeps()).toHaveLength(1);
  });

  it('replaced in place (renamed over it): the new store is served without a gap', async () => {
    const before = (await health()).store.openedAt;
    await replaceWithSdeStore();
    await expect.poll(sweepNames, { timeout: 5000, interval: 60 }).toEqual(['fixture-sde']);
    const h = await health();
    expect(h).toMatchObject({ ok: true, store: { state: 'open', reopened: 1 } });
    expect(h.store.openedAt).toBeGreaterThanOrEqual(before);
    // The series of the old store's run 1 must not come from a cache of the old store.
    const curves = await get('/api/sweeps/fixture-sde/curves?key=train/loss&groupBy=@config');
    expect(curves.status).toBe(200);
    expect(curves.body.groups.flatMap((g: { runIds: number[] }) => g.runIds).sort()).toEqual((await server.store.listRuns()).map((r) => r.id).sort());
  });

  it('replaced by a file that is not a store: not ok, saying what the file is; a store put back is served', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'hello world\n');
    renameSync(join(dir, 'notes.txt'), path);
    await expect.poll(async () => (await get('/api/health')).status, { timeout: 5000, interval: 60 }).toBe(503);
    const h = await health();
    expect(h.store.state).toBe('unreadable');
    expect(h.reason).toContain(`the store file ${path} was replaced by one that cannot be read: ${path} is not a scorelab store: it is a text file`);
    expect((await get('/api/sweeps')).status).toBe(503);
    await replaceWithSdeStore();
    await expect.poll(sweepNames, { timeout: 5000, interval: 60 }).toEqual(['fixture-sde']);
  });

  it.skipIf(!existsSync(CHROMIUM))('the page shows a banner when the store is gone, and another when it was replaced', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/sweeps/fixture-ablation`);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
      expect(await page.locator('#store-banner').count()).toBe(0);

      rmSync(path);
      const banner = page.locator('#store-banner');
      await banner.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await banner.getAttribute('data-kind')).toBe('gone');
      expect(await banner.innerText()).toContain(`Store not available: the store file ${path} is gone (deleted or moved away)`);

      await replaceWithSdeStore();
      await expect.poll(() => banner.getAttribute('data-kind'), { timeout: 10_000, interval: 200 }).toBe('replaced');
      expect(await banner.innerText()).toContain(`Store replaced: the server now serves the file at ${path}`);
    } finally {
      await browser.close();
    }
  }, 40_000);
});
