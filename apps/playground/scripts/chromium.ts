// Headless Chromium on the playground (Debian's /usr/bin/chromium through playwright-core; no browser
// is ever downloaded), offline: every request outside the playground's server is blocked and recorded.
// Shared by the browser test, the benchmark and the screenshot script.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bundlePlayground } from './bundle';
import { servePlayground, type PlaygroundServer } from './serve';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export interface Session {
  browser: Browser;
  server: PlaygroundServer;
  close(): Promise<void>;
}

export async function startSession(): Promise<Session> {
  const [browser, files] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
    bundlePlayground(),
  ]);
  const server = await servePlayground(files);
  return {
    browser,
    server,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

export interface OpenedPage {
  page: Page;
  /** Requests to anything but the server (blocked). */
  foreign: string[];
  /** Page errors and console errors. */
  errors: string[];
}

/** Opens the playground served at `s.server.url` (its own server, or a dashboard's). */
export async function openPlayground(s: { browser: Browser; server: { url: string } }, query = ''): Promise<OpenedPage> {
  const page = await s.browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const foreign: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith(s.server.url)) return route.continue();
    foreign.push(route.request().url());
    return route.abort();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${s.server.url}/playground${query}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  return { page, foreign, errors };
}

/** Sets controls as a user would (their change events). */
export async function setControls(page: Page, values: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    const el = page.locator(`#control-${key}`);
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
    await el.dispatchEvent('change');
  }
}

/** Starts the run and waits until it is done (or failed); returns the status line. */
export async function runToEnd(page: Page, timeout = 120_000): Promise<string> {
  await page.click('#start');
  await page.waitForSelector('body[data-state="done"], body[data-state="failed"]', { timeout });
  return page.locator('#status').innerText();
}
