// Workers on a PostgreSQL store's queue (docs/distributed.md), against a real throwaway server: a sweep
// enqueued with --enqueue, three `scorelab worker` processes and a dashboard polling the API; one worker
// is killed with SIGKILL mid-run (machine gone), another is stopped with SIGTERM mid-run. Every run must
// end finished exactly once, with the metric points a clean SQLite sweep of the same file records.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, startTestPostgres, type TestPostgres } from '@scorelab/tracking/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, collect, jsonEvents, runCli, startCli, tempDir, tinyExperiment, waitForEvents, withStore, type TempDir } from './helpers';

const DASHBOARD = fileURLToPath(new URL('../../dashboard/src/main.ts', import.meta.url));
// A lease of 2 s (the heartbeat timeout): a killed worker's run is taken over within about 3 s.
// The tfjs engine trains at a pace at which a signal lands mid-run.
const ENV = { SCORELAB_ENGINE: 'tfjs', SCORELAB_HEARTBEAT_TIMEOUT_MS: '2000' };
const STEPS = 400;

let server: TestPostgres;
let dir: TempDir;
beforeAll(async () => {
  server = await startTestPostgres();
  dir = tempDir();
}, 60_000);
/** Worker process groups started by the tests: none may outlive a failing test. */
const groups: ChildProcess[] = [];
function startWorker(url: string): ChildProcess {
  const child = startCli(['worker', '--store', url, '--concurrency', '1', '--until-idle', '--json'], { detached: true, env: ENV });
  groups.push(child);
  return child;
}
afterAll(async () => {
  for (const child of groups) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    }
  }
  dir?.remove();
  await server?.stop();
});

function experiment(name: string): string {
  return dir.write(`${name}.yaml`, tinyExperiment({ name, train: `{ steps: ${STEPS}, batchSize: 64, logEvery: 10 }`, parameters: '  train.lr: [0.001, 0.002, 0.003, 0.004]', eval: '{ every: 200, metrics: [fisher, mmd], samples: 100 }' }));
}

/** The number of points of every metric key of every run, by expansion index: idx -> key -> count. */
async function pointCounts(store: string, sweep: string): Promise<Record<number, Record<string, number>>> {
  return withStore(store, async (s) => {
    const out: Record<number, Record<string, number>> = {};
    for (const r of await s.listRuns({ sweepId: (await s.getSweep(sweep))!.id })) {
      out[r.idx] = {};
      for (const key of await s.metricKeys({ runId: r.id })) out[r.idx][key] = (await s.metricSeries(r.id, key)).total;
    }
    return out;
  });
}

/**
 * Resolves with the run a worker is training, as soon as its latest progress is at step >= 50 (of
 * STEPS): mid-run. `unless()` names a run to wait past (and, while it returns undefined, nothing is
 * taken): a worker that started late may have taken over that run, and the signal is meant for another.
 */
async function whenTraining(worker: ChildProcess, unless: () => number | null | undefined = () => null): Promise<number> {
  const current = (es: Record<string, any>[]) => {
    const last = es.filter((e) => e.event === 'progress').at(-1);
    const skip = unless();
    return last && last.phase === 'train' && last.step >= 50 && skip !== undefined && last.runId !== skip ? (last.runId as number) : null;
  };
  return current(await waitForEvents(worker, (es) => current(es) !== null, 60_000))!;
}

