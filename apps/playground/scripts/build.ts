// npx nx run playground:build — writes the bundled playground (apps/playground/dist: index.html, main.js,
// worker.js with source maps, playground.css, wasm/) for any static file server that serves it under
// /playground/. Neither the dashboard nor playground:serve needs it: both bundle in memory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DIST_DIR, bundlePlayground } from './bundle';

const outdir = process.argv[2] === undefined ? DIST_DIR : resolve(process.argv[2]);
try {
  for (const [name, file] of await bundlePlayground()) {
    const path = join(outdir, name === '' ? 'index.html' : name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.body);
    console.log(`${relative(process.cwd(), path)}  ${((typeof file.body === 'string' ? Buffer.byteLength(file.body) : file.body.byteLength) / 1024).toFixed(1)} KB`);
  }
} catch (e) {
  console.error(`playground build: ${(e as Error).message}`);
  process.exit(1);
}
