// Runs that fail, are interrupted, or were left running by a dead process; --resume; two workers
// writing to one store at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandSweep, parseExperiment } from '@scorelab/config';
import { openStore, type RunSummary } from '@scorelab/tracking';
import { collect, jsonEvents, runCli, startCli, tempDir, tinyExperiment, type TempDir, withStore } from './helpers';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function byHash(runs: readonly RunSummary[]): Map<string, RunSummary[]> {
  const m = new Map<string, RunSummary[]>();
  for (const r of runs) m.set(r.configHash, [...(m.get(r.configHash) ?? []), r]);
  return m;
}

describe('a diverging run', () => {
  it('is failed with its reason and step; the others finish; exit 1', async () => {
    // SGD with lr 1e6 on a score network overflows to NaN within the first logged steps.
    const file = dir.write('div.yaml', tinyExperiment({ name: 'div', train: '{ steps: 40, batchSize: 64, logEvery: 10, optimizer: sgd }', parameters: '  train.lr: [0.001, 1.0e+6, 0.002]' }));
    const db = dir.file('div.db');
    const r = await runCli(['sweep', '--config', file, '--db', db]);
    expect(r.code, r.stderr).toBe(1);
    await withStore(db, async (store) => {
      const runs = await store.listRuns();
      expect(runs.map((x) => x.status)).toEqual(['finished', 'failed', 'finished']);
      const failed = runs[1];
      expect(failed.error).toMatch(/^training diverged: (loss|gradient norm) is (NaN|-?Infinity) at step \d+/);
      // Losses are read every logEvery steps, so divergence is caught at a multiple of 10.
      expect(failed.errorStep).not.toBeNull();
      expect(failed.errorStep! % 10).toBe(0);
      expect(failed.error).toContain(`at step ${failed.errorStep}`);
      expect((await store.getSweep('div'))?.status).toBe('failed');
    });
    expect(r.stdout).toMatch(/run 2 \(train\.lr=1000000 seed=0\) failed at step \d+: training diverged/);
    expect(r.stdout).toContain('--resume');
  });
});

