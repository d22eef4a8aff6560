// Whether the process a run or a sweep row names is still there, for every backend: on the host that
// reads the row the answer is certain (the pid is signalled), elsewhere only heartbeats can tell.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { crashedMessage, goneMessage } from './run-events';
import type { EpochMs, SweepStatus } from './types';

/** alive / dead: checked on this host; unknown: another host (or no pid recorded), ask the heartbeat. */
export type Liveness = 'alive' | 'dead' | 'unknown';

/** A process that started this long after the row was written is another one that reuses the pid. */
const PID_REUSE_SLACK_MS = 2000;
/** USER_HZ, the unit of /proc/<pid>/stat's start time: 100 on every Linux architecture. */
const CLOCK_TICKS_PER_S = 100;

/**
 * The liveness of process `pid` on `host`, recorded at time `since` (when it claimed the run or
 * started the sweep). On this host: no such process (ESRCH), a zombie, or a process started after
 * `since` (the pid was reused, e.g. after a reboot or in a new container) is dead.
 */
export function processLiveness(host: string | null, pid: number | null, since: EpochMs | null): Liveness {
  if (host === null || pid === null || !Number.isSafeInteger(pid) || pid <= 0 || host !== hostname()) return 'unknown';
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return 'unknown';
  }
  const stat = procStat(pid);
  if (stat === null) return 'alive'; // no /proc (macOS): the signal is all we know
  if (stat.state === 'Z' || stat.state === 'X') return 'dead';
  if (since !== null && stat.startedAt !== null && stat.startedAt > since + PID_REUSE_SLACK_MS) return 'dead';
  return 'alive';
}

let bootTimeMs: number | null | undefined;

function bootTime(): number | null {
  if (bootTimeMs === undefined) {
    try {
      const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
      bootTimeMs = m ? Number(m[1]) * 1000 : null;
    } catch {
      bootTimeMs = null;
    }
  }
  return bootTimeMs;
}

/** State letter and start time (ms since the epoch) of a Linux process, or null without /proc. */
function procStat(pid: number): { state: string; startedAt: EpochMs | null } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  // Fields from the state on: state is field 3, starttime field 22.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const boot = bootTime();
  const ticks = Number(fields[19]);
  return { state: fields[0], startedAt: boot === null || !Number.isFinite(ticks) ? null : boot + (ticks * 1000) / CLOCK_TICKS_PER_S };
}

/** A sweep whose process (on another host) has not beaten for this long is taken for dead. */
export const SWEEP_STALE_AFTER_MS = 30_000;

/**
 * What a sweep's status is now: `running` only while the process that set it running is there. A
 * sweep left `running` by a process that died (kill -9, a crash, a full disk) reads as `killed`
 * (interrupted); without a recorded process (older stores) the stored status is all there is.
 */
export function sweepStatusNow(
  stored: SweepStatus,
  owner: { host: string | null; pid: number | null; startedAt: EpochMs | null; heartbeatAt: EpochMs | null },
  now: EpochMs,
): SweepStatus {
  if (stored !== 'running' || owner.pid === null) return stored;
  switch (processLiveness(owner.host, owner.pid, owner.startedAt)) {
    case 'alive':
      return 'running';
    case 'dead':
      return 'killed';
    case 'unknown': {
      const last = owner.heartbeatAt ?? owner.startedAt;
      return last !== null && now - last > SWEEP_STALE_AFTER_MS ? 'killed' : 'running';
    }
  }
}

/** A running run as markStaleRunsCrashed sees it: `last` is its last heartbeat (or its start). */
export interface StaleCandidate {
  id: number;
  host: string | null;
  pid: number | null;
  startedAt: EpochMs | null;
  last: EpochMs | null;
}

/**
 * The error to fail a running run with because its process is gone, or null while it may live: a
 * dead pid on this host at once, a live one never (a blocked or stopped worker is still running
 * its run), a run of another host once its heartbeat is older than `staleAfterMs`.
 */
export function crashMessage(run: StaleCandidate, now: EpochMs, staleAfterMs: number): string | null {
  switch (processLiveness(run.host, run.pid, run.startedAt)) {
    case 'alive':
      return null;
    case 'dead':
      return goneMessage({ host: run.host!, pid: run.pid! }, run.last);
    case 'unknown':
      return (run.last ?? 0) < now - staleAfterMs ? crashedMessage(run.last) : null;
  }
}
