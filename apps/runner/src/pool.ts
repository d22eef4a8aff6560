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
import { IllegalTransitionError, StoreWriteError, type RunStore } from '@scorelab/tracking';
import { storeFailureText } from './errors';
import type { WorkerMessage, WorkerOptions } from './ipc';
import { isWorkerMessage } from './ipc';
import { outOfMemoryMessage, residentMb } from './limits';
import type { ProgressDisplay, SweepView, WorkerView } from './progress';

export const STOP_GRACE_MS = 10_000;
const WORKER_SCRIPT = fileURLToPath(new URL('./worker.ts', import.meta.url));
// Resolved here rather than left to the child, so the workers start from any working directory.
const TSX_LOADER = import.meta.resolve('tsx');
/** Lines of a worker's output kept for the report when it dies. */
const OUTPUT_TAIL = 40;

export interface PoolOptions {
  store: RunStore;
  sweepId: number;
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
    const options: WorkerOptions = { ...o.worker, sweepId: o.sweepId, workerIndex: index, stopFile };
    const child = fork(WORKER_SCRIPT, [JSON.stringify(options)], {
      // The heap limit makes V8 fail fast instead of thrashing; tensors live outside it, so the
      // pool also watches the resident memory.
      execArgv: ['--import', TSX_LOADER, `--max-old-space-size=${o.worker.memoryLimitMb}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const view: WorkerView = { index, pid: child.pid, exited: false };
    const slot: Slot = { view, child, ready: false, done: false, fatal: null, output: [], queue: Promise.resolve(), overLimit: 0, outOfMemory: null };
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
      case 'run-start':
        w.run = { runId: m.runId, idx: m.idx, params: m.params, seed: m.seed, attempt: m.attempt, startedAt: Date.now(), phase: 'setup', step: 0, totalSteps: 0, trainSteps: 0 };
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
        o.view.ended[m.status]++;
        if (m.status === 'finished') o.view.durations.push(m.durationMs);
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
      if (stoppedBy !== null || (storeError !== null && slot.outOfMemory === null)) {
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
    if (!slot.ready) {
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
      const queued = (await o.store.listRuns({ sweepId: o.sweepId, status: 'queued' })).length;
      if (queued > 0 && replacements < Math.max(o.view.total, 1)) {
        replacements++;
        spawn(slots.length + 1);
      }
    }
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
    await write(() => o.store.heartbeatSweep(o.sweepId));
    for (const slot of slots) {
      const run = slot.view.run;
      if (slot.view.exited || !run || slot.outOfMemory !== null) continue;
      await write(() => o.store.heartbeat(run.runId));
      const usedMb = slot.child.pid === undefined ? null : residentMb(slot.child.pid);
      slot.overLimit = usedMb !== null && usedMb > o.worker.memoryLimitMb ? slot.overLimit + 1 : 0;
      if (slot.overLimit >= 2) {
        slot.outOfMemory = outOfMemoryMessage(usedMb!, o.worker.memoryLimitMb, ' inside one step, so the sweep process killed it');
        slot.child.kill('SIGKILL');
      }
    }
  };
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
  for (const run of await o.store.listRuns({ sweepId: o.sweepId, status: 'running' })) {
    if (run.pid !== null && pids.has(run.pid)) {
      if (stoppedBy !== null) await markKilled(run.id, `interrupted (${stoppedBy})`);
      else if (storeError !== null) await write(() => o.store.failRun(run.id, `stopped: ${storeError!.reason}`, run.currentStep));
      else await write(() => o.store.failRun(run.id, 'the worker process ended without ending the run', run.currentStep));
    }
  }
  return { stoppedBy, fatal, storeError };
}