describe('workers on a PostgreSQL queue', () => {
  it('kill -9 of one worker and SIGTERM of another mid-run: every run finishes exactly once, with the points of a clean SQLite sweep', async () => {
    const url = await createTestDatabase(server.url);
    const file = experiment('dist');

    const enqueued = await runCli(['sweep', '--config', file, '--store', url, '--enqueue', '--json'], { env: ENV });
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const [event] = jsonEvents(enqueued.stdout);
    expect(event).toMatchObject({ event: 'sweep-enqueued', sweep: 'dist', runs: 4 });
    // The printed worker command names the store without its password.
    const password = new URL(url).password;
    expect(event.workerCommand).toContain('scorelab worker --store postgres://postgres@127.0.0.1:');
    expect(`${enqueued.stdout}${enqueued.stderr}`).not.toContain(password);

    // A dashboard on the same database, polled the whole time: it must keep answering.
    const dashboard = spawn(process.execPath, ['--import', 'tsx', DASHBOARD, '--store', url, '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const dashboardOut = collect(dashboard);
    const base = await new Promise<string>((resolve, reject) => {
      let text = '';
      dashboard.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /Scorelab dashboard: (http:\/\/\S+?)\/ /.exec(text);
        if (m) resolve(m[1]);
      });
      dashboard.once('close', () => reject(new Error(`the dashboard exited: ${text}`)));
    });
    let polling = true;
    const answers: number[] = [];
    const poll = (async () => {
      while (polling) {
        const r = await fetch(`${base}/api/sweeps/dist/runs`);
        answers.push(r.status);
        await r.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const workers = [0, 1, 2].map(() => startWorker(url));
    const ends = workers.map(collect);
    // Each signal lands while its worker is training (the whole machine goes: the worker and its process).
    // The SIGTERM waits for the kill, and lands on another run than the killed one.
    let killed: number | undefined;
    const [doomed, stopped] = await Promise.all([
      whenTraining(workers[0]).then((id) => (process.kill(-workers[0].pid!, 'SIGKILL'), (killed = id))),
      whenTraining(workers[1], () => killed).then((id) => (workers[1].kill('SIGTERM'), id)),
    ]);
    const [, term, last] = await Promise.all(ends);
    polling = false;
    await poll;
    dashboard.kill('SIGTERM');
    await dashboardOut;

    // The stopped worker says its run went back; the last one finishes everything and exits 0.
    expect(term.code, term.stderr).toBe(130);
    expect(jsonEvents(term.stdout).find((e) => e.event === 'worker-end')).toMatchObject({ killed: 1, exitCode: 130 });
    expect(last.code, last.stderr).toBe(0);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((s) => s === 200)).toBe(true);
    for (const r of [term, last]) expect(`${r.stdout}${r.stderr}`).not.toContain(password);

    await withStore(url, async (s) => {
      const runs = await s.listRuns({ sweepId: (await s.getSweep('dist'))!.id });
      expect(runs.map((r) => r.status)).toEqual(['finished', 'finished', 'finished', 'finished']);
      const byId = new Map(await Promise.all(runs.map(async (r) => [r.id, (await s.getRun(r.id))!] as const)));
      // The killed worker's run: taken over after its lease ran out, crashed once, then finished.
      expect(byId.get(doomed)!.attempt).toBe(2);
      expect(byId.get(doomed)!.events.map((e) => e.to)).toEqual(['queued', 'running', 'failed', 'queued', 'running', 'finished']);
      expect(byId.get(doomed)!.events.find((e) => e.to === 'failed')?.message).toMatch(/^crashed: its worker \(pid \d+ on .+\) stopped renewing its lease/);
      // The SIGTERMed worker's run: killed, given back, finished by another worker.
      expect(byId.get(stopped)!.attempt).toBe(2);
      expect(byId.get(stopped)!.events.map((e) => e.to)).toEqual(['queued', 'running', 'killed', 'queued', 'running', 'finished']);
      expect(byId.get(stopped)!.events.find((e) => e.to === 'killed')?.message).toBe('interrupted (SIGTERM)');
      for (const r of runs) if (r.id !== doomed && r.id !== stopped) expect(r.attempt).toBe(1);
      expect((await s.getSweep('dist'))!.status).toBe('finished');
    });

    // The same file on SQLite, undisturbed: the same points for every run and key (none twice, none missing).
    const db = dir.file('clean.db');
    const clean = await runCli(['sweep', '--config', file, '--db', db, '--quiet'], { env: ENV });
    expect(clean.code, clean.stderr).toBe(0);
    const expected = await pointCounts(db, 'dist');
    expect(expected[0]['train/loss']).toBe(STEPS / 10);
    expect(await pointCounts(url, 'dist')).toEqual(expected);
  });

  it('a worker stopped (SIGSTOP) past its lease and woken after another took its run over writes nothing more: the run finishes once', async () => {
    const url = await createTestDatabase(server.url);
    const file = dir.write('stale.yaml', tinyExperiment({ name: 'stale', train: `{ steps: ${STEPS}, batchSize: 64, logEvery: 10 }`, parameters: '  train.lr: [0.001, 0.002]' }));
    expect((await runCli(['sweep', '--config', file, '--store', url, '--enqueue', '--quiet'], { env: ENV })).code).toBe(0);
    const workers = [0, 1].map(() => startWorker(url));
    const ends = workers.map(collect);
    const frozen = await whenTraining(workers[0]);
    process.kill(-workers[0].pid!, 'SIGSTOP'); // the worker and its process, frozen mid-run
    // The other worker ends its own run, then takes the frozen one over once its lease has run out.
    let takenOver = false;
    for (let i = 0; i < 600 && !takenOver; i++) {
      takenOver = await withStore(url, async (s) => (await s.getRun(frozen))!.attempt === 2);
      if (!takenOver) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(takenOver).toBe(true);
    process.kill(-workers[0].pid!, 'SIGCONT');
    const [woken, other] = await Promise.all(ends);
    expect(woken.code, woken.stderr).toBe(0);
    expect(other.code, other.stderr).toBe(0);
    // The woken worker learns it lost the run and stops it without recording an end.
    expect(jsonEvents(woken.stdout).find((e) => e.event === 'run-end' && e.runId === frozen)).toMatchObject({ status: 'killed', error: 'taken over by another worker: this worker lost its lease' });
    await withStore(url, async (s) => {
      const run = (await s.getRun(frozen))!;
      expect([run.status, run.attempt], JSON.stringify(run.events)).toEqual(['finished', 2]);
      expect(run.events.map((e) => e.to)).toEqual(['queued', 'running', 'failed', 'queued', 'running', 'finished']);
      const loss = await s.metricSeries(frozen, 'train/loss');
      expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: STEPS / 10 }, (_, i) => 10 * (i + 1)));
    });
  });

  it('store copy: SQLite -> PostgreSQL -> SQLite keeps every run and its final metrics; copying again copies nothing', async () => {
    const url = await createTestDatabase(server.url);
    const [a, b] = [dir.file('copy-a.db'), dir.file('copy-b.db')];
    expect((await runCli(['sweep', '--config', experiment('cp'), '--db', a, '--quiet'])).code).toBe(0);
    const up = await runCli(['store', 'copy', '--from', a, '--to', url]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/1 sweep new, 0 merged; 4 runs copied, 0 already there; \d+ metric points/);
    expect(`${up.stdout}${up.stderr}`).not.toContain(new URL(url).password);
    const again = await runCli(['store', 'copy', '--from', a, '--to', url]);
    expect(again.stdout).toMatch(/0 sweeps new, 1 merged; 0 runs copied, 4 already there; 0 metric points, 0 artifacts, 0 models/);
    expect((await runCli(['store', 'copy', '--from', url, '--to', b, '--quiet'])).code).toBe(0);
    const records = async (store: string) => JSON.parse((await runCli(['export', '--format', 'json', '--store', store])).stdout) as { idx: number; configHash: string; status: string; metrics: Record<string, number> }[];
    const strip = (rs: Awaited<ReturnType<typeof records>>) => rs.map((r) => ({ idx: r.idx, configHash: r.configHash, status: r.status, metrics: r.metrics }));
    expect(strip(await records(b))).toEqual(strip(await records(a)));
    expect(strip(await records(url))).toEqual(strip(await records(a)));
  });

  it('on a SQLite store, --enqueue and worker are bad input (exit 2, nothing written)', async () => {
    const db = dir.file('none.db');
    const a = await runCli(['sweep', '--config', experiment('sq'), '--db', db, '--enqueue']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--enqueue needs a PostgreSQL store/);
    const b = await runCli(['worker', '--store', db]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/scorelab worker needs a PostgreSQL store/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(db)).toBe(false);
  });
});
