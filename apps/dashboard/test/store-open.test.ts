// `dashboard:serve --db FILE` with a file that is not a scorelab store: exit 2, one line saying what
// the file is and what to do (no stack trace), and the file left exactly as it was.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');
const MAIN = join(REPO_ROOT, 'apps/dashboard/src/main.ts');

function serve(db: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(TSX, [MAIN, '--db', db, '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A server that started by mistake would never exit: stop it so the test fails instead of hanging.
  const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scorelab-dashboard-open-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a --db that is not a scorelab store', () => {
  it.each([
    ['a text file', (p: string) => writeFileSync(p, 'name,score\nada,3\n'), 'it is a text file (it begins "name,score")'],
    ['random bytes', (p: string) => writeFileSync(p, randomBytes(2048)), 'it is not a SQLite database (2048 bytes of other data)'],
    [
      "another application's SQLite database",
      (p: string) => {
        const db = new Database(p);
        db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); CREATE TABLE albums (id INTEGER PRIMARY KEY)');
        db.close();
      },
      "it is another application's SQLite database (tables: albums, photos)",
    ],
  ])('%s: exit 2 with one line, file untouched', async (_name, make, what) => {
    const db = join(dir, 'store.db');
    make(db);
    const bytes = readFileSync(db);
    const { mtimeMs } = statSync(db);
    const r = await serve(db);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([`dashboard: ${db} is not a scorelab store: ${what}; point --db at a scorelab store (a file that scorelab sweep or run wrote)`]);
    expect(readFileSync(db).equals(bytes)).toBe(true);
    expect(statSync(db).mtimeMs).toBe(mtimeMs);
    expect(readdirSync(dir)).toEqual(['store.db']);
  });
});
