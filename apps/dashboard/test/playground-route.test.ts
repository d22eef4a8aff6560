// /playground is served by the dashboard: the page, its bundled module and worker, and the tfjs wasm
// files, from a fixed table (anything else under /playground is a 404). The page itself is tested in
// headless Chromium by apps/playground/test/browser.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet, serveFixture, type Served } from './helpers';

let s: Served;

describe('/playground', () => {
  beforeAll(async () => {
    s = await serveFixture();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('serves the page, its bundles and the wasm backend files, and 404s the rest', async () => {
    const page = await rawGet(s.server.url, '/playground');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<script type="module" src="/playground/main.js">');
    // The worker compiles WebAssembly: the policy allows that and still nothing from another origin.
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self';/);
    for (const [path, type] of [
      ['/playground/main.js', /^text\/javascript/],
      ['/playground/worker.js', /^text\/javascript/],
      ['/playground/playground.css', /^text\/css/],
      ['/playground/wasm/tfjs-backend-wasm-simd.wasm', /^application\/wasm/],
    ] as const) {
      const r = await rawGet(s.server.url, path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type'], path).toMatch(type);
    }
    // The worker carries the pipeline (executeRun) bundled in; the dashboard's own pages do not.
    expect((await rawGet(s.server.url, '/playground/worker.js')).body.length).toBeGreaterThan(500_000);
    for (const path of ['/playground/nope.js', '/playground/../package.json', '/playground/wasm/%2e%2e%2fpackage.json']) expect((await rawGet(s.server.url, path)).status, path).toBe(404);
    const index = await rawGet(s.server.url, '/');
    expect(index.body).toContain('href="/playground"');
  });
});
