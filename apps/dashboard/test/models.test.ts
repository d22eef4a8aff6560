// Issue 12: runs that share a training hash share one trained model, and the dashboard says so. The
// store is made by the real CLI: tiny.yaml swept over sampler.stepSize (2 values, one seed), so both
// runs sample one model, trained (and its train/* curves logged) by one of them. The API gives every
// run row and the run page its model and the runs sharing it; the run page (headless Chromium) shows
// the model line and, for the run that did not train, the source run's training curves.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DashboardServer } from '../src/server';
import { getJson } from './helpers';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));
let dir: string;
let server: DashboardServer;
/** The run that trained the model, and the one that only sampled it. */
let trainer: number;
let reuser: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scorelab-models-'));
  const db = join(dir, 'scorelab.db');
  const file = join(dir, 'shared.yaml');
  const tiny = readFileSync(join(root, 'experiments/tiny.yaml'), 'utf8');
  const swept = 'parameters:\n  loss.kind: [dsm, ssm-vr]\nseeds: [0, 1]';
  expect(tiny).toContain(swept);
  writeFileSync(file, tiny.replace(swept, 'parameters:\n  sampler.stepSize: [0.1, 0.05]\nseeds: [0]'));
  const args = [join(root, 'apps/runner/bin/scorelab.js'), 'sweep', '--config', file, '--db', db, '--workers', '2', '--quiet'];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  server = await startServer({ dbPath: db, port: 0, host: '127.0.0.1' });
  const runs = await server.store.listRuns();
  expect(runs).toHaveLength(2);
  const model = await server.store.getModel(runs[0].modelId!);
  trainer = model!.sourceRunId;
  reuser = runs.find((x) => x.id !== trainer)!.id;
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('runs that share a model (API)', () => {
  it('gives every run row its model and the runs of the sweep that share it', async () => {
    const { runs } = await getJson(server.url, '/api/sweeps/tiny/runs');
    expect(runs.map((r: { params: object }) => r.params)).toEqual([{ 'sampler.stepSize': 0.1 }, { 'sampler.stepSize': 0.05 }]);
    const [a, b] = runs;
    expect(a.model).not.toBeNull();
    expect(b.model).toEqual(a.model);
    expect(a.model).toEqual({ id: a.model.id, sourceRunId: trainer, step: 50 });
    expect(a.sharedWith).toEqual([b.id]);
    expect(b.sharedWith).toEqual([a.id]);
  });

  it('gives the run page the model, the source run and its training keys (only to the run that did not train)', async () => {
    const page = await getJson(server.url, `/api/runs/${reuser}`);
    expect(page.run.modelId).toBe(page.model.id);
    expect(page.model).toMatchObject({ sourceRunId: trainer, step: 50, sharedWith: [trainer], sourceSweep: { id: page.sweep.id, name: 'tiny' } });
    // The reusing run logged no training curve; the source run did.
    expect(page.metricKeys.filter((k: string) => k.startsWith('train/'))).toEqual([]);
    expect(page.model.trainingKeys).toEqual(expect.arrayContaining(['train/loss', 'train/grad_norm']));
    const series = await getJson(server.url, `/api/runs/${trainer}/series?key=train/loss`);
    expect(series.points.length).toBeGreaterThan(1);

    const own = await getJson(server.url, `/api/runs/${trainer}`);
    expect(own.model).toMatchObject({ id: page.model.id, sourceRunId: trainer, sharedWith: [reuser], trainingKeys: [] });
    expect(own.metricKeys).toContain('train/loss');
  });
});

describe.skipIf(!existsSync(CHROMIUM))('runs that share a model (headless Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the model line and the source run’s training curves on the reusing run’s page, and the model column on the sweep page', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/runs/${reuser}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
    const line = await page.locator('#model-line').innerText();
    expect(line).toContain(`trained by run #${trainer} (step 50)`);
    expect(await page.locator('#model-source').getAttribute('href')).toBe(`/runs/${trainer}`);
    expect(await page.locator('#model-curves-note').innerText()).toContain(`run #${trainer}`);
    const drawn = await page.evaluate(() => {
      const c = document.getElementById('curve-source-train/loss') as HTMLCanvasElement | null;
      const chart = c && (window as any).Chart.getChart(c);
      if (!c || !chart) return null;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) ink++;
      return { ink, points: chart.data.datasets[0].data.length, legend: chart.legend.legendItems.map((i: { text: string }) => i.text) };
    });
    expect(drawn).not.toBeNull();
    expect(drawn!.points).toBeGreaterThan(1);
    expect(drawn!.ink).toBeGreaterThan(100);
    expect(drawn!.legend.join()).toContain(`run #${trainer}`);
    await page.screenshot({ path: join(SHOTS, 'model-reused-run.png'), fullPage: true });

    await page.goto(`${server.url}/sweeps/tiny`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
    const header = await page.locator('#runs-table thead th').allInnerTexts();
    const col = header.findIndex((t) => t.trim() === 'model');
    expect(col).toBeGreaterThan(0);
    const cells = await page.locator(`#runs-table tbody tr td:nth-child(${col + 1})`).allInnerTexts();
    expect(cells.map((t) => t.trim())).toEqual([`#${trainer} ×2`, `#${trainer} ×2`]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
