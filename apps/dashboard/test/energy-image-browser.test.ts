// The energy and image views in headless Chromium (energy-image-fixture.ts): the learned and true
// log-density heatmaps on one colour scale (pixels checked against the scale), the samples toggled
// on top, the negatives strip and the energy curves of an ml run; digits as image grids (pixels
// checked against the stored values), the trajectory strip and the nearest training images; the
// sweep gallery. No console errors, nothing fetched from elsewhere. Screenshots: test-artifacts/dashboard/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { DensityArtifact } from '@scorelab/config';
import { rampRgb, sharedLogScale } from '../client/density-map';
import { fmt } from '../client/format';
import { addEnergyAndDigitsSweeps, NEGATIVE_STEPS } from './energy-image-fixture';
import { getJson, openDashboardPage, serveFixture, type Served } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard energy/image browser tests SKIPPED: ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`);
const SHOTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));

let browser: Browser;
let s: Served;
let base: string;
let ids: Awaited<ReturnType<typeof addEnergyAndDigitsSweeps>>;

const openPage = (path: string) => openDashboardPage(browser, base, path);

/** Pixels of a canvas matching `kind`: 'ink' = not white or transparent; 'orange' = the samples' dots (#ff7f0e). */
async function countPixels(page: Page, id: string, kind: 'ink' | 'orange'): Promise<number> {
  return page.evaluate(
    ([canvasId, k]) => {
      const c = document.getElementById(canvasId) as HTMLCanvasElement | null;
      if (!c) return -1;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
        if (k === 'ink' ? a > 0 && (r < 235 || g < 235 || b < 235) : r > 220 && g > 100 && g < 160 && b < 60) n++;
      }
      return n;
    },
    [id, kind] as const,
  );
}

/** The [r, g, b] of the canvas pixel at CSS position (x, y). */
async function pixelAt(page: Page, id: string, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([canvasId, cx, cy]) => {
      const c = document.getElementById(canvasId as string) as HTMLCanvasElement;
      const dpr = c.width / c.getBoundingClientRect().width;
      return Array.from(c.getContext('2d')!.getImageData(Math.floor((cx as number) * dpr), Math.floor((cy as number) * dpr), 1, 1).data.slice(0, 3));
    },
    [id, x, y] as const,
  );
}

const cssWidth = (page: Page, id: string) => page.evaluate((canvasId) => document.getElementById(canvasId)!.getBoundingClientRect().width, id);

describe.skipIf(!hasChromium)('energy and image views in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [browser, s] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
      serveFixture(async (path) => {
        ids = await addEnergyAndDigitsSweeps(path);
      }),
    ]);
    base = s.server.url;
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('draws an ml energy run: learned vs true log-density on one scale, negatives by step, the energies in one chart', async () => {
    const runId = ids.energy.runIds[0];
    const run = await getJson(base, `/api/runs/${runId}`);
    expect(run.run.config.loss.kind).toBe('ml');
    const learned: DensityArtifact = (await getJson(base, `/api/runs/${runId}/artifacts/learned-density`)).value;
    const truth: DensityArtifact = (await getJson(base, `/api/runs/${runId}/artifacts/learned-density-true`)).value;
    const { page, foreign, errors } = await openPage(`/runs/${runId}`);

    // Every node's cell has the colour of its log-density on the scale shared by both panels.
    const scale = sharedLogScale([learned, truth])!;
    for (const [id, d] of [
      ['learned-density-plot', learned],
      ['true-density-plot', truth],
    ] as const) {
      expect(await countPixels(page, id, 'ink'), id).toBeGreaterThan(50_000);
      const css = await cssWidth(page, id);
      const g = d.grid;
      const dx = (g.xmax - g.xmin) / (g.nx - 1);
      const half = (g.xmax - g.xmin + dx) / 2;
      const k = (css - 42) / (2 * half); // PAD: 34 left + 8 right; the box is square
      for (const [i, j] of [
        [48, 48],
        [16, 16],
        [32, 32],
        [40, 52],
        [60, 10],
      ]) {
        const x = 34 + (g.xmin + i * dx - (g.xmin - dx / 2)) * k;
        const y = 8 + (g.ymax + dx / 2 - (g.ymin + j * dx)) * k;
        const want = rampRgb((d.logDensity[j][i]! - scale.lo) / (scale.hi - scale.lo));
        const got = await pixelAt(page, id, x, y);
        got.forEach((c, ch) => expect(Math.abs(c - want[ch]), `${id} node (${i}, ${j}) channel ${ch}: ${got} vs ${want}`).toBeLessThanOrEqual(2));
      }
    }
    expect(await page.locator('#density-scale').innerText()).toContain(`log p ≤ ${fmt(scale.lo)}`);
    // The samples on top when ticked.
    expect(await countPixels(page, 'learned-density-plot', 'orange')).toBe(0);
    await page.check('#density-samples');
    await expect.poll(() => countPixels(page, 'learned-density-plot', 'orange')).toBeGreaterThan(200);
    expect(await countPixels(page, 'true-density-plot', 'orange')).toBeGreaterThan(200);
    // The density metrics, stated under the maps.
    const facts = await page.locator('#density-metrics').innerText();
    for (const k of ['eval/nll', 'eval/kl', 'eval/log_z_error', 'eval/box_outer_mass']) expect(facts).toContain(`${k} = ${fmt(run.run.latest[k], 4)}`);
    expect(facts).toMatch(/entropy on this grid is 3\.33\d/); // 1 + log 2π + H(0.2, 0.8) = 3.3383

    // Negatives: one small scatter per snapshot, labelled by step, in step order.
    expect(await page.locator('#negatives-strip figcaption').allInnerTexts()).toEqual(NEGATIVE_STEPS.map((k) => `step ${k}`));
    for (let i = 0; i < NEGATIVE_STEPS.length; i++) expect(await countPixels(page, `negatives-${i}`, 'ink'), `negatives-${i}`).toBeGreaterThan(300);

    // The energies together in one chart.
    await expect.poll(() => page.evaluate(() => (window as any).Chart.getChart(document.getElementById('energy-curves'))?.legend.legendItems.length ?? 0)).toBe(3);
    const legend: string[] = await page.evaluate(() => (window as any).Chart.getChart(document.getElementById('energy-curves')).legend.legendItems.map((i: { text: string }) => i.text));
    expect(legend).toEqual(['E(x⁺), data (train/energy_pos)', 'E(x⁻), negatives (train/energy_neg)', 'gap E(x⁺) − E(x⁻) (train/energy_gap)']);
    expect(await countPixels(page, 'energy-curves', 'ink')).toBeGreaterThan(2000);
    await page.screenshot({ path: join(SHOTS, 'energy-ml-run.png'), fullPage: true });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws a dsm energy run without negatives or energy curves', async () => {
    const runs = await s.server.store.listRuns({ sweepId: ids.energy.sweepId });
    const dsm = runs.find((r) => (r.config as { loss: { kind: string } }).loss.kind === 'dsm')!;
    const { page, errors } = await openPage(`/runs/${dsm.id}`);
    expect(await countPixels(page, 'learned-density-plot', 'ink')).toBeGreaterThan(50_000);
    expect(await page.locator('#learned-density h2').innerText()).toBe('Learned density vs true density');
    expect(await page.locator('#negatives').count()).toBe(0);
    expect(await page.locator('#energy-section').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws a digits run as images: samples and data grids, the trajectory strip, samples beside their nearest training images', async () => {
    const runId = ids.digits.runIds[0];
    const run = await getJson(base, `/api/runs/${runId}`);
    const samples = await getJson(base, `/api/runs/${runId}/artifacts/samples`);
    const trajectory = (await getJson(base, `/api/runs/${runId}/artifacts/trajectory`)).value;
    const { page, foreign, errors } = await openPage(`/runs/${runId}`);
    expect(await page.locator('#samples-plot').count()).toBe(0); // no 2-D scatter of 64-D points
    // 8 x 8 images of 8 x 8 pixels at 5 px each with 2 px gutters: 8 (40 + 2) + 2 = 338 px.
    expect(await cssWidth(page, 'samples-images')).toBe(338);
    for (const id of ['samples-images', 'data-images']) expect(await countPixels(page, id, 'ink'), id).toBeGreaterThan(20_000);
    // Image k, pixel p (row p / 8, column p % 8) has the grey of its stored value v: 255 (1 − v), v clipped to [0, 1].
    for (const [k, p] of [
      [0, 27],
      [0, 3],
      [1, 36],
      [9, 60],
    ]) {
      const x = 2 + (k % 8) * 42 + (p % 8) * 5 + 2.5;
      const y = 2 + Math.floor(k / 8) * 42 + Math.floor(p / 8) * 5 + 2.5;
      const g = Math.round(255 * (1 - Math.min(1, Math.max(0, samples.data[k * 64 + p]))));
      expect(await pixelAt(page, 'samples-images', x, y)).toEqual([g, g, g]);
    }
    // The trajectory: one grid per snapshot, labelled as stored.
    expect(await page.locator('#trajectory-images figcaption').allInnerTexts()).toEqual(trajectory.labels);
    for (let i = 0; i < trajectory.labels.length; i++) expect(await countPixels(page, `traj-images-${i}`, 'ink'), `traj-images-${i}`).toBeGreaterThan(200);
    expect(await page.locator('#image-trajectory h2').innerText()).toBe('Annealed Langevin trajectory');
    // Nearest training images: 20 pairs, the one copy found, nn_dist against its floor.
    expect(await page.locator('#nearest-pairs figure').count()).toBe(20);
    expect(await page.locator('#nearest-pairs figcaption').nth(3).innerText()).toBe('d = 0');
    expect(await page.locator('#nn-copies').innerText()).toContain('1 of the 20 samples checked are copies');
    const nn = await page.locator('#nn-dist').innerText();
    expect(nn).toContain(`sample/nn_dist = ${fmt(run.run.latest['sample/nn_dist'], 4)} vs ref/nn_dist = ${fmt(run.run.latest['ref/nn_dist'], 4)}`);
    expect(nn).toContain(`${fmt(run.run.latest['sample/nn_dist'] / run.run.latest['ref/nn_dist'])}× as far`);
    await page.screenshot({ path: join(SHOTS, 'digits-run.png'), fullPage: true });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows one picture per configuration on image and energy sweep pages, and none on others', async () => {
    {
      const { page, errors } = await openPage(`/sweeps/${ids.digits.sweepId}`);
      await expect.poll(() => page.locator('#gallery-tiles figure').count()).toBe(2);
      expect(await page.locator('#gallery h2').innerText()).toBe('Samples per configuration');
      expect(await page.locator('#gallery-tiles h3').allInnerTexts()).toEqual(['dsm', 'ssm-vr']);
      for (const id of ['gallery-0', 'gallery-1']) expect(await countPixels(page, id, 'ink'), id).toBeGreaterThan(2000);
      await page.locator('#gallery').screenshot({ path: join(SHOTS, 'digits-gallery.png') });
      expect(errors).toEqual([]);
      await page.close();
    }
    {
      const { page, errors } = await openPage(`/sweeps/${ids.energy.sweepId}`);
      // The true density first, then the three objectives.
      await expect.poll(() => page.locator('#gallery-tiles figure').count()).toBe(4);
      for (const id of ['gallery-truth-0', 'gallery-0', 'gallery-1', 'gallery-2']) expect(await countPixels(page, id, 'ink'), id).toBeGreaterThan(10_000);
      expect(await page.locator('#gallery-tiles figcaption').first().innerText()).toMatch(/^run #\d+ · seed 0 · 1 of 2 runs · eval\/kl /);
      await page.locator('#gallery').screenshot({ path: join(SHOTS, 'energy-gallery.png') });
      expect(errors).toEqual([]);
      await page.close();
    }
    {
      const { page, errors } = await openPage(`/sweeps/${s.fixture.sweepId}`);
      await page.waitForSelector('#ablation-charts');
      expect(await page.locator('#gallery').isHidden()).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
