// Child process of concurrency.test.ts: one worker with its own connection.
//
//   node --import tsx concurrent-writer.ts write STORE SWEEP RUNS POINTS BATCH   (STORE: a SQLite path or a postgres:// URL)
//     opens (maybe creating) the store, creates the sweep and its RUNS runs unless another worker
//     did, claims a run, logs POINTS points (keys a/b alternating, step = i >> 1) in batches of
//     BATCH with a heartbeat after each, finishes the run and prints {"runId", "points"}.
//   node --import tsx concurrent-writer.ts hang DB RUN_ID
//     starts the run, heartbeats once, prints "ready" and then hangs without heartbeats until killed.
import { hostname } from 'node:os';
import { StoreError } from '../errors';
import { openStore } from '../open-store';
import type { MetricPoint, RunClaim } from '../types';
import { newRun } from './helpers';

const [mode, db, ...rest] = process.argv.slice(2);
const claim: RunClaim = { backend: 'test', versions: { node: process.versions.node }, host: hostname(), pid: process.pid };
const store = await openStore(db);

if (mode === 'write') {
  const [sweepName, runsArg, pointsArg, batchArg] = rest;
  const [runs, points, batch] = [Number(runsArg), Number(pointsArg), Number(batchArg)];
  let sweep = await store.findSweepByName(sweepName);
  if (!sweep) {
    try {
      sweep = await store.createSweep({ name: sweepName, config: { name: sweepName } });
    } catch (e) {
      // Another worker created it between our lookup and our insert.
      if (!(e instanceof StoreError)) throw e;
      sweep = await store.findSweepByName(sweepName);
    }
  }
  await store.addRuns(sweep!.id, Array.from({ length: runs }, (_, i) => newRun(i)), { skipExisting: true });
  const run = await store.claimRun(sweep!.id, claim);
  if (!run) throw new Error('no queued run left to claim');
  for (let from = 0; from < points; from += batch) {
    const chunk: MetricPoint[] = [];
    for (let i = from; i < Math.min(from + batch, points); i++) {
      chunk.push({ key: i % 2 === 0 ? 'a' : 'b', step: i >> 1, value: run.id * 1e6 + i });
    }
    await store.logMetrics(run.id, chunk);
    await store.heartbeat(run.id, { step: (from + chunk.length) >> 1, totalSteps: points >> 1 });
  }
  await store.finishRun(run.id);
  await store.close();
  process.stdout.write(JSON.stringify({ runId: run.id, points }) + '\n');
} else if (mode === 'hang') {
  const runId = Number(rest[0]);
  await store.startRun(runId, claim);
  await store.heartbeat(runId, { step: 5, totalSteps: 100 });
  process.stdout.write('ready\n');
  setInterval(() => {}, 1000);
} else {
  throw new Error(`unknown mode ${mode}`);
}
