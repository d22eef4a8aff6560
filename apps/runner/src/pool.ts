/**
 * The worker pool of one sweep invocation, in the parent process: forks the workers (tfjs is
 * CPU-bound and never runs in the parent), follows their IPC messages into the progress display,
 * replaces a worker that dies mid-run, and handles Ctrl-C / SIGTERM:
 *
 * 1st signal: forwarded to every worker, which stops its run at the next step, marks it killed
 *             with what it logged so far flushed, and exits; stragglers are SIGKILLed after
 *             STOP_GRACE_MS and their runs marked killed here.
 * 2nd signal: SIGKILL every worker at once, mark their runs killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IllegalTransitionError, type RunStore } from '@scorelab/tracking';
import type { WorkerMessage, WorkerOptions } from './ipc';
import { isWorkerMessage } from './ipc';
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
}

export async function runPool(o: PoolOptions): Promise<PoolResult> {
  const slots: Slot[] = [];
  const pids = new Set<number>();
  const fatal: string[] = [];
  let stoppedBy: NodeJS.Signals | null = null;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let replacements = 0;
  const stopFile = join(tmpdir(), `scorelab-stop-${process.pid}-${o.sweepId}-${Date.now()}`);
  let finish: () => void = () => undefined;
  const allExited = new Promise<void>((resolve) => (finish = resolve));

  const markKilled = async (runId: number, reason: string, step?: number): Promise<void> => {
    try {
      const run = await o.store.getRun(runId);
      // killRun records the run's current step: the last one the worker reported is fresher.
      if (run?.status === 'running' && step !== undefined) await o.store.heartbeat(runId, { step });
      if (run?.status === 'running' || run?.status === 'queued') await o.store.killRun(runId, reason);
    } catch (e) {
      if (!(e instanceof IllegalTransitionError)) o.display.warn(`could not mark run ${runId} killed: ${(e as Error).message}`);
    }
  };

  const spawn = (index: number): Slot => {
    const options: WorkerOptions = { ...o.worker, sweepId: o.sweepId, workerIndex: index, stopFile };
    const child = fork(WORKER_SCRIPT, [JSON.stringify(options)], {
      execArgv: ['--import', TSX_LOADER],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const view: WorkerView = { index, pid: child.pid, exited: false };
    const slot: Slot = { view, child, ready: false, done: false, fatal: null, output: [], queue: Promise.resolve() };
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
      if (stoppedBy !== null) {
        await markKilled(runId, `interrupted (${stoppedBy}): the worker did not stop in time and was killed`, trainStep);
        o.view.ended.killed++;
      } else {
        const tail = slot.output.slice(-10).join('\n');
        const reason = `the worker process died during the run (${how})${tail ? `; its last output:\n${tail}` : ''}`;
        try {
          const run = await o.store.getRun(runId);
          if (run?.status === 'running') await o.store.failRun(runId, reason, trainStep ?? run.currentStep);
        } catch (e) {
          o.display.warn(`could not mark run ${runId} failed: ${(e as Error).message}`);
        }
        o.view.ended.failed++;
        o.display.warn(`worker ${w.index} died during run ${runId} (${how}); the run is marked failed`);
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
    } else if (!slot.done && stoppedBy === null) {
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

  const stop = (signal: NodeJS.Signals): void => {
    if (stoppedBy === null) {
      stoppedBy = signal;
      try {
        writeFileSync(stopFile, signal);
      } catch {
        // the signal below still reaches the workers at their next turn of the event loop
      }
      o.display.warn(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the running runs at their next step and saving what they logged (Ctrl-C again to stop at once)`);
      for (const s of slots) if (!s.view.exited) s.child.kill(signal);
      killTimer = setTimeout(() => {
        for (const s of slots) if (!s.view.exited) s.child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      killTimer.unref();
    } else {
      o.display.warn('stopping at once');
      for (const s of slots) if (!s.view.exited) s.child.kill('SIGKILL');
    }
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  try {
    for (let i = 1; i <= o.workers; i++) spawn(i);
    await allExited;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    if (killTimer) clearTimeout(killTimer);
    rmSync(stopFile, { force: true });
  }
  // A worker killed between claiming a run and reporting it leaves the run running: close it here.
  for (const run of await o.store.listRuns({ sweepId: o.sweepId, status: 'running' })) {
    if (run.pid !== null && pids.has(run.pid)) {
      if (stoppedBy !== null) await markKilled(run.id, `interrupted (${stoppedBy})`);
      else await o.store.failRun(run.id, 'the worker process ended without ending the run', run.currentStep);
    }
  }
  return { stoppedBy, fatal };
}
