/**
 * A sweep worker process (forked by the parent with `--import tsx`). It opens its own store
 * connection, selects the tensor backend, and takes queued runs of one sweep until none is left:
 * claimRun -> executeRun (metrics through a MetricBuffer, heartbeats, artifacts) -> finishRun /
 * failRun / killRun. SIGINT or SIGTERM stops the current run at its next step: the run is marked
 * killed with everything logged so far flushed, and the worker exits. A run over the memory limit
 * is failed ('out of memory: ...'); a store that refuses writes (full disk) ends the worker.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { storedRunConfig, type ResolvedRunConfig } from '@scorelab/config';
import type { DataPoints } from '@scorelab/datasets';
import { selectBackend } from '@scorelab/core';
import { MetricBuffer, RunQueue, StoreWriteError, openStore, type Run, type RunClaim, type RunLease, type RunStatus, type RunStore } from '@scorelab/tracking';
import { executeRun, resolveEngine, RunFailure, RunStopped, type RunHooks, type RunPhase } from '@scorelab/pipeline';
import { runCheckpoints, startOfRun } from './checkpoints';
import { isConnectionError } from './connection-errors';
import { loadFileDataset } from './file-dataset';
import { storeFailureText } from './errors';
import type { EndStatus, QueueWorkerOptions, WorkerMessage, WorkerOptions } from './ipc';
import { outOfMemoryMessage } from './limits';
import { isTransactional, LostRunError, OwnedRunStore, type TransactionalStore } from './owned-store';
import { takeRun } from './queue-claim';
import { STORE_URL_ENV } from './store-location';

/** Progress messages to the parent: at most this often, plus every phase change. */
const PROGRESS_MS = 250;
/** How often shouldStop() looks for the parent's stop file and at the process's memory. */
const STOP_FILE_MS = 100;
/** How often a worker whose queued runs all wait for a model being trained looks again, and for how long at most. */
const BLOCKED_POLL_MS = 100;
const BLOCKED_MS = 120_000;
/** Exit code of a worker whose store refused a write. */
const EXIT_STORE = 5;
/** Exit code of a queue worker whose PostgreSQL store could not be reached. */
const EXIT_UNREACHABLE = 6;
/** A queue worker with nothing to take looks again this often, and sends expired leases back every EXPIRE_MS. */
const QUEUE_POLL_MS = 250;
const EXPIRE_MS = 1000;

let stopReason: string | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopReason ??= `interrupted (${signal})`;
  });
}
// The parent died or closed the channel: finish like after a signal rather than run on alone.
process.on('disconnect', () => {
  stopReason ??= 'interrupted (the sweep process went away)';
});

const options = JSON.parse(process.argv[2] ?? '{}') as WorkerOptions;
let stopFileCheckedAt = 0;

/** A stop was asked for: by a signal, by the parent going away, or by the parent's stop file. */
function stopRequested(): boolean {
  if (stopReason !== null) return true;
  const now = Date.now();
  if (now - stopFileCheckedAt >= STOP_FILE_MS) {
    stopFileCheckedAt = now;
    if (existsSync(options.stopFile)) {
      let reason = 'interrupted (stop requested)';
      try {
        reason = readFileSync(options.stopFile, 'utf8').trim() || reason;
      } catch {
        // removed meanwhile: still a stop
      }
      stopReason = reason;
    }
  }
  return stopReason !== null;
}

let memoryCheckedAt = 0;

