// The playground's browser files, bundled by esbuild in memory: the page's module (main.js) and the
// Web Worker (worker.js), each one ES module with its source map, plus the page and stylesheet of
// public/ and the tfjs wasm backend's .wasm files (which the worker loads from wasm/ beside it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SRC_DIR = fileURLToPath(new URL('../src/', import.meta.url));
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
export const DIST_DIR = fileURLToPath(new URL('../dist/', import.meta.url));

/** Output name (without .js) -> entry module. */
export const PLAYGROUND_ENTRIES: Readonly<Record<string, string>> = { main: 'main.ts', worker: 'worker.ts' };
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

export interface PlaygroundFile {
  contentType: string;
  body: string | Uint8Array;
}

/** URL path under /playground/ -> file. '' is the page itself. */
export type PlaygroundFiles = ReadonlyMap<string, PlaygroundFile>;

const JS = 'text/javascript; charset=utf-8';

export async function bundlePlayground(options: { minify?: boolean } = {}): Promise<PlaygroundFiles> {
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(PLAYGROUND_ENTRIES).map(([name, entry]) => [name, join(SRC_DIR, entry)])),
    outdir: DIST_DIR,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: 'linked',
    // The wasm backend's emscripten glue names Node modules on a path a browser never takes.
    external: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const imports = output.imports.filter((i) => !i.external || !isUnreachableNodeImport(i.path)).map((i) => i.path);
    if (imports.length > 0) throw new Error(`the playground bundle ${file} would import ${imports.join(', ')} in the browser`);
  }
  const files = new Map<string, PlaygroundFile>();
  for (const f of result.outputFiles) {
    const name = relative(DIST_DIR, f.path).split(sep).join('/');
    files.set(name, { contentType: name.endsWith('.map') ? 'application/json; charset=utf-8' : JS, body: f.text });
  }
  files.set('', { contentType: 'text/html; charset=utf-8', body: readFileSync(join(PUBLIC_DIR, 'index.html'), 'utf8') });
  files.set('playground.css', { contentType: 'text/css; charset=utf-8', body: readFileSync(join(PUBLIC_DIR, 'playground.css'), 'utf8') });
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const w of WASM_FILES) files.set(`wasm/${w}`, { contentType: 'application/wasm', body: readFileSync(join(wasmDir, w)) });
  return files;
}

function isUnreachableNodeImport(path: string): boolean {
  return ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'].includes(path) || path.startsWith('node:');
}
