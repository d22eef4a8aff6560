/**
 * A sweep on a PostgreSQL store: the sweep row, its run rows and their jobs on the queue are written in
 * one transaction (a sweep is either wholly enqueued or not at all), and the limits of queue workers.
 */
import { RunQueue, type RunStore } from '@scorelab/tracking';
import { UsageError } from './errors';
import type { QueueWorkerOptions } from './ipc';
import { heartbeatTimeoutMs } from './limits';
import { isTransactional, type TransactionalStore } from './owned-store';
import type { SweepPlan } from './plan';
import { prepareSweep, type PreparedSweep } from './prepare';
import { jobPriority, trainers } from './queue-claim';

export const DEFAULT_MAX_ATTEMPTS = 3;
/** Workers give up when the store stays unreachable this long (SCORELAB_STORE_UNREACHABLE_S). */
export const DEFAULT_UNREACHABLE_S = 300;

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!(Number.isInteger(value) && value >= 1)) throw new UsageError(`${name} must be an integer >= 1, got '${text}'`);
  return value;
}

/** A job's lease: the heartbeat timeout (SCORELAB_HEARTBEAT_TIMEOUT_MS, default 30 s), whole seconds, at least 1. */
export function leaseSeconds(): number {
  return Math.max(1, Math.ceil(heartbeatTimeoutMs() / 1000));
}

/** SCORELAB_MAX_ATTEMPTS (default 3): attempts a run gets when its workers die or are stopped. */
export function maxAttempts(): number {
  return positiveInteger('SCORELAB_MAX_ATTEMPTS', DEFAULT_MAX_ATTEMPTS);
}

export function unreachableLimitMs(): number {
  return positiveInteger('SCORELAB_STORE_UNREACHABLE_S', DEFAULT_UNREACHABLE_S) * 1000;
}

export function queueOptions(sweepIds: number[] | null, untilIdle: boolean): QueueWorkerOptions {
  return { sweepIds, untilIdle, leaseSeconds: leaseSeconds(), maxAttempts: maxAttempts() };
}

/** The store of a command that needs a queue; exit 2 for a SQLite store. */
export async function queueStore(store: RunStore, what: string): Promise<TransactionalStore> {
  if (!isTransactional(store)) throw new UsageError(`${what} needs a PostgreSQL store (--store postgres://user@host:port/db): the queue lives in its database; on a SQLite store, scorelab sweep runs every run itself`);
  return store;
}

/**
 * Creates (or on --resume picks) the sweep, its runs and their jobs in one transaction. Runs that
 * train a model are enqueued first. modelId: the model every run samples (scorelab sample).
 */
export async function prepareQueuedSweep(store: TransactionalStore, queue: RunQueue, plan: SweepPlan, resume: boolean, modelId?: number): Promise<PreparedSweep> {
  return store.transaction(async (tx, client) => {
    const prepared = await prepareSweep(tx, plan, resume, { queue: true });
    if (modelId !== undefined) for (const id of prepared.runIds) await tx.setRunModel(id, modelId);
    const planned = new Set(prepared.runIds);
    const runs = (await tx.listRuns({ sweepId: prepared.sweep.id, status: 'queued' })).filter((r) => planned.has(r.id)).sort((a, b) => a.idx - b.idx);
    const train = trainers(runs);
    await queue.enqueue(
      client,
      prepared.sweep.id,
      runs.map((r) => ({ runId: r.id, priority: jobPriority(r.idx, train.has(r.id)) })),
    );
    return prepared;
  });
}
