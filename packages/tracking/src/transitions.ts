import type { RunStatus } from './types';

/**
 * Allowed status changes. `queued -> failed` covers a run that fails before it could start (e.g. its
 * model cannot be built); `failed|killed -> queued` is a retry; `finished` is final.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'failed', 'killed'],
  running: ['finished', 'failed', 'killed'],
  failed: ['queued'],
  killed: ['queued'],
  finished: [],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** Statuses from which `to` can be reached. */
export function sourcesOf(to: RunStatus): RunStatus[] {
  return (Object.keys(RUN_TRANSITIONS) as RunStatus[]).filter((from) => canTransition(from, to));
}
