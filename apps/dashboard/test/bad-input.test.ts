// Every bad request gets a 4xx with `{ error }` JSON: never a 500, a stack trace, or a file from
// outside public/. Paths are sent raw (no client-side normalisation of '..').
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet, serveFixture } from './helpers';
import type { RawResponse, Served } from './helpers';

let s: Served;
let base: string;
let sweep: number;
let run: number;

beforeAll(async () => {
  s = await serveFixture();
  base = s.server.url;
  sweep = s.fixture.sweepId;
  run = s.fixture.runIds[0];
});
afterAll(async () => {
  await s.close();
});

function expectJsonError(res: RawResponse, status: number | number[], path: string) {
  const statuses = Array.isArray(status) ? status : [status];
  expect(statuses, `${path} -> ${res.status} ${res.body}`).toContain(res.status);
  expect(res.headers['content-type'], path).toMatch(/^application\/json/);
  const body = JSON.parse(res.body);
  expect(Object.keys(body), path).toEqual(['error']);
  expect(typeof body.error).toBe('string');
  expect(body.error.length).toBeGreaterThan(5);
  // No stack traces or server paths in answers.
  expect(res.body, path).not.toMatch(/\n\s+at |node_modules|\/src\/|\.ts:\d/);
  return body.error as string;
}

describe('unknown ids', () => {
  it.each([
    ['/api/runs/999999', 404],
    ['/api/sweeps/999999', 404],
    ['/api/sweeps/no-such-sweep', 404],
    ['/api/runs/999999/artifacts', 404],
    ['/api/runs/999999/artifacts/samples', 404],
    ['/api/runs/999999/series?key=train/loss', 404],
    ['/runs/999999', 404],
    ['/sweeps/999999', 404],
    ['/api/no-such-endpoint', 404],
    ['/no/such/page', 404],
  ])('%s -> %i', async (path, status) => {
    expectJsonError(await rawGet(base, path), status, path);
  });

  it('says what was not found', async () => {
    expect(expectJsonError(await rawGet(base, '/api/runs/999999'), 404, '')).toBe('no run 999999');
    expect(expectJsonError(await rawGet(base, `/api/runs/${run}/artifacts/nope`), 404, '')).toBe(`run ${run} has no artifact "nope"`);
    expect(expectJsonError(await rawGet(base, `/api/runs/${run}/series?key=nope/x`), 404, '')).toContain('has no metric');
  });
});

describe('malformed ids and query parameters', () => {
  const paths = () => [
    '/api/runs/abc',
    '/api/runs/-1',
    '/api/runs/0',
    '/api/runs/1.5',
    '/api/runs/1e3',
    '/api/runs/0x10',
    '/api/runs/99999999999999999999',
    '/api/runs/1%20OR%201=1',
    "/api/runs/1'%3B%20DROP%20TABLE%20runs%3B--",
    '/runs/abc',
    `/api/sweeps/${sweep}/curves?key=train/loss&runs=${run}&maxPoints=abc`,
    `/api/sweeps/${sweep}/curves?key=train/loss&runs=${run}&maxPoints=-5`,
    `/api/sweeps/${sweep}/curves?key=train/loss&runs=${run}&maxPoints=1`,
    `/api/sweeps/${sweep}/curves?key=train/loss&runs=${run}&maxPoints=1e9`,
    `/api/sweeps/${sweep}/curves?key=train/loss&runs=${run}&maxPoints=2.5`,
    `/api/sweeps/${sweep}/curves?key=train/loss&runs=${run}&maxPoints=`,
    `/api/runs/${run}/series?key=train/loss&maxPoints=abc`,
    `/api/runs/${run}/series?key=train/loss&maxPoints=-1`,
    `/api/sweeps/${sweep}/curves?runs=${run}`,
    `/api/sweeps/${sweep}/curves?key=no/such_key`,
    `/api/sweeps/${sweep}/curves?key=train/loss&key=eval/fisher`,
    `/api/sweeps/${sweep}/curves?key=train/loss&runs=${run},abc`,
    `/api/sweeps/${sweep}/curves?key=train/loss&runs=`,
    `/api/sweeps/${sweep}/curves?key=train/loss&runs=${run}&runs=${run}`,
    `/api/sweeps/${sweep}/curves?key=train/loss&groupBy=nope`,
    `/api/sweeps/${sweep}/curves?key=train/loss&groupBy=loss.kind')%20OR%201=1--`,
    `/api/sweeps/${sweep}/curves?key=${'x'.repeat(5000)}`,
    `/api/sweeps/${sweep}/curves?key=train%2Floss%00`,
    `/api/sweeps/${sweep}/heatmap?x=nope`,
    `/api/sweeps/${sweep}/heatmap?x=loss.kind&y=loss.kind`,
    `/api/sweeps/${sweep}/heatmap?metric=nope`,
    `/api/sweeps/${sweep}/heatmap?metric=sample/mmd'%20OR%20'1'='1`,
    `/api/sweeps/${sweep}/ablation?param=nope`,
    `/api/sweeps/${sweep}/ablation?metrics=nope`,
    `/api/sweeps/${sweep}?metric=nope`,
    `/api/sweeps/${sweep}/runs.csv?ids=1,x`,
    `/api/runs/${run}/diff`,
    `/api/runs/${run}/diff?other=abc`,
    `/api/runs/${run}/artifacts/${'a'.repeat(300)}`,
  ];
  it('answers 400 with the reason, for each of them', async () => {
    for (const path of paths()) {
      const res = await rawGet(base, path);
      expectJsonError(res, 400, path);
    }
  });

  it('caps maxPoints instead of failing on a large one', async () => {
    const res = await rawGet(base, `/api/runs/${run}/series?key=train/loss&maxPoints=999999`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).maxPoints).toBe(2000);
  });

  it('names the expected form in the message', async () => {
    expect(expectJsonError(await rawGet(base, '/api/runs/abc'), 400, '')).toBe('run id must be a positive integer, got "abc"');
    expect(expectJsonError(await rawGet(base, `/api/runs/${run}/series?key=train/loss&maxPoints=abc`), 400, '')).toBe('maxPoints must be an integer >= 2, got "abc"');
  });

  it('treats injection attempts as plain (unknown) names, and the store is intact afterwards', async () => {
    for (const path of ["/api/sweeps/x'%3B%20DROP%20TABLE%20sweeps%3B--", '/api/sweeps/1%20OR%201%3D1', "/api/runs/1/artifacts/x'%20OR%20'1'%3D'1"]) {
      expectJsonError(await rawGet(base, path), 404, path);
    }
    const after = JSON.parse((await rawGet(base, '/api/sweeps')).body);
    expect(after.sweeps[0].counts.total).toBe(s.fixture.runIds.length);
  });
});