describe('Ctrl-C and --resume', () => {
  it('SIGINT stops promptly with the running runs killed and their metrics kept; --resume then finishes each run exactly once', async () => {
    // 3 runs of 1000 steps (~2-3 s each), 2 workers: the interrupt lands in the middle of two runs.
    const text = tinyExperiment({ name: 'intr', train: '{ steps: 1000, batchSize: 64, logEvery: 10 }', parameters: '  train.lr: [0.001, 0.002, 0.003]' });
    const file = dir.write('intr.yaml', text);
    const db = dir.file('intr.db');
    // tfjs: the fused engine trains these 1000 steps in well under a second, before an interrupt could land.
    const child = startCli(['sweep', '--config', file, '--db', db, '--workers', '2', '--json'], { env: { SCORELAB_ENGINE: 'tfjs' } });
    const done = collect(child);
    // Interrupt once a run has logged 100 steps.
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('no progress within 60 s')), 60_000);
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (jsonEvents(buf).some((e) => e.event === 'progress' && e.phase === 'train' && e.step >= 100)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await done;
    const stopSeconds = (Date.now() - t0) / 1000;
    expect(r.code, r.stderr).toBe(130);
    // Workers stop at their next training step; well under the 10 s grace before SIGKILL.
    expect(stopSeconds).toBeLessThan(5);
    const end = jsonEvents(r.stdout).find((e) => e.event === 'sweep-end')!;
    expect(end.status).toBe('killed');

    const killed = await withStore(db, async (store) => {
      const runs = await store.listRuns();
      const k = runs.filter((x) => x.status === 'killed');
      expect(k.length).toBeGreaterThanOrEqual(1);
      expect(runs.every((x) => x.status === 'killed' || x.status === 'queued' || x.status === 'finished')).toBe(true);
      let logged = 0;
      for (const run of k) {
        expect(run.error).toBe('interrupted (SIGINT)');
        // Everything logged before the stop was flushed: one train/loss point per 10 steps up to the stop step
        // (a run the second worker had only just started may be stopped before step 10).
        const loss = await store.metricSeries(run.id, 'train/loss');
        expect(loss.points.length).toBe(Math.floor(run.errorStep! / 10));
        logged = Math.max(logged, loss.points.length);
      }
      // The run that reached step 100 kept its points.
      expect(logged).toBeGreaterThanOrEqual(10);
      expect((await store.getSweep('intr'))?.status).toBe('killed');
      return k.map((x) => x.id);
    });

    const again = await runCli(['sweep', '--config', file, '--db', db, '--resume', '--quiet'], { env: { SCORELAB_ENGINE: 'tfjs' } });
    expect(again.code, again.stderr).toBe(0);
    await withStore(db, async (store) => {
      const sweeps = await store.listSweeps();
      expect(sweeps.map((s) => s.name)).toEqual(['intr']);
      const runs = await store.listRuns();
      const expected = expandSweep(parseExperiment(text, 'intr.yaml'));
      expect(runs).toHaveLength(expected.length);
      const groups = byHash(runs);
      for (const e of expected) {
        expect(groups.get(e.hash)?.map((x) => x.status)).toEqual(['finished']);
      }
      for (const run of runs) {
        expect(run.attempt).toBe(killed.includes(run.id) ? 2 : 1);
        // The retried runs start clean: exactly one point per logged step.
        const loss = await store.metricSeries(run.id, 'train/loss');
        expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: 100 }, (_, i) => 10 * (i + 1)));
      }
    });
  });

  it('a run left running by a dead process is declared crashed and redone; finished runs are skipped', async () => {
    const text = tinyExperiment({ name: 'crash', train: '{ steps: 20, batchSize: 64, logEvery: 10 }', parameters: '  train.lr: [0.001, 0.002, 0.003]' });
    const file = dir.write('crash.yaml', text);
    const db = dir.file('crash.db');
    const experiment = parseExperiment(text, file);
    const expected = expandSweep(experiment);
    // The state a killed -9 sweep leaves: run 1 running with a 60 s old heartbeat, run 2 finished, run 3 queued.
    const past = await openStore(db, { now: () => Date.now() - 60_000 });
    const sweep = await past.createSweep({ name: 'crash', config: JSON.parse(JSON.stringify(experiment)), filePath: file });
    await past.addRuns(
      sweep.id,
      expected.map((r) => ({ idx: r.index, params: r.params, config: r.config as any, configHash: r.hash, seed: r.seed })),
    );
    const claim = { backend: 'wasm', versions: {}, host: 'gone', pid: 999_999 };
    const [first, second] = await past.listRuns();
    await past.startRun(first.id, claim);
    await past.logMetrics(first.id, [{ key: 'train/loss', step: 10, value: 123 }]);
    await past.startRun(second.id, claim);
    await past.finishRun(second.id);
    await past.close();

    const r = await runCli(['sweep', '--config', file, '--db', db, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/run 1 had no heartbeat for 30 s .*marked crashed, will be redone/);
    await withStore(db, async (store) => {
      const runs = await store.listRuns();
      expect(runs.map((x) => [x.id, x.status, x.attempt])).toEqual([
        [1, 'finished', 2],
        [2, 'finished', 1],
        [3, 'finished', 1],
      ]);
      // Run 2 was skipped: never started again, so still no metrics. Run 1 starts clean.
      expect(await store.metricKeys({ runId: 2 })).toEqual([]);
      expect((await store.metricSeries(1, 'train/loss')).points.map((p) => p.step)).toEqual([10, 20]);
      expect((await store.metricSeries(1, 'train/loss')).points[0].value).not.toBe(123);
      const history = (await store.getRun(1))!.events.map((e) => e.message ?? '');
      expect(history.some((m) => m.startsWith('crashed: no heartbeat since'))).toBe(true);
    });
  });
});

describe('two workers writing at once', () => {
  it('keeps every point of every run, with no "database is locked"', async () => {
    // 3 points per step for 300 steps per run, flushed every 200 points or 1 s, from 2 processes.
    const file = dir.write('busy.yaml', tinyExperiment({ name: 'busy', train: '{ steps: 300, batchSize: 32, logEvery: 1 }', parameters: '  train.lr: [0.001, 0.002]', seeds: '[0, 1]' }));
    const db = dir.file('busy.db');
    // tfjs: on the fused engine one worker can finish all four runs before the other has started.
    const r = await runCli(['sweep', '--config', file, '--db', db, '--workers', '2'], { env: { SCORELAB_ENGINE: 'tfjs' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/locked|SQLITE_BUSY/i);
    await withStore(db, async (store) => {
      const runs = await store.listRuns();
      expect(runs).toHaveLength(4);
      // Two worker processes, and their runs overlapped in time.
      const pids = new Set(runs.map((x) => x.pid));
      expect(pids.size).toBe(2);
      const [a, b] = [...pids].map((pid) => runs.filter((x) => x.pid === pid));
      const overlaps = a.some((x) => b.some((y) => x.startedAt! < y.endedAt! && y.startedAt! < x.endedAt!));
      expect(overlaps).toBe(true);
      const steps = Array.from({ length: 300 }, (_, i) => i + 1);
      for (const run of runs) {
        expect(run.status).toBe('finished');
        for (const key of ['train/loss', 'train/grad_norm', 'perf/steps_per_sec']) {
          expect((await store.metricSeries(run.id, key)).points.map((p) => p.step)).toEqual(steps);
        }
      }
    });
  });
});
