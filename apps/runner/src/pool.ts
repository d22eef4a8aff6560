/**
 * The worker pool of one sweep invocation, in the parent process: forks the workers (tfjs is
 * CPU-bound and never runs in the parent), follows their IPC messages into the progress display,
 * replaces a worker that dies mid-run, and handles Ctrl-C / SIGTERM:
 *
 * 1st signal: forwarded to every worker, which stops its run at the next step, marks it killed
 *             with what it logged so far flushed, and exits; stragglers are SIGKILLed after
 *             STOP_GRACE_MS and their runs marked killed here.
 * 2nd signal: SIGKILL every worker at once, mark their runs killed.
 *
 * Every heartbeat period it also beats for the sweep and for its workers' runs (so a worker whose
 * event loop is blocked inside one training step keeps its run), and kills a worker whose resident
 * memory stays over the limit (its run fails 'out of memory: ...'). When the store refuses a
 * write (full disk), the sweep stops: no worker is started again, the others stop their runs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IllegalTransitionError, StoreWriteError, type RunLease, type RunQueue, type RunStore } from '@scorelab/tracking';
import { isConnectionError } from './connection-errors';
import { storeFailureText } from './errors';
import type { QueueWorkerOptions, WorkerMessage, WorkerOptions } from './ipc';
import { isWorkerMessage } from './ipc';
import { outOfMemoryMessage, residentMb } from './limits';
import { LostRunError, whileOwned, type TransactionalStore } from './owned-store';
import { STORE_URL_ENV } from './store-location';
import type { ProgressDisplay, SweepView, WorkerView } from './progress';

export const STOP_GRACE_MS = 10_000;
const WORKER_SCRIPT = fileURLToPath(new URL('./worker.ts', import.meta.url));
// Resolved here rather than left to the child, so the workers start from any working directory.
const TSX_LOADER = import.meta.resolve('tsx');
/** Lines of a worker's output kept for the report when it dies. */
const OUTPUT_TAIL = 40;

/** A pool whose workers take runs from a PostgreSQL store's queue (scorelab worker, or sweep on PostgreSQL). */
export interface QueuePool {
  store: TransactionalStore;
  queue: RunQueue;
  options: QueueWorkerOptions;
  /** The store URL, handed to the workers in their environment. */
  url: string;
  /** Give up when the store stays unreachable this long (ms). */
  unreachableLimitMs: number;
}

/** Pauses before a worker is started again after the store could not be reached: 1, 2, 4, ... 30 s. */
const UNREACHABLE_BACKOFF_MS = [1000, 2000, 4000, 8000, 16_000, 30_000];

export interface PoolOptions {
  store: RunStore;
  /** The sweep whose runs the workers claim (SQLite), or whose heartbeat the pool keeps; null for scorelab worker. */
  sweepId: number | null;
  queue?: QueuePool;
  workers: number;
  /** memoryLimitMb also caps each worker's JavaScript heap; heartbeatMs is the pool's beat too. */
  worker: Omit<WorkerOptions, 'workerIndex' | 'sweepId' | 'stopFile'>;
  view: SweepView;
  display: ProgressDisplay;
  /** Keys of the metrics shown per ended run. */
  keyMetrics: readonly string[];
}

export interface PoolResult {
  /** The signal that stopped the sweep, or null when it ran to the end. */
  stoppedBy: NodeJS.Signals | null;
  /** Messages of workers that could not start (backend or store failed to load). */
  fatal: string[];
  /** The store refused a write: the sweep was stopped because of it. `message` names the file,
   * `reason` is the short form the runs are failed or killed with. */
  storeError: { message: string; reason: string } | null;
  /** Queue pools: the store stayed unreachable past the limit, and the pool gave up. */
  unreachable: string | null;
}

