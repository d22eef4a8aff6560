// Several writer processes (each its own connection, as the runner's workers) and one reader at
// the same time, on a store none of them created beforehand: for every backend.
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRunStore } from './postgres/postgres-store';
import { SqliteRunStore } from './sqlite-store';
import { newRun } from './test/helpers';
import { storeSuppliers } from './test/store-suppliers';
import type { RunStore } from './types';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WRITER = fileURLToPath(new URL('./test/concurrent-writer.ts', import.meta.url));

interface Child {
  proc: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function spawnWriter(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { proc, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The number of schema_version rows: one per migration applied, whoever applied it. */
async function migrationsApplied(store: RunStore): Promise<number> {
  if (store instanceof SqliteRunStore) return store.settings().schemaVersion;
  if (store instanceof PostgresRunStore) return (await store.pool.query(`SELECT count(*)::int AS n FROM schema_version`)).rows[0].n;
  throw new Error('unknown store');
}

describe.each(storeSuppliers())('concurrent access ($mode)', (supplier) => {
  beforeAll(() => supplier.setup());
  afterAll(() => supplier.teardown());
  const openStore = (location: string, options?: { readonly?: boolean; now?: () => number }) => supplier.open(location, options);

  it('3 writer processes x 20,000 points and a polling reader: no lock errors, no lost or partial batches', async () => {
    const db = await supplier.fresh();
    const WRITERS = 3;
    const POINTS = 20_000;
    const BATCH = 500; // 250 points per key per transaction
    const writers = Array.from({ length: WRITERS }, () =>
      spawnWriter(['write', db, 'conc', String(WRITERS), String(POINTS), String(BATCH)]),
    );
    let finished = false;
    const all = Promise.all(writers.map((w) => w.done)).finally(() => (finished = true));

    // Reader: opens read-only as soon as the writers have created and migrated the file, then polls
    // like the dashboard. Every snapshot must hold whole batches only, and counts never go back.
    let reader: RunStore | undefined;
    let polls = 0;
    let sawPartialProgress = false;
    const lastTotal = new Map<number, number>();
    while (!finished) {
      if (!reader) {
        reader = await openStore(db, { readonly: true }).catch(() => undefined);
        if (!reader || (await reader.getSweep('conc')) === undefined) {
          await reader?.close();
          reader = undefined;
          await sleep(20);
          continue;
        }
      }
      for (const run of await reader.listRuns()) {
        const series = await reader.metricSeries(run.id, 'a', { maxPoints: 100 });
        expect(series.total % (BATCH / 2)).toBe(0);
        expect(series.total).toBeGreaterThanOrEqual(lastTotal.get(run.id) ?? 0);
        expect(series.points.length).toBeLessThanOrEqual(100);
        if (series.total > 0 && series.total < POINTS / 2) sawPartialProgress = true;
        lastTotal.set(run.id, series.total);
      }
      polls++;
      await sleep(10);
    }
    const results = await all;
    for (const r of results) {
      expect(r.stderr).not.toMatch(/locked|SQLITE_BUSY/);
      expect(r.code, r.stderr).toBe(0);
    }
    const claimed = results.map((r) => (JSON.parse(r.stdout.trim()) as { runId: number }).runId).sort();
    // Each worker claimed a different run.
    expect(new Set(claimed).size).toBe(WRITERS);

    const store = reader ?? (await openStore(db, { readonly: true }));
    const sweep = (await store.getSweep('conc'))!;
    expect(sweep.counts).toEqual({ queued: 0, running: 0, finished: 3, failed: 0, killed: 0, total: 3 });
    for (const run of await store.listRuns({ sweepId: sweep.id })) {
      for (const [key, parity] of [['a', 0], ['b', 1]] as const) {
        const s = await store.metricSeries(run.id, key);
        expect(s.total).toBe(POINTS / 2);
        // Every point present, exactly once, with the value its writer gave it.
        s.points.forEach((p, j) => {
          expect(p.step).toBe(j);
          expect(p.value).toBe(run.id * 1e6 + 2 * j + parity);
        });
      }
      expect(run.latest).toEqual({ a: run.id * 1e6 + POINTS - 2, b: run.id * 1e6 + POINTS - 1 });
      expect([run.currentStep, run.totalSteps]).toEqual([POINTS / 2, POINTS / 2]);
    }
    // The schema was migrated exactly once although three processes opened a new store together.
    expect(await migrationsApplied(store)).toBe(supplier.mode === 'sqlite' ? 5 : 1);
    await store.close();
    // The reader did overlap the writers (otherwise the test checks nothing about concurrency).
    expect(polls).toBeGreaterThan(0);
    expect(sawPartialProgress).toBe(true);
  });

  it('a worker killed on this host is recognised as gone at once: markStaleRunsCrashed fails its run without waiting', async () => {
    const db = await supplier.fresh();
    const setup = await openStore(db);
    const sweep = await setup.createSweep({ name: 'crash', config: {} });
    const [run] = await setup.addRuns(sweep.id, [newRun(0)]);
    await setup.close();

    const child = spawnWriter(['hang', db, String(run.id)]);
    await new Promise<void>((resolve, reject) => {
      child.proc.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.done.then((r) => reject(new Error(`child exited early: ${r.stderr}`)));
    });
    const store = await openStore(db);
    // Alive (it no longer beats, but its pid is there): never taken over, however old the heartbeat.
    const later = await openStore(db, { now: () => Date.now() + 3_600_000 });
    expect(await later.markStaleRunsCrashed(30_000)).toEqual([]);
    await later.close();

    child.proc.kill('SIGKILL');
    await child.done;
    const alive = (await store.getRun(run.id))!;
    expect([alive.status, alive.currentStep, alive.pid]).toEqual(['running', 5, child.proc.pid]);
    // Its heartbeat is fresh, but the pid is dead on this host: failed at once.
    expect(await store.markStaleRunsCrashed(30_000)).toEqual([run.id]);
    const crashed = (await store.getRun(run.id))!;
    expect(crashed.status).toBe('failed');
    expect(crashed.error).toBe(`crashed: its process (pid ${child.proc.pid} on ${hostname()}) is gone; last heartbeat ${new Date(alive.heartbeatAt!).toISOString()}`);
    expect(crashed.errorStep).toBe(5);
    await store.close();
  });
});