/** Why the run must fail for the memory it takes (resident set over the limit), or null. */
function memoryProblem(): string | null {
  const now = Date.now();
  if (now - memoryCheckedAt < STOP_FILE_MS) return null;
  memoryCheckedAt = now;
  const usedMb = process.memoryUsage.rss() / 2 ** 20;
  return usedMb > options.memoryLimitMb ? outOfMemoryMessage(usedMb, options.memoryLimitMb, '') : null;
}

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    try {
      process.send(message, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

/** How a run ended for the worker: `storeError` set when the store refused a write (the worker stops). */
interface RunEnd {
  storeError: StoreWriteError | null;
}

/** The last file dataset read, by experiment file, path and sha256: a sweep's runs share one file. */
let fileCache: { key: string; points: DataPoints } | null = null;

/**
 * The rows of a `file` dataset run (undefined for other datasets): dataset.path is relative to the experiment
 * file, which the sweep row records (its filePath, as given to `scorelab sweep`, itself relative to the working
 * directory). A worker on another machine needs the data file at the same path relative to it. A missing or
 * changed file (the pinned dataset.sha256) fails the run with loadFileDataset's message.
 */
async function fileDatasetPoints(store: RunStore, run: Run, config: ResolvedRunConfig): Promise<DataPoints | undefined> {
  const dataset = config.dataset;
  if (dataset.kind !== 'file') return undefined;
  const experimentFile = (await store.getSweep(run.sweepId))?.filePath;
  if (!experimentFile) throw new Error(`dataset.path ${dataset.path}: the run's sweep records no experiment file to resolve it against`);
  const key = JSON.stringify([experimentFile, dataset.path, dataset.format, dataset.sha256 ?? null]);
  if (fileCache?.key !== key) fileCache = { key, points: loadFileDataset(dataset, experimentFile).points };
  return fileCache.points;
}

async function runOne(store: RunStore, run: Run, lease?: RunLease): Promise<RunEnd> {
  const t0 = Date.now();
  memoryCheckedAt = 0; // the first step of every run looks at the memory
  void send({ type: 'run-start', runId: run.id, idx: run.idx, params: run.params, seed: run.seed, attempt: run.attempt, sweepId: run.sweepId, ...(lease ? { lease } : {}) });
  const buffer = new MetricBuffer(store, run.id, { maxPoints: 200, maxDelayMs: 1000 });
  // Training step for the store (current_step, error_step); the sampler's steps are not training steps.
  let trainStep = 0;
  let trainTotal = 0;
  // Set when a heartbeat finds the run no longer running (killed or declared crashed by someone else).
  let statusElsewhere: RunStatus | null = null;
  // Set when the run takes more memory than the limit, or the store refused a write: both stop it.
  let memoryFailure: string | null = null;
  let storeError: StoreWriteError | null = null;
  const noteStoreError = (e: unknown): void => {
    if (e instanceof StoreWriteError) storeError ??= e;
  };
  let lastBeat = Date.now();
  const beat = (): void => {
    lastBeat = Date.now();
    store.heartbeat(run.id, { step: trainStep, totalSteps: trainTotal }).then(
      (status) => {
        if (status !== 'running') statusElsewhere = status;
      },
      noteStoreError, // otherwise a busy store delays a heartbeat; the next one will do
    );
  };
  // better-sqlite3 runs the UPDATE synchronously inside heartbeat(), so beating from the progress
  // hook also works during the sampler's synchronous loop, where timers cannot fire.
  const timer = setInterval(beat, options.heartbeatMs);
  let lastSent = 0;
  let lastPhase: RunPhase | null = null;
  const artifacts: Promise<unknown>[] = [];
  const hooks: RunHooks = {
    log(points) {
      for (const p of points) buffer.add(p.key, p.step, p.value);
    },
    progress(p) {
      if (p.phase === 'train' || p.phase === 'eval') {
        trainStep = p.step;
        trainTotal = p.totalSteps;
      }
      const now = Date.now();
      if (now - lastBeat >= options.heartbeatMs) beat();
      if (p.phase !== lastPhase || now - lastSent >= PROGRESS_MS) {
        lastPhase = p.phase;
        lastSent = now;
        const msg: WorkerMessage = { type: 'progress', runId: run.id, phase: p.phase, step: p.step, totalSteps: p.totalSteps };
        if (p.loss !== undefined && Number.isFinite(p.loss)) msg.loss = p.loss;
        void send(msg);
      }
    },
    artifact(name, kind, content) {
      const saved = store.saveArtifact(run.id, { name, kind, content });
      saved.catch(noteStoreError); // awaited at the end of the run; noted now so a full disk stops the run
      artifacts.push(saved);
    },
    shouldStop: () => {
      memoryFailure ??= memoryProblem();
      return stopRequested() || statusElsewhere !== null || memoryFailure !== null || storeError !== null;
    },
    // setImmediate, not a timer: signals and IPC get handled without a 1 ms wait every logEvery steps.
    yield: () => new Promise((resolve) => setImmediate(resolve)),
  };

  let status: EndStatus;
  let error: string | null = null;
  let errorStep: number | null = null;
  try {
    if (stopRequested()) throw new RunStopped(0);
    // The store keeps configs as plain JSON (another version may have written it): validate it here.
    const config = storedRunConfig(run.config);
    // Recorded before the run starts, like the backend, so a run that fails still says what computed it.
    await store.setRunEngine(run.id, resolveEngine(config));
    // Checkpoints are written in order with the metrics logged before them (the buffer is flushed first).
    hooks.checkpoint = runCheckpoints(store, run, config, () => buffer.flush());
    const start = await startOfRun(store, run, options.reuse ?? 'any');
    const points = await fileDatasetPoints(store, run, config);
    await executeRun(config, run.seed, hooks, { start, points });
    await Promise.all(artifacts);
    await buffer.close();
    await store.finishRun(run.id);
    status = 'finished';
  } catch (e) {
    noteStoreError(e);
    // Keep everything logged so far, whatever ended the run.
    let flushError: unknown = null;
    try {
      await buffer.close();
    } catch (f) {
      flushError = f;
      noteStoreError(f);
    }
    await Promise.allSettled(artifacts);
    try {
      ({ status, error, errorStep } = await recordEnd(e, flushError));
    } catch (f) {
      if (f instanceof LostRunError) {
        [status, error, errorStep] = ['killed', 'taken over by another worker: this worker lost its lease', null];
        return finishMessage();
      }
      // The store refused even this: the run stays `running` for now, with a dead pid once this
      // worker exits, which --resume recognises at once.
      if (!(f instanceof StoreWriteError)) throw f;
      storeError ??= f;
      [status, error, errorStep] = ['failed', storeFailureText(storeError), trainStep];
    }
  } finally {
    clearInterval(timer);
  }
  return finishMessage();

  async function finishMessage(): Promise<RunEnd> {
    await send({ type: 'run-end', runId: run.id, status, error: error === null ? null : firstLine(error), errorStep, durationMs: Date.now() - t0 });
    return { storeError };
  }

  /** Writes how the run ended (killed, failed and why) unless someone else already did. */
  async function recordEnd(e: unknown, flushError: unknown): Promise<{ status: EndStatus; error: string | null; errorStep: number | null }> {
    const latest = await store.getRun(run.id);
    const current = latest?.status;
    if (e instanceof LostRunError || flushError instanceof LostRunError || (latest !== undefined && latest.attempt !== run.attempt)) {
      // Another worker took the run over (this one's lease ran out): it is theirs to end.
      return { status: 'killed', error: 'taken over by another worker: this worker lost its lease', errorStep: null };
    }
    if (current !== 'running') {
      // Someone else ended it (killed by the parent, or declared crashed): keep their verdict.
      return { status: current === 'finished' ? 'finished' : current === 'failed' ? 'failed' : 'killed', error: null, errorStep: null };
    }
    const stopped = e instanceof RunStopped ? (e.step ?? trainStep) : null;
    if (storeError !== null || memoryFailure !== null) {
      const reason = storeError !== null ? storeFailureText(storeError) : memoryFailure!;
      const step = stopped ?? (e instanceof RunFailure && e.step !== null ? e.step : trainStep);
      return { status: 'failed', error: (await store.failRun(run.id, reason, step)).error, errorStep: step };
    }
    if (stopped !== null && flushError === null) {
      const reason = stopReason ?? 'stopped';
      // killRun records the run's current step as where it stopped: bring it up to date first.
      await store.heartbeat(run.id, { step: stopped, totalSteps: trainTotal });
      await store.killRun(run.id, reason);
      return { status: 'killed', error: reason, errorStep: stopped };
    }
    const failure = flushError !== null && e instanceof RunStopped ? flushError : e;
    // A RunFailure's message is the whole story (divergence); other errors keep their stack.
    const stored = failure instanceof RunFailure ? failure.message : failure;
    const step = failure instanceof RunFailure && failure.step !== null ? failure.step : trainStep;
    return { status: 'failed', error: (await store.failRun(run.id, stored, step)).error, errorStep: step };
  }
}

/** The store URL of a queue worker (from the environment, so that its password is not in `ps`), else the SQLite file. */
function storeTarget(): string {
  return options.queue ? (process.env[STORE_URL_ENV] ?? '') : options.dbPath;
}

/** The message of an error, with the store URL's password masked. */
function masked(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const url = process.env[STORE_URL_ENV];
  if (!url) return text;
  let out = text.split(url).join(options.dbPath);
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password !== '') out = out.split(password).join('***');
  } catch {
    // not a URL: replaced as a whole above
  }
  return out;
}

