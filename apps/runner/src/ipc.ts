/**
 * Messages between the sweep parent and its worker processes (child_process.fork IPC, JSON).
 * The parent never loads tfjs: everything it knows about a run comes through these messages and
 * the store.
 */
import type { RunPhase } from '@scorelab/pipeline';
import type { RunLease } from '@scorelab/tracking';

/**
 * Which stored models a run may sample instead of training its own: `any` of its training hash (the
 * default), only those trained in its own sweep (`sweep`: --retrain), or `none` (SCORELAB_REUSE_MODELS=0:
 * every run trains its own model).
 */
export type ModelReuse = 'any' | 'sweep' | 'none';

/** How a worker takes runs from a PostgreSQL store's queue (docs/distributed.md). */
export interface QueueWorkerOptions {
  /** Only these sweeps' queues (scorelab sweep), or null: every sweep's (scorelab worker). */
  sweepIds: number[] | null;
  /** Exit when these queues have no job left that is not over (none queued, none held by any worker). */
  untilIdle: boolean;
  /** A job not renewed for this long goes back to the queue. */
  leaseSeconds: number;
  /** Attempts a run gets (its worker dying, or being stopped, counts one) before it stays failed. */
  maxAttempts: number;
}

/** What a worker needs to start; passed as JSON in argv[2] (a store URL, which may hold a password, goes in the environment: STORE_URL_ENV). */
export interface WorkerOptions {
  /** The SQLite file; for a PostgreSQL store the URL with its password masked (for messages). */
  dbPath: string;
  /** The sweep whose runs a SQLite worker claims (unused with `queue`). */
  sweepId: number;
  /** Take runs from the PostgreSQL store's queue instead of claiming them from one sweep. */
  queue?: QueueWorkerOptions;
  /** Forced backend (--backend), or undefined for the default order. */
  backend?: string;
  /** 1-based, for display. */
  workerIndex: number;
  /** The parts of the RunClaim every worker shares (the worker adds backend, tfjs version, pid). */
  versions: Record<string, string>;
  gitCommit: string | null;
  host: string;
  /**
   * Created by the parent when the sweep is interrupted or stopped; it holds the reason the runs
   * are killed with (`interrupted (SIGINT)`). Workers also look for it (synchronously) because a
   * signal is only delivered when the event loop turns, and the sampler's loop and the
   * evaluations are synchronous.
   */
  stopFile: string;
  /** Resident memory (MB) above which the worker fails its run ('out of memory: ...'). */
  memoryLimitMb: number;
  /** How often the worker sends its run's heartbeat. */
  heartbeatMs: number;
  /** Cap on the store's pages (SCORELAB_STORE_MAX_PAGES, fault-injection tests). */
  storeMaxPages?: number;
  /** Which stored models runs may sample instead of training (checkpoints.ts ModelReuse); default any. */
  reuse?: ModelReuse;
}

export type EndStatus = 'finished' | 'failed' | 'killed';

export type WorkerMessage =
  | { type: 'ready'; backend: string }
  /** The worker cannot go on (backend or store failed to open); it exits after sending this. */
  | { type: 'fatal'; message: string }
  | { type: 'run-start'; runId: number; idx: number; params: Record<string, unknown>; seed: number; attempt: number; sweepId: number; lease?: RunLease }
  /** Something a person should know (a run taken over from a dead worker, the store unreachable). */
  | { type: 'notice'; message: string }
  | { type: 'progress'; runId: number; phase: RunPhase; step: number; totalSteps: number; loss?: number }
  | { type: 'run-end'; runId: number; status: EndStatus; error: string | null; errorStep: number | null; durationMs: number }
  /** No queued run is left (or a stop was requested); the worker exits after sending this. */
  | { type: 'done' }
  /** The store refused a write (full disk, I/O error): the worker exits after this; the sweep stops. */
  | { type: 'store-error'; message: string; reason: string }
  /** A PostgreSQL store cannot be reached (server down, network): the worker exits after this; a queue pool starts another after a pause. */
  | { type: 'store-unreachable'; message: string };

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}
