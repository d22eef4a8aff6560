import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestPostgres, type TestPostgres } from '../testing';

const HOLDER = fileURLToPath(new URL('../test/postgres-holder.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Polls `condition` every 100 ms, for at most `limitMs` (a bound on a wait, not a timing assertion). */
async function eventually(condition: () => Promise<boolean> | boolean, limitMs = 20_000): Promise<boolean> {
  for (let waited = 0; waited < limitMs; waited += 100) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

async function reachable(url: string): Promise<boolean> {
  try {
    await query(url, 'SELECT 1');
    return true;
  } catch {
    return false;
  }
}

describe('startTestPostgres', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(() => server?.stop());

  it('is a PostgreSQL 17 server on loopback that needs the password of its URL', async () => {
    const { rows } = await query(server.url, 'SHOW server_version');
    expect(String(rows[0].server_version)).toMatch(/^17\./);
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    url.password = 'wrong';
    await expect(query(url.toString(), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  });

  it('gives each caller a fresh, empty database of its own', async () => {
    const [a, b] = [await createTestDatabase(server.url), await createTestDatabase(server.url)];
    expect(a).not.toBe(b);
    await query(a, 'CREATE TABLE t (x int)');
    const tables = async (u: string) => (await query(u, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n;
    expect(await tables(a)).toBe(1);
    expect(await tables(b)).toBe(0);
  });

  it('stop() shuts the server down and removes its directory, and may be called twice', async () => {
    const other = await startTestPostgres();
    expect(await reachable(other.url)).toBe(true);
    expect(existsSync(other.dir)).toBe(true);
    await other.stop();
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    expect(await reachable(other.url)).toBe(false);
  });

  it('is removed when the process that started it is SIGKILLed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', HOLDER], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.once('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
    });
    const { url, dir } = JSON.parse(line) as { url: string; dir: string };
    expect(await reachable(url)).toBe(true);
    child.kill('SIGKILL');
    expect(await eventually(() => !existsSync(dir))).toBe(true);
    expect(await reachable(url)).toBe(false);
  });
});