async function main(): Promise<number> {
  let backend: string;
  let store: RunStore;
  try {
    backend = await selectBackend(options.backend);
    store = await openStore(storeTarget(), { maxPageCount: options.storeMaxPages });
  } catch (e) {
    if (options.queue && isConnectionError(e)) {
      await send({ type: 'store-unreachable', message: masked(e) });
      return EXIT_UNREACHABLE;
    }
    await send({ type: 'fatal', message: masked(e) });
    return 3;
  }
  await send({ type: 'ready', backend });
  const claim: RunClaim = {
    backend,
    versions: { ...options.versions, tfjs: tf.version_core },
    gitCommit: options.gitCommit,
    host: options.host,
    pid: process.pid,
  };
  if (options.queue) {
    if (!isTransactional(store)) {
      await send({ type: 'fatal', message: `${options.dbPath} has no queue: a queue needs a PostgreSQL store` });
      return 3;
    }
    try {
      return await queueWorker(store, claim, options.queue);
    } catch (e) {
      if (!isConnectionError(e)) throw e;
      await send({ type: 'store-unreachable', message: masked(e) });
      return EXIT_UNREACHABLE;
    } finally {
      await store.close().catch(() => undefined);
    }
  }
  // Train each model once: runs whose model another run is training now wait for it (see claimRun), unless
  // that takes longer than BLOCKED_MS (a run stuck elsewhere), after which this worker trains it too.
  const trainOnce = (options.reuse ?? 'any') !== 'none';
  let blockedSince: number | null = null;
  try {
    while (!stopRequested()) {
      let run: Run | undefined;
      try {
        const waitedOut = blockedSince !== null && Date.now() - blockedSince > BLOCKED_MS;
        run = await store.claimRun(options.sweepId, claim, { trainOnce: trainOnce && !waitedOut });
        if (!run && trainOnce && (await store.queuedRuns(options.sweepId)) > 0) {
          blockedSince ??= Date.now();
          await new Promise((resolve) => setTimeout(resolve, BLOCKED_POLL_MS));
          continue;
        }
      } catch (e) {
        if (!(e instanceof StoreWriteError)) throw e;
        await send({ type: 'store-error', message: e.message, reason: storeFailureText(e) });
        return EXIT_STORE;
      }
      if (!run) break;
      blockedSince = null;
      const { storeError } = await runOne(store, run);
      if (storeError !== null) {
        // Every later write would fail the same way: leave it to the parent to stop the sweep.
        await send({ type: 'store-error', message: storeError.message, reason: storeFailureText(storeError) });
        return EXIT_STORE;
      }
    }
  } finally {
    await store.close();
  }
  await send({ type: 'done' });
  return 0;
}

