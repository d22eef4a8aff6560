// The playground in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core), offline:
// every request outside this server is blocked. A short dsm run changes the learned field toward the
// exact one; its exported experiment file, run in Node through executeRun (what `scorelab run` calls)
// with the same seed, gives the same metrics as the page; pause holds the step, reset starts again.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseSweep } from '@scorelab/config';
import { selectBackend } from '@scorelab/core';
import { executeRun, type MetricRecord } from '@scorelab/pipeline';
import { CHROMIUM, hasChromium, openPlayground, setControls, startSession, type Session } from '../scripts/chromium';

if (!hasChromium) console.warn(`playground browser tests SKIPPED: ${CHROMIUM} is absent (apt-get install -y chromium)`);
const SHOTS = fileURLToPath(new URL('../../../test-artifacts/playground/', import.meta.url));

let session: Session;
const open = () => openPlayground(session);

type FieldSnapshot = { step: number; model: number[]; exact: number[] } | null;
const fieldOf = (page: Page, level?: number, initial = false): Promise<FieldSnapshot> =>
  page.evaluate(([k, first]) => (window as any).playground.field(k, first), [level, initial] as const);
/** The run's first field (step 0), once it has arrived: later fields may replace it before a poll looks. */
async function initialField(page: Page, level?: number): Promise<NonNullable<FieldSnapshot>> {
  await expect.poll(() => fieldOf(page, level, true).then((f) => f?.step), { timeout: 30_000 }).toBe(0);
  return (await fieldOf(page, level, true))!;
}

/** Relative squared error of the learned field against the exact one. */
function fieldError(f: NonNullable<FieldSnapshot>): number {
  let num = 0;
  let den = 0;
  f.model.forEach((v, i) => {
    num += (v - f.exact[i]) ** 2;
    den += f.exact[i] ** 2;
  });
  return num / den;
}

async function pageMetrics(page: Page): Promise<Map<string, number>> {
  const rows = await page.locator('#metrics tr').evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.key!, Number((tr as HTMLElement).dataset.value)] as [string, number]));
  return new Map(rows);
}

/**
 * The page's exported experiment file, validated by config's parser and run in Node through executeRun with the
 * same seed on the same engine: every metric but the timings (perf/*) is equal to the page's.
 */
async function expectSameMetricsInNode(page: Page, metrics: Map<string, number>, engine: 'fused' | 'tfjs'): Promise<void> {
  const sweep = parseSweep(await page.locator('#yaml').inputValue(), 'playground.yaml');
  expect(sweep.runs).toHaveLength(1);
  const run = sweep.runs[0];
  expect(run.seed).toBe(3);
  await selectBackend('wasm');
  const logged: MetricRecord[] = [];
  const outcome = await executeRun(run.config, run.seed, { log: (p) => logged.push(...p), progress: () => {}, artifact: () => {}, shouldStop: () => false });
  expect(outcome.engine).toBe(engine);
  const node = new Map<string, number>();
  for (const p of logged) node.set(p.key, p.value);
  const keys = [...metrics.keys()].filter((k) => !k.startsWith('perf/'));
  expect([...node.keys()].filter((k) => !k.startsWith('perf/')).sort()).toEqual(keys.sort());
  for (const k of keys) expect(metrics.get(k), k).toBe(node.get(k));
}

const SHORT_RUN = { dataset: 'rings', loss: 'dsm', levels: '5', steps: '200', logEvery: '25', evalEvery: '100', samplerSteps: '10', samples: '200', seed: '3' };

describe.skipIf(!hasChromium)('playground in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    session = await startSession();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('trains dsm on rings, moves the learned field toward the exact one, and its YAML gives the same metrics in Node', async () => {
    const { page, foreign, errors } = await open();
    await setControls(page, SHORT_RUN);
    await page.click('#start');
    // At the largest level (σ = 3), which 200 steps learn well; the smallest (0.1) takes thousands.
    const before = await initialField(page, 0);
    await page.waitForSelector('body[data-state="done"], body[data-state="failed"]', { timeout: 60_000 });
    expect(await page.locator('#status').innerText()).toMatch(/^done/);
    const after = (await fieldOf(page, 0))!;
    expect(after.step).toBe(200);
    // The initial network is far from the exact score (relative error near 1); 200 dsm steps must at least halve it.
    expect(fieldError(before)).toBeGreaterThan(0.5);
    expect(fieldError(after)).toBeLessThan(fieldError(before) / 2);
    await page.screenshot({ path: join(SHOTS, 'dsm-rings.png'), fullPage: true });

    const metrics = await pageMetrics(page);
    for (const key of ['train/loss', 'eval/fisher', 'sample/mmd', 'ref/mmd', 'sample/swd', 'ref/swd']) expect(metrics.has(key), key).toBe(true);
    expect(await page.locator('#floors tr').count()).toBeGreaterThanOrEqual(2);
    const engine = await page.evaluate(() => document.body.dataset.engine);
    expect(engine).toBe('fused');

    await expectSameMetricsInNode(page, metrics, 'fused');
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on the tfjs engine (tfjs wasm backend) too, the page and Node give the same metrics', async () => {
    const { page, foreign, errors } = await open();
    await setControls(page, { ...SHORT_RUN, engine: 'tfjs', steps: '100', evalEvery: '50' });
    await page.click('#start');
    await page.waitForSelector('body[data-state="done"], body[data-state="failed"]', { timeout: 60_000 });
    expect(await page.locator('#status').innerText()).toMatch(/^done: 100 steps .* on the tfjs engine$/);
    await expectSameMetricsInNode(page, await pageMetrics(page), 'tfjs');
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('pause holds the step while the views still answer; reset starts again from the same initial field', async () => {
    const { page, foreign, errors } = await open();
    await setControls(page, { ...SHORT_RUN, steps: '100000' });
    await page.click('#start');
    const initial = await initialField(page);
    await expect.poll(() => page.evaluate(() => Number(document.body.dataset.step)), { timeout: 30_000 }).toBeGreaterThan(50);
    await page.click('#pause');
    await page.waitForSelector('body[data-state="paused"]');
    await expect.poll(() => fieldOf(page).then((f) => f?.step), { timeout: 20_000 }).toBe(await page.evaluate(() => Number(document.body.dataset.step)));
    const held = (await fieldOf(page))!.step;
    // A view request is answered while paused, at the step training stopped at.
    // The field starts at the smallest level (where the sampler ends); move the slider to the largest.
    expect(await page.locator('#level-label').innerText()).toMatch(/^σ=0\.1 · step/);
    await page.locator('#level').fill('0');
    await page.locator('#level').dispatchEvent('input');
    await expect.poll(() => page.locator('#level-label').innerText()).toMatch(/^σ=3 · step/);
    expect((await fieldOf(page))!.step).toBe(held);
    expect(await page.evaluate(() => Number(document.body.dataset.step))).toBe(held);
    await page.click('#reset');
    await page.waitForSelector('body[data-state="idle"]');
    await page.locator('#level').fill('4');
    await page.locator('#level').dispatchEvent('input');
    await page.click('#start');
    expect((await initialField(page)).model).toEqual(initial.model);
    await page.click('#reset');
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
