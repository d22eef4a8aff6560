/**
 * Who owns a run, read under a row lock. The runner checks it in the transaction of every write a
 * queue worker makes to a run (metrics, artifacts, its end, completing or giving back its job): a
 * worker that lost its lease (it stopped, another worker took the run over: attempt + 1) writes nothing.
 */
import type { RunStatus } from '../types';
import type { SqlRunner } from './run-queue';

export interface RunOwner {
  status: RunStatus;
  attempt: number;
  host: string | null;
  pid: number | null;
}

/** The process that may write to a run: the worker that started this attempt. */
export interface RunHolder {
  attempt: number;
  host: string;
  pid: number;
}

/** Locks the run's row until the end of the transaction of `tx` and reads its owner (undefined: no such run). */
export async function lockRun(tx: SqlRunner, runId: number): Promise<RunOwner | undefined> {
  const r = await tx.query('SELECT status, attempt, host, pid FROM runs WHERE id = $1 FOR UPDATE', [runId]);
  const row = r.rows[0] as { status: RunStatus; attempt: number; host: string | null; pid: number | null } | undefined;
  return row === undefined ? undefined : { status: row.status, attempt: Number(row.attempt), host: row.host, pid: row.pid === null ? null : Number(row.pid) };
}

/** The run is running and this attempt, started by this process, is still the current one. */
export function holds(owner: RunOwner | undefined, holder: RunHolder): boolean {
  return owner !== undefined && owner.status === 'running' && owner.attempt === holder.attempt && owner.host === holder.host && owner.pid === holder.pid;
}
