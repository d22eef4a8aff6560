// The pages in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): every page
// loads offline (only this server is contacted), its charts have data (non-blank pixels, legend
// text), and a researcher can click sweeps -> sweep -> run. Screenshots go to test-artifacts/dashboard/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { openStore } from '@scorelab/tracking';
import { fmt } from '../client/format';
import { getJson, openDashboardPage, serveFixture } from './helpers';
import type { Served } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard browser tests SKIPPED: ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`);

const SHOTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));

let browser: Browser;
let s: Served;
let base: string;

/** Pixels that are neither transparent nor near-white: something was drawn. */
async function inkedPixels(page: Page, id: string): Promise<number> {
  return page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId) as HTMLCanvasElement | null;
    if (!c) return -1;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) n++;
    return n;
  }, id);
}

async function legend(page: Page, id: string): Promise<string[]> {
  return page.evaluate((canvasId) => {
    const chart = (window as any).Chart.getChart(document.getElementById(canvasId));
    return chart ? chart.legend.legendItems.map((i: { text: string }) => i.text) : [];
  }, id);
}

const openPage = (path: string) => openDashboardPage(browser, base, path);

describe.skipIf(!hasChromium)('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [browser, s] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
      serveFixture(),
    ]);
    base = s.server.url;
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('clicks through sweeps -> sweep -> run, with charts that have data', async () => {
    const summary = await getJson(base, `/api/sweeps/${s.fixture.sweepId}`);
    const { page, foreign, errors } = await openPage('/');

    // Sweeps list: the sweep and its best run.
    await expect.poll(() => page.locator('#sweeps tbody tr').count()).toBe(1);
    expect(await page.locator('#sweeps').innerText()).toContain(`run #${summary.best.runId}`);
    // ... crowned only when distinguishable from the other runs and the floor, with the floor beside it (issue 13).
    const listed = await page.locator('#sweeps td.best-run').innerText();
    expect(listed.startsWith(summary.best.verdict.distinguishable ? '★ ' : 'no clear best; lowest: ')).toBe(true);
    expect(listed).toContain(`floor ref/mmd ${fmt(summary.floor.mean)} ± ${fmt(summary.floor.scatter)}`);
    expect(listed).toContain(`${fmt(summary.best.value)} ± ${fmt(summary.floor.scatter)}`);
    await page.screenshot({ path: join(SHOTS, '1-sweeps.png'), fullPage: true });

    await Promise.all([page.waitForURL(`**/sweeps/${s.fixture.sweepId}`), page.click('a.sweep-link')]);
    await page.waitForSelector('body[data-ready="1"]');

    // The answer is on top: best configuration, in words.
    const bestLine = await page.locator('#best-line').innerText();
    for (const [k, v] of Object.entries(summary.bestConfiguration.params)) expect(bestLine).toContain(`${k} = ${v}`);
    expect(await page.locator('#best-per-param').innerText()).toMatch(/loss\.kind\s+★/);
    // Beside it, the floor of the metric and whether the best is distinguishable (issue 13).
    expect(summary.floor.key).toBe('ref/mmd');
    expect(await page.locator('#best-floor').innerText()).toContain('floor ref/mmd');
    expect(await page.locator('#best-verdict').innerText()).toContain(summary.verdict.distinguishable ? 'distinguishable' : 'Not distinguishable');
    expect(bestLine.startsWith(summary.verdict.distinguishable ? '★ Best configuration' : 'No clear best')).toBe(true);
    expect(await page.locator('#heatmap-legend').innerText()).toContain('floor ref/mmd');
    // The best single run by the same rules: crowned or "Lowest single run, not distinguishable from ...".
    const bestRunLine = await page.locator('#best-run').innerText();
    const crowned = summary.best.verdict.distinguishable;
    expect(bestRunLine.startsWith(crowned ? '★ Best single run: ' : 'Lowest single run, not distinguishable from ')).toBe(true);
    expect(bestRunLine).toContain(`${fmt(summary.best.value)} ± ${fmt(summary.floor.scatter)}`);
    expect(await page.locator('#best-run-verdict').innerText()).toContain(crowned ? 'distinguishable' : 'Not distinguishable');
    // The runs table marks ★ on a distinguishable best only; else ≈ on every run tied with the lowest.
    const marked = await page.locator('#runs-table tbody tr').evaluateAll((trs) =>
      trs.flatMap((tr) => {
        const m = /\s([★≈])$/.exec((tr.children[1] as HTMLElement).innerText.trim());
        return m ? [[Number((tr as HTMLElement).dataset.runId), m[1]]] : [];
      }),
    );
    expect(marked.sort()).toEqual((crowned ? [[summary.best.runId, '★']] : summary.best.verdict.tiedRunIds.map((id: number) => [id, '≈'])).sort());
    // The MMD² floor band is drawn from 0, not below it (ref/mmd of true samples goes negative).
    const band = await page.evaluate(() => {
      const chart = (window as any).Chart.getChart(document.getElementById('ablation-sample/mmd'));
      return chart.data.datasets.filter((d: any) => String(d.label).includes('ref/mmd')).map((d: any) => d.data[0].y);
    });
    expect(band).toHaveLength(3);
    expect(Math.min(...band)).toBeGreaterThanOrEqual(0);
    expect((await legend(page, 'ablation-sample/mmd'))[2]).toMatch(/, drawn from 0$/);

    // Heatmap: a coloured table with a highlighted best cell.
    const bestCell = page.locator('#heatmap-table td.best');
    await expect.poll(() => bestCell.count()).toBe(1);
    // ★ only for a best that is distinguishable (the fixture's best runs are indistinguishable from data: ≈).
    expect(await bestCell.innerText()).toContain(summary.verdict.distinguishable ? '★' : '≈');
    expect(await page.locator('#heatmap-table td').count()).toBe(6);

    // Ablation: one bar chart per final metric plus ms/step, each drawn, with legends.
    for (const id of ['ablation-eval/fisher', 'ablation-sample/mmd', 'ablation-sample/swd', 'ablation-sample/mode_weight_tv', 'ablation-msPerStep']) {
      expect(await inkedPixels(page, id), id).toBeGreaterThan(2000);
      const floor = id.startsWith('ablation-sample/') ? [expect.stringMatching(new RegExp(`^floor ref/${id.slice('ablation-sample/'.length)} `))] : [];
      expect(await legend(page, id)).toEqual(['mean over runs (whiskers: min–max)', 'one run (seed)', ...floor]);
    }
    // Curves: one mean line (and band) per configuration.
    expect(await inkedPixels(page, 'curves-chart')).toBeGreaterThan(2000);
    const curveLegend = await legend(page, 'curves-chart');
    expect(curveLegend).toHaveLength(6);
    expect(curveLegend.some((t) => t.startsWith('loss.kind=dsm, sampler.stepSize=0.1'))).toBe(true);
    await page.screenshot({ path: join(SHOTS, '2-sweep.png'), fullPage: true });

    // Runs table: sort by sample/mmd puts the best run first; filter; select two to compare.
    const rows = page.locator('#runs-table tbody tr');
    const headers = await page.locator('#runs-table th').allInnerTexts();
    const mmdAt = headers.findIndex((t) => t.startsWith('sample/mmd'));
    expect(headers.slice(mmdAt, mmdAt + 3).map((t) => t.replace(/ [▲▼]$/, ''))).toEqual(['sample/mmd', 'mmd (ref)', 'sample/mmd_p']);
    expect(headers).toContain('swd (ref)');
    expect(await page.locator('#runs-table .from-data').count()).toBeGreaterThan(0);
    expect(await rows.count()).toBe(s.fixture.runIds.length);
    await page.locator('#runs-table th', { hasText: /^sample\/mmd( [▲▼])?$/ }).click();
    expect(await rows.first().getAttribute('data-run-id')).toBe(String(summary.best.runId));
    await page.fill('#filter', 'dsm 0.1');
    await expect.poll(() => rows.count()).toBe(2);
    await page.fill('#filter', '');
    await rows.nth(0).locator('input.select-run').check();
    await rows.nth(1).locator('input.select-run').check();
    await page.click('#compare');
    await expect.poll(async () => (await legend(page, 'curves-chart')).length).toBe(2);
    expect((await legend(page, 'curves-chart'))[0]).toMatch(new RegExp(`^#${summary.best.runId} `));

    // Clicking a heatmap cell compares that cell's runs.
    await bestCell.click();
    await expect.poll(async () => (await legend(page, 'curves-chart')).length).toBe(summary.bestConfiguration.runIds.length);

    // On to the best run's page.
    await Promise.all([page.waitForURL(`**/runs/${summary.best.runId}`), page.click(`#runs-table a[href="/runs/${summary.best.runId}"]`)]);
    await page.waitForSelector('body[data-ready="1"]');
    for (const id of ['samples-plot', 'data-samples-plot', 'score-model', 'score-exact', 'traj-0', 'traj-10']) {
      expect(await inkedPixels(page, id), id).toBeGreaterThan(500);
    }
    for (const id of ['curve-train/loss', 'curve-sample/mmd', 'fisher-levels']) {
      expect(await inkedPixels(page, id), id).toBeGreaterThan(1000);
      expect((await legend(page, id)).length).toBe(1);
    }
    expect(await legend(page, 'curve-train/loss')).toEqual(['train/loss']);
    // Final metrics: each sample metric with its floor beside it, the ref/ rows not repeated.
    const run = await getJson(base, `/api/runs/${summary.best.runId}`);
    const mmdRow = await page.locator('#final-metrics tr[data-key="sample/mmd"] td').allInnerTexts();
    expect(mmdRow.slice(0, 3)).toEqual(['sample/mmd', fmt(run.run.latest['sample/mmd'], 4), fmt(run.run.latest['ref/mmd'], 4)]);
    expect(await page.locator('#final-metrics tr[data-key="ref/mmd"]').count()).toBe(0);
    expect(await page.locator('#final-metrics tr[data-key="sample/swd"] td.floor').innerText()).toBe(fmt(run.run.latest['ref/swd'], 4));
    expect(await page.locator('#trajectory figure').count()).toBe(11);
    expect(await page.locator('#trajectory figcaption').first().innerText()).toBe('init');

    // Config diff against a run with another objective.
    const other = s.fixture.runIds.find((id) => id !== summary.best.runId)!;
    await page.selectOption('#diff-with', String(other));
    await page.waitForSelector('#diff-table');
    expect(await page.locator('#diff-table').innerText()).toContain('loss.kind');
    await page.screenshot({ path: join(SHOTS, '3-run.png'), fullPage: true });

    expect(foreign, 'requests to other hosts (the page must work offline)').toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a failed run’s error text', async () => {
    const runs = (await getJson(base, `/api/sweeps/${s.fixture.sweepId}/runs`)).runs as { id: number; status: string; error: string | null }[];
    const failed = runs.find((r) => r.status === 'failed');
    if (!failed) return; // a real tiny sweep may have none
    const { page, errors } = await openPage(`/runs/${failed.id}`);
    expect(await page.locator('#error-text').innerText()).toContain(failed.error!);
    expect(await page.locator('h1').innerText()).toContain('failed');
    await page.screenshot({ path: join(SHOTS, '4-failed-run.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('crowns a best run only when it is distinguishable from the others and the floor', async () => {
    const w = await openStore(join(s.dir, 'scorelab.db'));
    const sweep = await w.createSweep({ name: 'clear-best', description: 'two seeds, one run far ahead', config: {}, status: 'finished' });
    // Two reference draws (seeds 0, 1): scatter = max |ref/mmd| = 0.0004; 0.08 vs 0.2 is far beyond it and mmd_p < 0.05.
    const values = [
      { loss: 'dsm', seed: 0, mmd: 0.08, ref: 0.0004 },
      { loss: 'sm', seed: 1, mmd: 0.2, ref: -0.0003 },
    ];
    const runs = await w.addRuns(sweep.id, values.map((v, idx) => ({ idx, params: { 'loss.kind': v.loss }, config: { loss: { kind: v.loss } }, configHash: v.loss, seed: v.seed })));
    for (const [i, r] of runs.entries()) {
      await w.startRun(r.id, { backend: 'wasm', versions: {}, host: 'test', pid: 1 });
      await w.logMetrics(r.id, [
        { key: 'sample/mmd', step: 10, value: values[i].mmd },
        { key: 'ref/mmd', step: 10, value: values[i].ref },
        { key: 'sample/mmd_p', step: 10, value: 0.005 },
      ]);
      await w.finishRun(r.id);
    }
    await w.close();
    {
      const { page, errors } = await openPage('/');
      const row = page.locator('#sweeps tbody tr', { hasText: 'clear-best' });
      expect((await row.locator('td.best-run').innerText()).startsWith(`★ run #${runs[0].id} · dsm · seed 0 · 0.08 ± ${fmt(0.0004)} sample/mmd`)).toBe(true);
      await Promise.all([page.waitForURL(`**/sweeps/${sweep.id}`), row.locator('a.sweep-link').click()]);
      await page.waitForSelector('body[data-ready="1"]');
      expect((await page.locator('#best-run').innerText()).startsWith(`★ Best single run: run #${runs[0].id} (dsm, seed 0): 0.08 ± ${fmt(0.0004)}`)).toBe(true);
      expect(await page.locator('#best-run-verdict').innerText()).toContain('distinguishable: ahead of the runner-up by 0.12');
      expect(await page.locator(`#runs-table tr[data-run-id="${runs[0].id}"]`).getAttribute('class')).toContain('best');
      expect(await page.locator(`#runs-table tr[data-run-id="${runs[0].id}"] td`).nth(1).innerText()).toMatch(/ ★$/);
      expect(await page.locator(`#runs-table tr[data-run-id="${runs[1].id}"] td`).nth(1).innerText()).toBe(`#${runs[1].id}`);
      await page.screenshot({ path: join(SHOTS, '6-clear-best.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('updates a live sweep by itself and stops when it is done', async () => {
    const dbPath = join(s.dir, 'scorelab.db');
    const w = await openStore(dbPath);
    const sweep = await w.createSweep({ name: 'live-sweep', description: 'written while the page is open', config: {}, status: 'running' });
    const runs = await w.addRuns(sweep.id, [
      { idx: 0, params: { 'loss.kind': 'dsm' }, config: { loss: { kind: 'dsm' } }, configHash: 'a', seed: 0 },
      { idx: 1, params: { 'loss.kind': 'sm' }, config: { loss: { kind: 'sm' } }, configHash: 'b', seed: 0 },
    ]);
    await w.startRun(runs[0].id, { backend: 'wasm', versions: {}, host: 'test', pid: 1 });
    await w.logMetrics(runs[0].id, [0, 25, 50].map((step) => ({ key: 'train/loss', step, value: 2 - step / 100 })));
    try {
      const { page, errors } = await openPage(`/sweeps/${sweep.id}`);
      expect(await page.locator('#live').isVisible()).toBe(true);
      const points = () => page.evaluate(() => (window as any).Chart.getChart(document.getElementById('curves-chart')).data.datasets.reduce((n: number, d: { data: unknown[] }) => n + d.data.length, 0));
      const before = await points();
      expect(before).toBeGreaterThan(0);

      // The runner goes on: more points, the first run finishes, the second runs and finishes.
      await w.logMetrics(runs[0].id, [75, 100].map((step) => ({ key: 'train/loss', step, value: 2 - step / 100 })));
      await expect.poll(points, { timeout: 8000, interval: 250 }).toBeGreaterThan(before);
      await w.finishRun(runs[0].id);
      await w.startRun(runs[1].id, { backend: 'wasm', versions: {}, host: 'test', pid: 1 });
      await w.logMetrics(runs[1].id, [{ key: 'train/loss', step: 0, value: 3 }]);
      await w.finishRun(runs[1].id);
      await w.setSweepStatus(sweep.id, 'finished');
      await expect.poll(() => page.locator('#runs-table .badge.finished').count(), { timeout: 8000, interval: 250 }).toBe(2);
      await expect.poll(() => page.locator('#live').isVisible(), { timeout: 8000, interval: 250 }).toBe(false);
      await page.screenshot({ path: join(SHOTS, '5-live-sweep-done.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await w.close();
    }
  });
});
