// Fault injection: kill -9 of the sweep process (alone, or with its whole process group), then an
// immediate --resume on the same host. Dead pids are recognised at once (no 30 s heartbeat wait),
// and a sweep whose process is gone no longer reads as running.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, runCli, startCli, tempDir, tinyExperiment, waitForEvents, type TempDir, withStore } from './helpers';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const ENV = { SCORELAB_ENGINE: 'tfjs' };

/** Starts a 3-run sweep of 600 steps on 2 workers and resolves once both workers are training. */
async function sweepInTraining(name: string) {
  const file = dir.write(`${name}.yaml`, tinyExperiment({ name, train: '{ steps: 600, batchSize: 64, logEvery: 10 }', parameters: '  train.lr: [0.001, 0.002, 0.003]' }));
  const db = dir.file(`${name}.db`);
  // The tfjs engine trains at a known pace, so both runs are still training when the kill comes.
  const child = startCli(['sweep', '--config', file, '--db', db, '--workers', '2', '--json'], { detached: true, env: ENV });
  const done = collect(child);
  await waitForEvents(child, (events) => new Set(events.filter((e) => e.event === 'progress' && e.phase === 'train' && e.step >= 50).map((e) => e.runId)).size === 2);
  return { file, db, child, done };
}

async function expectEachRunFinishedOnce(db: string, redone: readonly number[]): Promise<void> {
  await withStore(db, async (s) => {
    const runs = await s.listRuns();
    expect(runs.map((r) => [r.id, r.status, r.attempt])).toEqual(runs.map((r) => [r.id, 'finished', redone.includes(r.id) ? 2 : 1]));
    for (const r of runs) {
      const loss = await s.metricSeries(r.id, 'train/loss');
      expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: 60 }, (_, i) => 10 * (i + 1)));
    }
    expect((await s.listSweeps()).map((x) => [x.name, x.status])).toEqual([[runs[0].sweepName, 'finished']]);
  });
}

describe('kill -9', () => {
  it('of the whole process group: an immediate --resume recognises the dead workers at once and finishes every run once', async () => {
    const { file, db, child, done } = await sweepInTraining('group');
    process.kill(-child.pid!, 'SIGKILL');
    await done;
    const running = await withStore(db, async (s) => {
      // Nothing recorded the ends, but a reader on this host sees that the sweep's process is gone.
      expect((await s.getSweep('group'))?.status).toBe('killed');
      return (await s.listRuns({ status: 'running' })).map((r) => r.id);
    });
    expect(running).toHaveLength(2);

    const t0 = Date.now();
    const r = await runCli(['sweep', '--config', file, '--db', db, '--resume'], { env: ENV });
    const seconds = (Date.now() - t0) / 1000;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/another process/);
    expect(r.stderr).toMatch(new RegExp(`runs? ${running.join(', ')}: (its process is|their processes are) gone \\(pid \\d+, pid \\d+ on .+\\): marked crashed, will be redone`));
    // The resume redoes two runs and runs the third; no wait for a heartbeat timeout (30 s).
    expect(seconds).toBeLessThan(25);
    await expectEachRunFinishedOnce(db, running);
    await withStore(db, async (s) => {
      for (const id of running) {
        const history = (await s.getRun(id))!.events.map((e) => e.message ?? '');
        expect(history.some((m) => /^crashed: its process \(pid \d+ on .+\) is gone/.test(m))).toBe(true);
      }
    });
  });

  it('of the sweep process alone: its workers stop their runs, the sweep reads as killed, and --resume finishes it', async () => {
    const { file, db, child, done } = await sweepInTraining('parent');
    process.kill(child.pid!, 'SIGKILL');
    await done;
    // The workers notice the parent is gone, mark their runs killed and exit (within a second or so).
    let runs: { id: number; status: string }[] = [];
    for (let i = 0; i < 50; i++) {
      runs = await withStore(db, (s) => s.listRuns());
      if (!runs.some((x) => x.status === 'running')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const killed = runs.filter((x) => x.status === 'killed').map((x) => x.id);
    expect(killed).toHaveLength(2);
    await withStore(db, async (s) => {
      const sweep = (await s.getSweep('parent'))!;
      expect(sweep.status).toBe('killed');
      expect(sweep.counts.running).toBe(0);
    });

    const r = await runCli(['sweep', '--config', file, '--db', db, '--resume'], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    await expectEachRunFinishedOnce(db, killed);
  });
});
