// Fault injection: a worker whose event loop is blocked (simulated with SIGSTOP, longer than the
// heartbeat timeout) is not taken over by --resume from another process; configs whose tensors
// cannot fit are rejected before anything is written; a run over the memory limit fails with a
// clear reason instead of growing.
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, runCli, sleep, startCli, tempDir, tinyExperiment, waitForEvents, type TempDir, withStore } from './helpers';

let dir: TempDir;
/** Processes a test stopped: continued and killed afterwards whatever happened. */
const stopped = new Set<number>();
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  stopped.clear();
  dir.remove();
});

// A heartbeat timeout of 1 s instead of 30 s keeps the test short; the worker is stopped for 3 s.
// The tfjs engine trains at a known pace, so the run is still training when it is stopped.
const FAST = { SCORELAB_HEARTBEAT_TIMEOUT_MS: '1000', SCORELAB_ENGINE: 'tfjs' };

describe('a blocked worker', () => {
  it('is not declared crashed by --resume while its process lives; after SIGCONT its run finishes exactly once', async () => {
    const file = dir.write('blocked.yaml', tinyExperiment({ name: 'blocked', train: '{ steps: 1500, batchSize: 64, logEvery: 10 }', parameters: '  train.lr: [0.001]' }));
    const db = dir.file('blocked.db');
    const child = startCli(['sweep', '--config', file, '--db', db, '--workers', '1', '--json'], { env: FAST });
    const done = collect(child);
    await waitForEvents(child, (events) => events.some((e) => e.event === 'progress' && e.phase === 'train' && e.step >= 100));
    const workerPid = await withStore(db, async (s) => (await s.listRuns({ status: 'running' }))[0].pid!);
    process.kill(workerPid, 'SIGSTOP');
    stopped.add(workerPid);
    await sleep(3000);

    const resume = await runCli(['sweep', '--config', file, '--db', db, '--resume'], { env: FAST });
    expect(resume.code, resume.stderr).toBe(2);
    expect(resume.stderr).toMatch(/being run by another process right now \(.*pid \d+ on /);
    await withStore(db, async (s) => {
      const [run] = await s.listRuns();
      expect([run.status, run.attempt, run.pid]).toEqual(['running', 1, workerPid]);
    });

    process.kill(workerPid, 'SIGCONT');
    stopped.delete(workerPid);
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    await withStore(db, async (s) => {
      const runs = await s.listRuns();
      expect(runs.map((x) => [x.status, x.attempt])).toEqual([['finished', 1]]);
      const history = (await s.getRun(runs[0].id))!.events.map((e) => `${e.from} -> ${e.to}`);
      expect(history).toEqual(['null -> queued', 'queued -> running', 'running -> finished']);
      const loss = await s.metricSeries(runs[0].id, 'train/loss');
      expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: 150 }, (_, i) => 10 * (i + 1)));
    });
  });
});

describe('memory', () => {
  it('a config whose tensors cannot fit is rejected with the dotted path before anything is written', async () => {
    const file = dir.write('huge.yaml', tinyExperiment({ name: 'huge', train: '{ steps: 10, batchSize: 1000000000 }', parameters: '  train.lr: [0.001]' }));
    const db = dir.file('huge.db');
    const r = await runCli(['sweep', '--config', file, '--db', db]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/huge\.yaml:\d+:\d+ base\.train\.batchSize: a training step of this run needs about 672 GB of tensors .*, more than the 2\.0 GB a run may use; use at most \d+/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(db)).toBe(false);
  });

  it('a run over the per-worker memory limit fails with "out of memory: ..." and the sweep goes on', async () => {
    // Every worker takes about 200 MB before its first step, so a 100 MB limit is exceeded at once.
    const file = dir.write('oom.yaml', tinyExperiment({ name: 'oom', train: '{ steps: 200, batchSize: 64, logEvery: 10 }', parameters: '  train.lr: [0.001, 0.002]' }));
    const db = dir.file('oom.db');
    const r = await runCli(['sweep', '--config', file, '--db', db, '--workers', '1'], { env: { SCORELAB_WORKER_MEMORY_MB: '100' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr + r.stdout).not.toMatch(/^\s+at /m);
    await withStore(db, async (s) => {
      const runs = await s.listRuns();
      expect(runs.map((x) => x.status)).toEqual(['failed', 'failed']);
      for (const run of runs) expect(run.error).toMatch(/^out of memory: the worker uses \d+ MB, more than its limit of 100 MB \(SCORELAB_WORKER_MEMORY_MB\)/);
    });
    expect(r.stdout).toMatch(/run 1 .* failed at step \d+: out of memory/);
  });

  it('a worker that grows past the limit inside one step is stopped and its run failed "out of memory: ..."', async () => {
    // One step of 2e6 rows is within the validation budget but takes over 1 GB on the tfjs engine,
    // in one synchronous call: the sweep process (checking every 250 ms here) kills the worker.
    const file = dir.write('step.yaml', tinyExperiment({ name: 'step', train: '{ steps: 3, batchSize: 2000000, logEvery: 1 }', parameters: '  train.lr: [0.001]' }));
    const db = dir.file('step.db');
    const r = await runCli(['sweep', '--config', file, '--db', db, '--workers', '1'], { env: { ...FAST, SCORELAB_WORKER_MEMORY_MB: '600' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr + r.stdout).not.toMatch(/^\s+at /m);
    await withStore(db, async (s) => {
      const [run] = await s.listRuns();
      expect(run.status).toBe('failed');
      // Usually the sweep process's kill ('inside one step'); the worker's own check at a step boundary words it the same way.
      expect(run.error).toMatch(/^out of memory: the worker uses \d+ MB, more than its limit of 600 MB/);
    });
  });
});
