// Resume mid-training: a run interrupted at a random step (Ctrl-C, or kill -9 of its whole process
// group) continues from its last checkpoint on --resume and ends with the numbers of a run that was
// never interrupted, each training step logged once. SCORELAB_ENGINE=tfjs: the fused engine is too
// fast to interrupt reliably, and it cannot yet restore a checkpoint mid-training.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resumableAfter } from '../src/prepare';
import { collect, jsonEvents, runCli, startCli, tempDir, tinyExperiment, type TempDir, withStore } from './helpers';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const ENV = { SCORELAB_ENGINE: 'tfjs', SCORELAB_HEARTBEAT_TIMEOUT_MS: '1000' };
const STEPS = 1500;
const text = tinyExperiment({
  name: 'resume',
  train: `{ steps: ${STEPS}, batchSize: 64, logEvery: 10, checkpointEvery: 100, keepCheckpoints: 2 }`,
  parameters: '  train.lr: [0.002]',
  eval: '{ every: 300, metrics: [fisher, mmd, swd, modeWeights], samples: 100 }',
});

/** Every metric of the run but perf/*, each point as key@step -> value. */
async function numbers(db: string): Promise<Map<string, number>> {
  return withStore(db, async (store) => {
    const [run] = await store.listRuns();
    const out = new Map<string, number>();
    for (const key of await store.metricKeys({ runId: run.id })) {
      if (key.startsWith('perf/')) continue;
      for (const p of (await store.metricSeries(run.id, key)).points) out.set(`${key}@${p.step}`, p.value);
    }
    return out;
  });
}

/** Start the sweep and interrupt it once training has passed `step`. */
async function interruptAt(file: string, db: string, step: number, how: 'SIGINT' | 'SIGKILL') {
  const child = startCli(['sweep', '--config', file, '--db', db, '--workers', '1', '--json'], { env: ENV, detached: how === 'SIGKILL' });
  const done = collect(child);
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('no progress within 60 s')), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (jsonEvents(buf).some((e) => e.event === 'progress' && e.phase === 'train' && e.step >= step)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  if (how === 'SIGKILL') process.kill(-child.pid!, 'SIGKILL');
  else child.kill('SIGINT');
  return done;
}

describe('--resume continues from the last checkpoint', () => {
  let reference: Map<string, number> | null = null;
  const referenceNumbers = async () => {
    if (reference) return reference;
    const db = dir.file('straight.db');
    const r = await runCli(['sweep', '--config', dir.write('straight.yaml', text), '--db', db, '--quiet'], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    reference = await numbers(db);
    return reference;
  };

  for (const how of ['SIGINT', 'SIGKILL'] as const) {
    it(`after ${how} at a random step: the numbers of an uninterrupted run, no step twice, checkpoints pruned`, async () => {
      const expected = await referenceNumbers();
      const file = dir.write('resume.yaml', text);
      const db = dir.file('resume.db');
      const k = 150 + Math.floor(Math.random() * 1000);
      const first = await interruptAt(file, db, k, how);
      if (how === 'SIGINT') expect(first.code, first.stderr).toBe(130);
      const stoppedAt = await withStore(db, async (store) => {
        const [run] = await store.listRuns();
        const checkpoints = (await store.listArtifacts(run.id)).filter((a) => a.kind === 'checkpoint').map((a) => a.name);
        // keepCheckpoints: 2 -> at most the last two intermediate ones.
        expect(checkpoints.length, `${checkpoints}`).toBeLessThanOrEqual(2);
        expect(checkpoints.length).toBeGreaterThan(0);
        return Math.max(...checkpoints.map((n) => Number(n.split('/')[1])));
      });
      expect(stoppedAt, `k = ${k}`).toBeGreaterThanOrEqual(100);
      const again = await runCli(['sweep', '--config', file, '--db', db, '--resume'], { env: ENV });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout + again.stderr).toMatch(new RegExp(`continuing from their last checkpoint: run 1 \\(step ${stoppedAt}\\)`));
      const got = await numbers(db);
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, value] of expected) expect(Math.abs(got.get(key)! - value), `${key} (k = ${k})`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(value)));
      await withStore(db, async (store) => {
        const [run] = await store.listRuns();
        expect([run.status, run.attempt]).toEqual(['finished', 2]);
        const steps = (await store.metricSeries(run.id, 'train/loss')).points.map((p) => p.step);
        expect(steps).toEqual(Array.from({ length: STEPS / 10 }, (_, i) => 10 * (i + 1)));
        const names = (await store.listArtifacts(run.id)).filter((a) => a.kind === 'checkpoint').map((a) => a.name);
        expect(names.sort()).toEqual(['checkpoint/1300', 'checkpoint/1400', 'checkpoint/final']);
        const model = await store.findModel(run.trainingHash!);
        expect([model?.sourceRunId, model?.checkpoint, model?.step, run.modelId]).toEqual([run.id, 'checkpoint/final', STEPS, model?.id]);
      });
    });
  }
});

describe('resumableAfter', () => {
  it('continues runs stopped by a fault and restarts runs that failed by themselves', () => {
    for (const error of ['crashed: its process (pid 8 on h) is gone; last heartbeat x', 'out of memory: the worker uses 5000 MB', 'the store could not be written: disk full (SQLITE_FULL)', 'the worker process died during the run (SIGKILL)']) {
      expect(resumableAfter({ status: 'failed', error }), error).toBe(true);
    }
    expect(resumableAfter({ status: 'killed', error: 'interrupted (SIGINT)' })).toBe(true);
    for (const error of ['training diverged: loss is NaN at step 120', 'sampling diverged: samples are not finite', 'Error: boom']) expect(resumableAfter({ status: 'failed', error }), error).toBe(false);
  });
});
