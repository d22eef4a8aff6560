// The browser client (apps/dashboard/client, TypeScript) bundled by esbuild into one ES module per
// page, with source maps. The server bundles it in memory once per process (about 100 ms) and serves
// it under /static/js/; `npx nx run dashboard:build` writes the same files to apps/dashboard/dist/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CLIENT_DIR = fileURLToPath(new URL('../client/', import.meta.url));
/** Where `dashboard:build` writes the files; source maps name their sources relative to it. */
export const DIST_DIR = fileURLToPath(new URL('../dist/', import.meta.url));

/** Output name (without .js) -> entry module of that page. */
export const CLIENT_PAGES: Readonly<Record<string, string>> = {
  'sweeps-page': 'sweeps/page.ts',
  'sweep-page': 'sweep/page.ts',
  'run-page': 'run/page.ts',
};

export interface ClientBundle {
  /** File name ('sweep-page.js', 'sweep-page.js.map', ...) -> contents. */
  files: ReadonlyMap<string, string>;
  /** Bytes of JavaScript per page (source maps not counted). */
  sizes: Readonly<Record<string, number>>;
}

/** Bundles the client (nothing is written). Rejects with esbuild's messages, or if a page would
 * import anything at run time (node:*). */
export async function bundleClient(options: { outdir?: string; minify?: boolean } = {}): Promise<ClientBundle> {
  const outdir = options.outdir ?? DIST_DIR;
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(CLIENT_PAGES).map(([name, entry]) => [name, join(CLIENT_DIR, entry)])),
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: 'linked',
    // @scorelab/config is marked `"sideEffects": false`, so esbuild keeps only the helpers the client
    // uses (not zod, yaml or load-file.ts's node:fs); the check below fails the build if an import survives.
    external: ['node:*'],
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const imports = output.imports.map((i) => i.path);
    if (imports.length > 0) throw new Error(`the dashboard client bundle ${file} would import ${imports.join(', ')} in the browser`);
  }
  const files = new Map<string, string>();
  const sizes: Record<string, number> = {};
  for (const f of result.outputFiles) {
    const name = relative(outdir, f.path).split(sep).join('/');
    files.set(name, f.text);
    if (name.endsWith('.js')) sizes[name.slice(0, -3)] = f.contents.byteLength;
  }
  return { files, sizes };
}

let cached: Promise<ClientBundle> | null = null;

/** This process's bundle, built on first use (the client does not change while a server runs). */
export function clientBundle(): Promise<ClientBundle> {
  if (!cached) {
    cached = bundleClient();
    // A failed build is tried again by the next caller.
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}

/** Writes the bundle's files to `outdir` (created if missing); returns their paths. */
export async function writeClientBundle(outdir = DIST_DIR): Promise<string[]> {
  const { files } = await bundleClient({ outdir });
  mkdirSync(outdir, { recursive: true });
  return [...files].map(([name, text]) => {
    const path = join(outdir, name);
    writeFileSync(path, text);
    return path;
  });
}
