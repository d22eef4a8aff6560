// npx nx run dashboard:serve [--store FILE|URL] [--db FILE] [--port 4200] [--host 127.0.0.1]
// Exit codes (DESIGN.md section 4): 2 = bad arguments or no store to show.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SchemaVersionError, UnusableStoreError, isPostgresUrl, redactUrl } from '@scorelab/tracking';
import { startServer } from './server';

const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const USAGE = `usage: npx nx run dashboard:serve [--store FILE|URL] [--port 4200] [--host 127.0.0.1]

  --store S    run store to show, opened read-only: a SQLite file or postgres://user@host:port/db
               (default $SCORELAB_STORE, else runs/scorelab.db in the workspace; the password of a
               URL is best left to PGPASSWORD or ~/.pgpass)
  --db FILE    the same as --store, for a SQLite file
  --port N     port to listen on, 0 = any free port (default 4200)
  --host H     address to bind (default 127.0.0.1, this machine only)`;

function fail(message: string): never {
  console.error(`dashboard: ${message}`);
  process.exit(2);
}

let values: { store?: string; db?: string; port?: string; host?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { store: { type: 'string' }, db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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

if (values.store !== undefined && values.db !== undefined) fail('give either --store or --db, not both');
if (values.db !== undefined && isPostgresUrl(values.db)) fail('--db takes a SQLite file; give a PostgreSQL URL with --store');
const given = values.store ?? values.db ?? (process.env.SCORELAB_STORE || undefined);
const postgres = given !== undefined && isPostgresUrl(given);
// The store as opened, and as shown (a URL's password masked).
const dbPath = given === undefined ? resolve(WORKSPACE_ROOT, 'runs/scorelab.db') : postgres ? given : resolve(given);
const shown = postgres ? redactUrl(dbPath) : dbPath;
/** Messages may quote the URL: its password never reaches the terminal. */
function masked(text: string): string {
  if (!postgres) return text;
  let out = text.split(dbPath).join(shown);
  try {
    const password = decodeURIComponent(new URL(dbPath).password);
    if (password !== '') out = out.split(password).join('***');
  } catch {
    // not parsable: replaced as a whole above
  }
  return out;
}
const portText = values.port ?? '4200';
if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) fail(`--port must be an integer from 0 to 65535, got '${portText}'`);
const host = values.host ?? '127.0.0.1';

if (!postgres && !existsSync(dbPath)) {
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
  if (err instanceof UnusableStoreError || err instanceof SchemaVersionError) fail(masked(err.message));
  fail(masked(`cannot serve ${dbPath}: ${err.message}`));
}
console.log(`Scorelab dashboard: ${server.url}/  (store ${shown}, read-only; Ctrl-C to stop)`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