describe('static files', () => {
  it.each([
    '/static/../../package.json',
    '/static/../../../../etc/passwd',
    '/static/%2e%2e/%2e%2e/package.json',
    '/static/%2E%2E/%2E%2E/package.json',
    '/static/..%2f..%2fpackage.json',
    '/static/..%2F..%2F..%2Fpackage.json',
    '/static/%2e%2e%2f%2e%2e%2fpackage.json',
    '/static/..%5c..%5cpackage.json',
    '/static/css/..%2f..%2f..%2fsrc%2fapp.ts',
    '/static/css/app.css%00.js',
    '/static/%252e%252e/%252e%252e/package.json',
    '/static/./css/../../src/app.ts',
    '/static/',
    '/static/nope.js',
    '/static/js/contour.d.ts',
    '/vendor/../package.json',
    '/static/%E0%A4%A',
  ])('%s is refused with JSON', async (path) => {
    const res = await rawGet(base, path);
    expectJsonError(res, [400, 403, 404], path);
    expect(res.body).not.toContain('"workspaces"');
    expect(res.body).not.toContain('root:');
  });

  it('serves a listed file and the bundled client, whose sources are not served', async () => {
    const res = await rawGet(base, '/static/js/sweep-page.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    const map = await rawGet(base, '/static/js/sweep-page.js.map');
    expect(map.status).toBe(200);
    expect(JSON.parse(map.body).sources.some((s: string) => s.endsWith('client/sweep/heatmap.ts'))).toBe(true);
    for (const path of ['/static/js/util.js', '/static/js/sweep/page.ts', '/static/client/sweep/page.ts', '/static/js/out/sweep-page.js']) {
      expectJsonError(await rawGet(base, path), 404, path);
    }
  });
});

describe('protocol', () => {
  it('refuses writes: the dashboard is read-only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await rawGet(base, '/api/sweeps', { method });
      expectJsonError(res, 405, method);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it('answers malformed URL encoding with 400 JSON', async () => {
    expectJsonError(await rawGet(base, '/api/runs/%E0%A4%A'), 400, 'bad encoding');
    expectJsonError(await rawGet(base, '/api/sweeps/%ZZ'), 400, 'bad encoding');
  });

  it('refuses a foreign Host header (DNS rebinding) on a loopback server', async () => {
    expectJsonError(await rawGet(base, '/api/sweeps', { headers: { Host: 'evil.example:80' } }), 403, 'host');
    const ok = await rawGet(base, '/api/health', { headers: { Host: `localhost:${s.server.port}` } });
    expect(ok.status).toBe(200);
  });

  it('sends security headers', async () => {
    const res = await rawGet(base, '/');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
