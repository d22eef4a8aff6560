// The browser client as esbuild bundles it (src/bundle-client.ts): one self-contained ES module per
// page that imports nothing at run time, carries only the parts of @scorelab/config it uses (no
// zod, yaml or node:fs), and comes with a source map back to the TypeScript.
import { describe, expect, it } from 'vitest';
import { bundleClient, CLIENT_PAGES } from '../src/bundle-client';

describe('client bundle', async () => {
  const bundle = await bundleClient();

  it.each(Object.keys(CLIENT_PAGES))('%s.js is small, self-contained and mapped to its sources', (page) => {
    const js = bundle.files.get(`${page}.js`)!;
    expect(js).toBeDefined();
    // Minified, 5-25 KB today; zod alone would add about 500 KB.
    expect(bundle.sizes[page]).toBeLessThan(60_000);
    expect(js).not.toMatch(/\bimport\s*[\s{*(]|\bfrom\s*["']|require\(/);
    expect(js).not.toContain('node:');
    expect(js).toContain(`//# sourceMappingURL=${page}.js.map`);
    const sources: string[] = JSON.parse(bundle.files.get(`${page}.js.map`)!).sources;
    expect(sources).toContain(`../client/${CLIENT_PAGES[page]}`);
    // Of @scorelab/config only the helpers the client uses (METRIC, parameterValueLabel).
    const config = sources.filter((s) => s.includes('packages/config/src/')).map((s) => s.split('/').pop()).sort();
    expect(config).toEqual(['metric-names.ts', 'value-label.ts']);
    expect(sources.filter((s) => s.includes('node_modules'))).toEqual([]);
  });
});
