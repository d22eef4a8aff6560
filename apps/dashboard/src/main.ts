// npx nx run dashboard:serve [--db FILE] [--port 4200] [--host 127.0.0.1]
// Exit codes (DESIGN.md section 4): 2 = bad arguments or no store to show.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SchemaVersionError, UnusableStoreError } from '@scorelab/tracking';
import { startServer } from './server';

const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const USAGE = `usage: npx nx run dashboard:serve [--db FILE] [--port 4200] [--host 127.0.0.1]

  --db FILE    run store to show, opened read-only (default runs/scorelab.db in the workspace)
  --port N     port to listen on, 0 = any free port (default 4200)
  --host H     address to bind (default 127.0.0.1, this machine only)`;

function fail(message: string): never {
  console.error(`dashboard: ${message}`);
  process.exit(2);
}

let values: { db?: string; port?: string; host?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  fail(`${(e as Error).message}\n${USAGE}`);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const dbPath = values.db === undefined ? resolve(WORKSPACE_ROOT, 'runs/scorelab.db') : resolve(values.db);
const portText = values.port ?? '4200';
if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) fail(`--port must be an integer from 0 to 65535, got '${portText}'`);
const host = values.host ?? '127.0.0.1';

if (!existsSync(dbPath)) {
  fail(`no run store at ${dbPath}\nRun a sweep first:  npx nx run runner:sweep\n(or point to a store with --db FILE)`);
}

let server;
try {
  server = await startServer({
    dbPath,
    port: Number(portText),
    host,
    // The pages show it in a banner; the terminal says it once per change.
    onStoreChange: (h) => console.error(`dashboard: ${h.state === 'open' ? `${dbPath} was replaced: serving the new store` : h.reason}`),
  });
} catch (e) {
  const err = e as Error & { code?: string };
  if (err.code === 'EADDRINUSE') fail(`port ${portText} is in use; choose another with --port`);
  // Not a scorelab store (or one this build cannot read): what the file is and what to do, one line.
  if (err instanceof UnusableStoreError || err instanceof SchemaVersionError) fail(err.message);
  fail(`cannot serve ${dbPath}: ${err.message}`);
}
console.log(`Scorelab dashboard: ${server.url}/  (store ${dbPath}, read-only; Ctrl-C to stop)`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
