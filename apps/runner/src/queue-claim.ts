/**
 * How a queue worker turns a job into a run it owns (docs/distributed.md), in one store transaction
 * with the run's row locked:
 *
 * - queued: started (attempt + 1).
 * - running: the job came back, so its last holder stopped renewing the lease (SIGKILL, machine gone,
 *   stopped for longer than the lease): that attempt is marked crashed, then the run is retried from its
 *   last checkpoint, unless it has had maxAttempts already: then it stays failed with the reason.
 * - killed (its worker was stopped and gave it back) or failed by a fault (crashed, out of memory, ...):
 *   retried from its last checkpoint, up to maxAttempts.
 * - finished, or failed by itself (diverged): nothing to do; the job is completed.
 */
import { lockRun, type Run, type RunClaim, type RunLease, type RunQueue } from '@scorelab/tracking';
import { latestCheckpointStep } from './checkpoints';
import { IDLE_TRANSACTION_SQL, type TransactionalStore } from './owned-store';
import { resumableAfter } from './prepare';

export type Take = { kind: 'run'; run: Run; note: string | null } | { kind: 'skip'; note: string } | { kind: 'busy' };

/** PostgreSQL's lock_not_available: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

export interface TakeOptions {
  maxAttempts: number;
  leaseSeconds: number;
}

/**
 * The run's row may be locked by a transaction of a process that stopped in the middle of it (SIGSTOP,
 * a frozen machine; the server ends it after idleTransactionSeconds): rather than wait for it while this
 * job's own lease is not renewed yet, the job goes back to the queue (`busy`) and is fetched again later.
 */
export async function takeRun(store: TransactionalStore, queue: RunQueue, lease: RunLease, claim: RunClaim, o: TakeOptions): Promise<Take> {
  try {
    return await lockedTake(store, queue, lease, claim, o);
  } catch (e) {
    if ((e as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw e;
    await queue.giveBack(lease, `run ${lease.runId} is locked by another transaction`);
    return { kind: 'busy' };
  }
}

async function lockedTake(store: TransactionalStore, queue: RunQueue, lease: RunLease, claim: RunClaim, o: TakeOptions): Promise<Take> {
  return store.transaction(async (tx, client): Promise<Take> => {
    // Well within the lease, which nobody renews until the run has started.
    await client.query(`SET LOCAL lock_timeout = ${Math.max(100, Math.min(1000, (o.leaseSeconds * 1000) / 4))}`);
    await client.query(IDLE_TRANSACTION_SQL);
    const owner = await lockRun(client, lease.runId);
    const done = async (note: string): Promise<Take> => {
      await queue.complete(lease, { skipped: note }, client);
      return { kind: 'skip', note };
    };
    if (owner === undefined) return done(`run ${lease.runId} is not in the store (deleted?): its job is dropped`);
    const start = async (note: string | null): Promise<Take> => ({ kind: 'run', run: await tx.startRun(lease.runId, claim), note });
    const retry = async (note: string): Promise<Take> => {
      const from = await latestCheckpointStep(tx, lease.runId);
      await tx.resetRunForRetry(lease.runId, from === null ? {} : { keepThroughStep: from });
      return start(`${note}${from === null ? '' : ` (continuing from its checkpoint at step ${from})`}`);
    };
    switch (owner.status) {
      case 'queued':
        return start(null);
      case 'finished':
        return done(`run ${lease.runId} has finished already`);
      case 'running': {
        const who = `pid ${owner.pid ?? '?'} on ${owner.host ?? '?'}`;
        const run = await tx.getRun(lease.runId);
        const reason = `crashed: its worker (${who}) stopped renewing its lease on the queue for ${o.leaseSeconds} s (killed, or its machine or network went away)`;
        if (owner.attempt >= o.maxAttempts) {
          await tx.failRun(lease.runId, `${reason}; gave up after ${owner.attempt} attempt${owner.attempt === 1 ? '' : 's'} (SCORELAB_MAX_ATTEMPTS=${o.maxAttempts})`, run?.currentStep ?? null);
          return done(`run ${lease.runId}: ${reason}; not retried: it had ${owner.attempt} attempts`);
        }
        await tx.failRun(lease.runId, reason, run?.currentStep ?? null);
        return retry(`run ${lease.runId}: its worker (${who}) is gone: retrying it (attempt ${owner.attempt + 1} of ${o.maxAttempts})`);
      }
      case 'failed':
      case 'killed': {
        const run = await tx.getRun(lease.runId);
        if (run?.error?.startsWith('dropped on resume')) return done(`run ${lease.runId} was dropped from its sweep: not run`);
        if (run === undefined || !resumableAfter(run)) return done(`run ${lease.runId} failed by itself: not retried (scorelab sweep --resume redoes it)`);
        if (owner.attempt >= o.maxAttempts) return done(`run ${lease.runId} ${owner.status} after ${owner.attempt} attempts: not retried (SCORELAB_MAX_ATTEMPTS=${o.maxAttempts})`);
        return retry(`run ${lease.runId} was ${owner.status === 'killed' ? 'given back' : 'failed by a fault'}: retrying it (attempt ${owner.attempt + 1} of ${o.maxAttempts})`);
      }
      default:
        return done(`run ${lease.runId} has an unknown status '${String(owner.status)}'`);
    }
  });
}

/** Priority of a run's job: runs that train a model first (in expansion order), then those that can sample one. */
export function jobPriority(idx: number, trains: boolean): number {
  return (trains ? 20_000 : 10_000) - Math.min(idx, 9_999);
}

/** A run trains a model unless an earlier run of the batch has its training hash. */
export function trainers(runs: readonly Pick<Run, 'id' | 'trainingHash'>[]): Set<number> {
  const seen = new Set<string>();
  const out = new Set<number>();
  for (const r of runs) {
    if (r.trainingHash === null || !seen.has(r.trainingHash)) out.add(r.id);
    if (r.trainingHash !== null) seen.add(r.trainingHash);
  }
  return out;
}