/**
 * Takes runs from the queue until a stop is asked for or, with untilIdle, nothing is left: expired leases
 * are sent back (any worker does it while it polls), a job becomes an owned run (queue-claim.ts) and runs
 * with every write checked against this worker's attempt (owned-store.ts).
 */
async function queueWorker(store: TransactionalStore, claim: RunClaim, q: QueueWorkerOptions): Promise<number> {
  const queue = await RunQueue.open(store.pool, { leaseSeconds: q.leaseSeconds });
  const sweepIds = q.sweepIds ?? undefined;
  let expiredAt = 0;
  try {
    while (!stopRequested()) {
      if (Date.now() - expiredAt >= EXPIRE_MS) {
        await queue.expire();
        expiredAt = Date.now();
      }
      const lease = await queue.fetch(sweepIds);
      if (lease === undefined) {
        if (q.untilIdle && (await queue.pending(sweepIds)) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, QUEUE_POLL_MS));
        continue;
      }
      const take = await takeRun(store, queue, lease, claim, { maxAttempts: q.maxAttempts, leaseSeconds: q.leaseSeconds });
      if (take.kind === 'busy') {
        await new Promise((resolve) => setTimeout(resolve, QUEUE_POLL_MS));
        continue;
      }
      if (take.note !== null) await send({ type: 'notice', message: take.note });
      if (take.kind === 'skip') continue;
      const holder = { attempt: take.run.attempt, host: claim.host, pid: claim.pid };
      const { storeError } = await runOne(new OwnedRunStore(store, queue, take.run.id, holder, lease), take.run, lease);
      // The server went away (a StoreWriteError of a lost connection): the pool starts a worker again later.
      if (storeError !== null && isConnectionError(storeError)) throw storeError;
      if (storeError !== null) {
        await send({ type: 'store-error', message: storeError.message, reason: storeFailureText(storeError) });
        return EXIT_STORE;
      }
    }
  } finally {
    await queue.close().catch(() => undefined);
  }
  await send({ type: 'done' });
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (e: unknown) => {
    await send({ type: 'fatal', message: options.queue ? masked(e) : e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(4);
  },
);
