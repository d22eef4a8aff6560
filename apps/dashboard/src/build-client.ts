// npx nx run dashboard:build — writes the bundled client (apps/dashboard/dist/*.js and source maps).
// The server does not need it: it bundles the client in memory when it starts.
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { DIST_DIR, writeClientBundle } from './bundle-client';

const outdir = process.argv[2] === undefined ? DIST_DIR : resolve(process.argv[2]);
try {
  for (const path of await writeClientBundle(outdir)) console.log(`${relative(process.cwd(), path)}  ${(statSync(path).size / 1024).toFixed(1)} KB`);
} catch (e) {
  console.error(`dashboard build: ${(e as Error).message}`);
  process.exit(1);
}
