// The texts every backend stores in runs.error and run_events.message, so `scorelab show` reads
// the same whichever store recorded the run.
import type { EpochMs, RunClaim, RunStatus } from './types';

/** What `failRun` stores as the run's error: the stack of an Error, else the value as text. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

export function firstLine(text: string): string {
  return text.split('\n')[0];
}

/** The event of a start: who runs it. */
export function startMessage(claim: RunClaim): string {
  return `${claim.host} pid ${claim.pid} (${claim.backend})`;
}

/** Error and event of a running run whose heartbeat stopped (`last`: its last heartbeat or start). */
export function crashedMessage(last: EpochMs | null): string {
  return `crashed: no heartbeat since ${last === null ? 'never' : new Date(last).toISOString()}`;
}

/** Error and event of a running run whose process is known to be gone (a dead pid on this host). */
export function goneMessage(run: { host: string; pid: number }, last: EpochMs | null): string {
  return `crashed: its process (pid ${run.pid} on ${run.host}) is gone; last heartbeat ${last === null ? 'never' : new Date(last).toISOString()}`;
}

/** The event of a retry, naming the attempt it replaces. */
export function retryMessage(run: { attempt: number; status: RunStatus; error: string | null }): string {
  return `retry after attempt ${run.attempt} (${run.status}: ${firstLine(run.error ?? '')})`;
}
