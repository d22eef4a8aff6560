// "Open a stored run", end to end: the CLI trains a run from the playground's experiment file into a
// SQLite store, the dashboard serves that store and the playground; the page loads the run's trained
// model over the API and samples it again with its own sampler settings (no training), and gets the
// metrics `scorelab sample --run` gets with the same sampler settings.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, openPlayground, setControls } from '../scripts/chromium';
import { DEFAULT_SETTINGS, experimentYaml } from '../src/settings';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCORELAB = join(ROOT, 'node_modules/.bin/scorelab');

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, SCORELAB_ENGINE: '' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

let dir: string;
let dashboard: ReturnType<typeof spawn> | null = null;
let url: string;
let browser: Browser;

describe.skipIf(!hasChromium)('open a stored run', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scorelab-playground-'));
    const store = join(dir, 'runs.db');
    const file = join(dir, 'playground.yaml');
    writeFileSync(file, experimentYaml({ ...DEFAULT_SETTINGS, name: 'stored', levels: 5, steps: 200, evalEvery: 200, samplerSteps: 10, samples: 200, seed: 5 }));
    await run(SCORELAB, ['sweep', '--config', file, '--store', store, '--quiet']);
    await run(SCORELAB, ['sample', '--run', '1', '--store', store, '--set', 'sampler.stepsPerLevel=20', '--set', 'sampler.stepSize=0.001', '--quiet']);
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['apps/dashboard/src/main.ts', '--store', store, '--port', '0'], { cwd: ROOT });
    dashboard = child;
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /Scorelab dashboard: (http:\/\/[^/\s]+)\//.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`the dashboard exited ${code}: ${out}`)));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    dashboard?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads run 1 from the dashboard and samples it like `scorelab sample`', async () => {
    const { page, foreign, errors } = await openPlayground({ browser, server: { url } });
    await setControls(page, { sampler: 'ald', samplerSteps: '20', stepSize: '0.001', samples: '200' });
    await page.locator('#run-id').fill('1');
    await page.click('#open-run');
    await expect.poll(() => page.locator('#stored-status').innerText(), { timeout: 15_000 }).toBe('run 1: mlp by dsm on rings, seed 5');
    await page.click('#resample');
    await page.waitForSelector('body[data-state="done"], body[data-state="failed"]', { timeout: 60_000 });
    expect(await page.locator('#status').innerText()).toMatch(/^done: 200 steps/);
    const metrics = new Map(
      await page.locator('#metrics tr').evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.key!, Number((tr as HTMLElement).dataset.value)] as [string, number])),
    );
    // No training: no train/* curve, only evaluation at step 200 and the sample metrics.
    expect([...metrics.keys()].some((k) => k.startsWith('train/'))).toBe(false);
    const sampled = await (await fetch(`${url}/api/runs/2`)).json();
    expect(sampled.run.config.sampler).toMatchObject({ kind: 'ald', stepsPerLevel: 20, stepSize: 0.001 });
    const keys = [...metrics.keys()].filter((k) => k.startsWith('sample/') || k.startsWith('ref/') || k.startsWith('eval/'));
    expect(keys).toContain('sample/mmd');
    for (const k of keys) expect(metrics.get(k), k).toBe(sampled.run.latest[k]);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });
});