interface Slot {
  view: WorkerView;
  child: ChildProcess;
  ready: boolean;
  done: boolean;
  fatal: string | null;
  output: string[];
  /** Messages and the exit are handled one after another, in arrival order. */
  queue: Promise<void>;
  /** Consecutive watchdog checks that found the worker over its memory limit. */
  overLimit: number;
  /** Set when the pool killed the worker for its memory: the error of its run. */
  outOfMemory: string | null;
  /** Queue workers: the lease of the current run and the attempt it started, for renewal and ownership. */
  lease: RunLease | null;
  attempt: number;
  sweepId: number | null;
  /** The worker exited because the store could not be reached (queue pools retry after a pause). */
  unreachable: string | null;
}

/** V8's last words when the heap limit (--max-old-space-size) is reached. */
const HEAP_OOM = /JavaScript heap out of memory|Reached heap limit/;

export async function runPool(o: PoolOptions): Promise<PoolResult> {
  const slots: Slot[] = [];
  const pids = new Set<number>();
  const fatal: string[] = [];
  let stoppedBy: NodeJS.Signals | null = null;
  let storeError: { message: string; reason: string } | null = null;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let replacements = 0;
  let unreachable: string | null = null;
  let unreachableSince: number | null = null;
  let respawns = 0;
  const stopFile = join(tmpdir(), `scorelab-stop-${process.pid}-${o.sweepId}-${Date.now()}`);
  let finish: () => void = () => undefined;
  const allExited = new Promise<void>((resolve) => (finish = resolve));

  /**
   * The store refused a write: stop the sweep once (no more workers; the running ones stop their
   * runs at the next step, killed with this reason), and say so once.
   */
  const abort = (message: string, reason: string): void => {
    if (storeError !== null || stoppedBy !== null) return;
    storeError = { message, reason };
    o.display.warn(`scorelab: ${message}; stopping the sweep (free space on its disk or fix the file, then resume)`);
    requestStop(`stopped: ${reason}`);
  };
  const abortFor = (e: StoreWriteError): void => abort(e.message, storeFailureText(e));

  /** A write of the parent's; a StoreWriteError stops the sweep instead of escaping. */
  const write = async (what: () => Promise<unknown>): Promise<void> => {
    try {
      await what();
    } catch (e) {
      if (!(e instanceof StoreWriteError)) throw e;
      // A PostgreSQL server that went away is not a full disk: queue workers wait for it (retryUnreachable).
      if (o.queue && isConnectionError(e)) return;
      abortFor(e);
    }
  };

  const markKilled = async (runId: number, reason: string, step?: number): Promise<void> => {
    try {
      const run = await o.store.getRun(runId);
      // killRun records the run's current step: the last one the worker reported is fresher.
      if (run?.status === 'running' && step !== undefined) await o.store.heartbeat(runId, { step });
      if (run?.status === 'running' || run?.status === 'queued') await o.store.killRun(runId, reason);
    } catch (e) {
      if (e instanceof StoreWriteError) abortFor(e);
      else if (!(e instanceof IllegalTransitionError)) o.display.warn(`could not mark run ${runId} killed: ${(e as Error).message}`);
    }
  };

  const spawn = (index: number): Slot => {
    const options: WorkerOptions = { ...o.worker, sweepId: o.sweepId ?? 0, workerIndex: index, stopFile, ...(o.queue ? { queue: o.queue.options } : {}) };
    const child = fork(WORKER_SCRIPT, [JSON.stringify(options)], {
      env: o.queue ? { ...process.env, [STORE_URL_ENV]: o.queue.url } : process.env,
      // The heap limit makes V8 fail fast instead of thrashing; tensors live outside it, so the
      // pool also watches the resident memory.
      execArgv: ['--import', TSX_LOADER, `--max-old-space-size=${o.worker.memoryLimitMb}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const view: WorkerView = { index, pid: child.pid, exited: false };
    const slot: Slot = { view, child, ready: false, done: false, fatal: null, output: [], queue: Promise.resolve(), overLimit: 0, outOfMemory: null, lease: null, attempt: 0, sweepId: null, unreachable: null };
    const handle = (what: () => Promise<void>) => {
      slot.queue = slot.queue.then(what).catch((e: unknown) => o.display.warn(`worker ${index}: ${(e as Error).message}`));
    };
    if (child.pid !== undefined) pids.add(child.pid);
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      if (process.env.SCORELAB_WORKER_OUTPUT) process.stderr.write(text);
      slot.output.push(...text.split('\n').filter((l) => l.trim() !== ''));
      if (slot.output.length > OUTPUT_TAIL) slot.output.splice(0, slot.output.length - OUTPUT_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (m) => {
      if (isWorkerMessage(m)) handle(() => onMessage(slot, m));
    });
    child.on('error', (e) => keep(Buffer.from(`${e.message}\n`)));
    // 'close' comes after the exit and after the worker's output and messages were all read.
    child.on('close', (code, signal) => handle(() => onExit(slot, code, signal)));
    slots.push(slot);
    o.view.workers.push(view);
    return slot;
  };

  const onMessage = async (slot: Slot, m: WorkerMessage): Promise<void> => {
    const w = slot.view;
    switch (m.type) {
      case 'ready':
        slot.ready = true;
        w.backend = m.backend;
        o.display.notice(`worker ${w.index} (pid ${w.pid}) ready, backend ${m.backend}`);
        break;
      case 'fatal':
        slot.fatal = m.message;
        break;
      case 'notice':
        o.display.notice(m.message);
        break;
      case 'store-unreachable':
        slot.unreachable = m.message;
        slot.done = true;
        break;
      case 'run-start':
        slot.lease = m.lease ?? null;
        slot.attempt = m.attempt;
        slot.sweepId = m.sweepId;
        unreachableSince = null;
        w.run = { runId: m.runId, idx: m.idx, params: m.params, seed: m.seed, attempt: m.attempt, startedAt: Date.now(), phase: 'setup', step: 0, totalSteps: 0, trainSteps: 0 };
        if (o.sweepId === null) {
          await sweepStarted(m.sweepId);
          // A queue worker's runs are not known in advance: count them as they come.
          const e = o.view.ended;
          o.view.total = Math.max(o.view.total, e.finished + e.failed + e.killed + slots.filter((s) => s.view.run && !s.view.exited).length);
        }
        o.display.runStart(w);
        break;
      case 'progress': {
        const r = w.run;
        if (!r || r.runId !== m.runId) break;
        r.phase = m.phase;
        r.step = m.step;
        r.totalSteps = m.totalSteps;
        if (m.phase === 'train' || m.phase === 'eval') r.trainSteps = m.totalSteps;
        if (m.loss !== undefined) r.loss = m.loss;
        o.display.progress(w);
        break;
      }
      case 'run-end': {
        const r = w.run;
        w.run = undefined;
        slot.lease = null;
        o.view.ended[m.status]++;
        if (m.status === 'finished') o.view.durations.push(m.durationMs);
        if (o.queue && slot.sweepId !== null) await settleSweep(slot.sweepId);
        const stored = await o.store.getRun(m.runId);
        o.display.runEnd(
          { runId: m.runId, idx: r?.idx ?? stored?.idx ?? -1, params: r?.params ?? stored?.params ?? {}, seed: r?.seed ?? stored?.seed ?? 0, status: m.status, error: m.error, errorStep: m.errorStep, durationMs: m.durationMs, metrics: stored?.latest ?? {} },
          o.keyMetrics,
        );
        break;
      }
      case 'done':
        slot.done = true;
        break;
      case 'store-error':
        slot.done = true;
        abort(m.message, m.reason);
        break;
    }
  };

  const onExit = async (slot: Slot, code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
    slot.view.exited = true;
    try {
      await afterExit(slot, code, signal);
    } finally {
      if (slots.every((s) => s.view.exited)) finish();
    }
  };

  const afterExit = async (slot: Slot, code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
    const w = slot.view;
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    if (w.run) {
      const { runId, phase, step: lastStep } = w.run;
      w.run = undefined;
      const trainStep = phase === 'train' || phase === 'eval' ? lastStep : undefined;
      if (o.queue && slot.lease) {
        await endForDeadQueueWorker(slot, runId, trainStep, how);
        slot.lease = null;
      } else if (stoppedBy !== null || (storeError !== null && slot.outOfMemory === null)) {
        const why = stoppedBy !== null ? `interrupted (${stoppedBy}): the worker did not stop in time and was killed` : `stopped: ${storeError!.reason}`;
        await markKilled(runId, why, trainStep);
        o.view.ended.killed++;
      } else {
        const tail = slot.output.slice(-10).join('\n');
        const heapLimit = HEAP_OOM.test(tail) ? `out of memory: the worker's JavaScript heap reached its limit of ${o.worker.memoryLimitMb} MB (SCORELAB_WORKER_MEMORY_MB)` : null;
        const reason = slot.outOfMemory ?? heapLimit ?? `the worker process died during the run (${how})${tail ? `; its last output:\n${tail}` : ''}`;
        try {
          const run = await o.store.getRun(runId);
          if (run?.status === 'running') await o.store.failRun(runId, reason, trainStep ?? run.currentStep);
        } catch (e) {
          if (e instanceof StoreWriteError) abortFor(e);
          else o.display.warn(`could not mark run ${runId} failed: ${(e as Error).message}`);
        }
        o.view.ended.failed++;
        if (slot.outOfMemory !== null || heapLimit !== null) o.display.warn(`worker ${w.index} was stopped during run ${runId}: ${reason}`);
        else o.display.warn(`worker ${w.index} died during run ${runId} (${how}); the run is marked failed`);
      }
    }
    if (o.queue && slot.unreachable !== null) {
      await retryUnreachable(slot);
    } else if (!slot.ready) {
      // A worker that could not start (backend or store failed to load) is not replaced: the next would fail too.
      const tail = slot.output.slice(-10).join('\n');
      const message = slot.fatal ?? `${how} before it was ready${tail ? `:\n${tail}` : ''}`;
      if (stoppedBy === null || slot.fatal !== null) {
        fatal.push(message);
        o.display.warn(`worker ${w.index} could not start: ${message}`);
      }
    } else if (!slot.done && stoppedBy === null && storeError === null) {
      if (slot.fatal !== null) o.display.warn(`worker ${w.index} failed: ${slot.fatal}`);
      // A worker that died mid-sweep is replaced while queued runs remain (bounded, so a run that
      // kills every worker it lands on cannot loop forever: it is failed each time it is claimed).
      const queued = o.queue ? await o.queue.queue.pending(o.queue.options.sweepIds ?? undefined) : (await o.store.listRuns({ sweepId: o.sweepId ?? undefined, status: 'queued' })).length;
      if (queued > 0 && replacements < Math.max(o.view.total, o.workers, 1)) {
        replacements++;
        spawn(slots.length + 1);
      }
    }
  };

  /**
   * A queue worker died (or was killed for its memory, or after a stop) during a run: if it still owned
   * the run, the run is failed (or killed, when the pool is stopping) and its job given back to the
   * queue, where a worker retries it up to its attempt limit. When the store cannot be reached, the
   * job's lease runs out instead and a worker takes the run over then.
   */
  const endForDeadQueueWorker = async (slot: Slot, runId: number, step: number | undefined, how: string): Promise<void> => {
    const q = o.queue!;
    const lease = slot.lease!;
    const stopping = stoppedBy !== null;
    const tail = slot.output.slice(-10).join('\n');
    const reason = stopping
      ? `interrupted (${stoppedBy}): the worker did not stop in time and was killed`
      : (slot.outOfMemory ?? `the worker process died during the run (${how})${tail ? `; its last output:\n${tail}` : ''}`);
    try {
      await whileOwned(q.store, runId, { attempt: slot.attempt, host: o.worker.host, pid: slot.view.pid ?? -1 }, async (tx, client) => {
        if (step !== undefined) await tx.heartbeat(runId, { step });
        if (stopping) await tx.killRun(runId, reason);
        else await tx.failRun(runId, reason, step ?? null);
        await q.queue.giveBack(lease, reason, client);
      });
      o.view.ended[stopping ? 'killed' : 'failed']++;
      if (!stopping) o.display.warn(`worker ${slot.view.index} died during run ${runId} (${how}); the run goes back to the queue`);
    } catch (e) {
      if (e instanceof LostRunError) return; // another worker has it already
      const why = isConnectionError(e) ? 'the store cannot be reached' : (e as Error).message;
      o.display.warn(`could not give run ${runId} back (${why}); its lease runs out in ${q.options.leaseSeconds} s and another worker takes it then`);
    }
  };

  /** The store could not be reached: start the worker again after a pause, unless that has lasted too long. */
  const retryUnreachable = async (slot: Slot): Promise<void> => {
    const q = o.queue!;
    unreachableSince ??= Date.now();
    if (stoppedBy !== null) return;
    if (Date.now() - unreachableSince > q.unreachableLimitMs) {
      if (unreachable === null) {
        unreachable = slot.unreachable!;
        o.display.warn(`scorelab: the store has been unreachable for ${Math.round((Date.now() - unreachableSince) / 1000)} s (${slot.unreachable}); giving up`);
      }
      return;
    }
    const pause = UNREACHABLE_BACKOFF_MS[Math.min(respawns, UNREACHABLE_BACKOFF_MS.length - 1)];
    respawns++;
    o.display.warn(`worker ${slot.view.index}: the store cannot be reached (${slot.unreachable}); trying again in ${pause / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, pause));
    if (stoppedBy === null) spawn(slots.length + 1);
  };

  /** Asks every worker to stop its run at the next step with `reason`; stragglers are killed after STOP_GRACE_MS. */
  const requestStop = (reason: string): void => {
    try {
      writeFileSync(stopFile, reason);
    } catch {
      // a signal still reaches the workers at their next turn of the event loop
    }
    if (killTimer) clearTimeout(killTimer);
    killTimer = setTimeout(() => {
      for (const s of slots) if (!s.view.exited) s.child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    killTimer.unref();
  };

  const stop = (signal: NodeJS.Signals): void => {
    if (stoppedBy === null) {
      stoppedBy = signal;
      requestStop(`interrupted (${signal})`);
      o.display.warn(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the running runs at their next step and saving what they logged (Ctrl-C again to stop at once)`);
      for (const s of slots) if (!s.view.exited) s.child.kill(signal);
    } else {
      o.display.warn('stopping at once');
      for (const s of slots) if (!s.view.exited) s.child.kill('SIGKILL');
    }
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  /**
   * The watchdog, on the parent's event loop (never blocked by training): beats for the sweep and
   * for every run a live worker has, and kills a worker found over its memory limit twice in a
   * row (a worker that is not blocked fails its run itself at its next step, with its logs flushed).
   */
  const watch = async (): Promise<void> => {
    if (storeError !== null) return;
    if (o.sweepId !== null) await beat(() => o.store.heartbeatSweep(o.sweepId!));
    for (const slot of slots) {
      const run = slot.view.run;
      if (slot.view.exited || !run || slot.outOfMemory !== null) continue;
      // A queue worker's lease is renewed here, on the pool's event loop, which training never blocks.
      const lease = slot.lease;
      if (o.queue && lease) {
        const q = o.queue;
        let held = false;
        await beat(async () => (held = await q.queue.renew(lease)));
        // Lost (or the store is away): the worker finds out at its next write. Held: beat if still ours.
        const holder = { attempt: slot.attempt, host: o.worker.host, pid: slot.view.pid ?? -1 };
        if (held) await beat(() => whileOwned(q.store, run.runId, holder, (tx) => tx.heartbeat(run.runId)).catch((e: unknown) => (e instanceof LostRunError ? undefined : Promise.reject(e))));
      } else await beat(() => o.store.heartbeat(run.runId));
      const usedMb = slot.child.pid === undefined ? null : residentMb(slot.child.pid);
      slot.overLimit = usedMb !== null && usedMb > o.worker.memoryLimitMb ? slot.overLimit + 1 : 0;
      if (slot.overLimit >= 2) {
        slot.outOfMemory = outOfMemoryMessage(usedMb!, o.worker.memoryLimitMb, ' inside one step, so the sweep process killed it');
        slot.child.kill('SIGKILL');
      }
    }
  };
  /** Queue pools: a sweep with no run queued or running any more gets its final status (workers on any machine may end its last run). */
  async function settleSweep(sweepId: number): Promise<void> {
    try {
      const sweep = await o.store.getSweep(sweepId);
      if (!sweep || sweep.counts.queued + sweep.counts.running > 0 || sweep.status === 'finished') return;
      if (o.sweepId === sweepId) return; // the sweep's own process sets it when its pool ends
      await o.store.setSweepStatus(sweepId, sweep.counts.finished === sweep.counts.total ? 'finished' : 'failed');
    } catch (e) {
      if (!isConnectionError(e)) o.display.warn(`could not settle sweep ${sweepId}: ${(e as Error).message}`);
    }
  }

  /** scorelab worker: an enqueued sweep reads `running` once a worker runs one of its runs (no owner process: workers come and go). */
  async function sweepStarted(sweepId: number): Promise<void> {
    try {
      const sweep = await o.store.getSweep(sweepId);
      if (sweep?.status === 'queued') await o.store.setSweepStatus(sweepId, 'running');
    } catch (e) {
      if (!isConnectionError(e)) o.display.warn(`could not mark sweep ${sweepId} running: ${(e as Error).message}`);
    }
  }

  /** A beat of the watchdog: on a queue pool, a store that cannot be reached is the workers' business. */
  async function beat(what: () => Promise<unknown>): Promise<void> {
    try {
      await write(what);
    } catch (e) {
      if (!(o.queue && isConnectionError(e))) throw e;
    }
  }
  let watching = false;
  const watchTimer = setInterval(() => {
    if (watching) return;
    watching = true;
    watch()
      .catch((e: unknown) => o.display.warn(`heartbeat: ${(e as Error).message}`))
      .finally(() => (watching = false));
  }, o.worker.heartbeatMs);

  try {
    for (let i = 1; i <= o.workers; i++) spawn(i);
    await allExited;
  } finally {
    clearInterval(watchTimer);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    if (killTimer) clearTimeout(killTimer);
    rmSync(stopFile, { force: true });
  }
  // A worker killed between claiming a run and reporting it leaves the run running: close it here.
  const leftovers = await o.store.listRuns({ ...(o.sweepId !== null ? { sweepId: o.sweepId } : {}), status: 'running' }).catch((e: unknown) => {
    if (o.queue && isConnectionError(e)) return []; // their leases run out
    throw e;
  });
  for (const run of o.queue ? [] : leftovers) {
    if (run.pid !== null && pids.has(run.pid)) {
      if (stoppedBy !== null) await markKilled(run.id, `interrupted (${stoppedBy})`);
      else if (storeError !== null) await write(() => o.store.failRun(run.id, `stopped: ${storeError!.reason}`, run.currentStep));
      else await write(() => o.store.failRun(run.id, 'the worker process ended without ending the run', run.currentStep));
    }
  }
  return { stoppedBy, fatal, storeError, unreachable };
}
