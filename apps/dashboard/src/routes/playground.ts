// /playground: the playground app (apps/playground), served offline beside the dashboard. Its page
// module and Web Worker are bundled by file path with esbuild on the first request (about 2 s; the
// worker carries tfjs and the pipeline, which the dashboard itself never loads), its page and
// stylesheet come from apps/playground/public, and the tfjs wasm backend's .wasm files from
// node_modules. Nothing is built from a request's path: every file is in a fixed table.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Router, type Response } from 'express';
import { notFound, quote } from '../http-input';

const PLAYGROUND_DIR = fileURLToPath(new URL('../../../playground/', import.meta.url));
const OUTDIR = join(PLAYGROUND_DIR, 'dist');
const ENTRIES = { main: 'src/main.ts', worker: 'src/worker.ts' };
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
/** Node modules the wasm backend's emscripten glue names on a path a browser never takes. */
const NODE_ONLY = ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'];

/**
 * The dashboard's policy (guards.ts) plus 'wasm-unsafe-eval': the worker compiles WebAssembly (the fused kernels
 * and tfjs's wasm backend), which script-src 'self' alone forbids. Still nothing from another origin.
 */
const PLAYGROUND_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

interface ServedFile {
  type: string;
  body: string | Buffer;
}

/** URL path under /playground/ -> file; '' is the page. */
export async function playgroundFiles(): Promise<ReadonlyMap<string, ServedFile>> {
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, entry]) => [name, join(PLAYGROUND_DIR, entry)])),
    outdir: OUTDIR,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    external: ['node:*', ...NODE_ONLY],
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  const files = new Map<string, ServedFile>();
  for (const f of result.outputFiles) {
    const name = relative(OUTDIR, f.path).split(sep).join('/');
    files.set(name, { type: name.endsWith('.map') ? 'application/json; charset=utf-8' : 'text/javascript; charset=utf-8', body: f.text });
  }
  files.set('', { type: 'text/html; charset=utf-8', body: readFileSync(join(PLAYGROUND_DIR, 'public/index.html'), 'utf8') });
  files.set('playground.css', { type: 'text/css; charset=utf-8', body: readFileSync(join(PLAYGROUND_DIR, 'public/playground.css'), 'utf8') });
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const w of WASM_FILES) files.set(`wasm/${w}`, { type: 'application/wasm', body: readFileSync(join(wasmDir, w)) });
  return files;
}

export function playgroundRoutes(): Router {
  const router = Router();
  let files: Promise<ReadonlyMap<string, ServedFile>> | null = null;
  const serve = async (name: string, res: Response) => {
    if (!files) {
      files = playgroundFiles();
      // A failed build is tried again by the next request.
      files.catch(() => (files = null));
    }
    const file = (await files).get(name);
    if (!file) throw notFound(`no playground file ${quote(name)}`);
    res.setHeader('Content-Type', file.type);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', PLAYGROUND_CSP);
    res.send(file.body);
  };
  router.get('/playground', (_req, res) => serve('', res));
  router.get('/playground/*path', (req, res) => serve((req.params as { path: string[] }).path.join('/'), res));
  return router;
}
