/**
 * The runner's limits and their environment overrides (docs/cli.md): how long a run may go
 * without a heartbeat, how much memory a worker may use, and a cap on the store for fault tests.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { UsageError } from './errors';
import type { ModelReuse } from './ipc';

/** A run of another host without a heartbeat for this long belongs to a dead process. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;
/** Workers (and the sweep process, for its workers' runs) beat every 2 s, or faster with a short timeout. */
const HEARTBEAT_MS = 2000;
/** A worker's resident memory cap, unless the machine has less than this per worker. */
export const DEFAULT_WORKER_MEMORY_MB = 4096;

function positiveNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new UsageError(`${name} must be a positive number, got '${text}'`);
  return value;
}

/** SCORELAB_HEARTBEAT_TIMEOUT_MS (ms), default 30 s. */
export function heartbeatTimeoutMs(): number {
  return positiveNumber('SCORELAB_HEARTBEAT_TIMEOUT_MS') ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
}

export function heartbeatPeriodMs(): number {
  return Math.max(50, Math.min(HEARTBEAT_MS, heartbeatTimeoutMs() / 4));
}

/**
 * Resident memory one worker may use (MB): SCORELAB_WORKER_MEMORY_MB, else 4096 or, on a machine
 * with less than that per worker, three quarters of the memory shared by the workers.
 */
export function workerMemoryLimitMb(workers: number): number {
  const given = positiveNumber('SCORELAB_WORKER_MEMORY_MB');
  if (given !== undefined) return Math.floor(given);
  return Math.floor(Math.min(DEFAULT_WORKER_MEMORY_MB, (0.75 * totalmem()) / 2 ** 20 / Math.max(1, workers)));
}

/** SCORELAB_STORE_MAX_PAGES: cap the store at this many 4 KB pages (fault-injection tests). */
export function storeMaxPages(): number | undefined {
  return positiveNumber('SCORELAB_STORE_MAX_PAGES');
}

/**
 * Which stored models the runs of a sweep may sample instead of training (ModelReuse): --retrain limits it
 * to models trained in this sweep; SCORELAB_REUSE_MODELS=0 turns reuse off (every run trains its own model).
 */
export function modelReuse(retrain: boolean): ModelReuse {
  const text = process.env.SCORELAB_REUSE_MODELS;
  if (text !== undefined && text !== '' && text !== '0' && text !== '1') throw new UsageError(`SCORELAB_REUSE_MODELS must be 0 or 1, got '${text}'`);
  if (text === '0') return 'none';
  return retrain ? 'sweep' : 'any';
}

/** Resident memory of a process in MB (Linux /proc), or null where that cannot be read. */
export function residentMb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The error of a run whose worker went over its memory limit. */
export function outOfMemoryMessage(usedMb: number, limitMb: number, how: string): string {
  return (
    `out of memory: the worker uses ${Math.round(usedMb)} MB, more than its limit of ${limitMb} MB (SCORELAB_WORKER_MEMORY_MB)${how}; ` +
    'make the run smaller (train.batchSize, model.hidden, eval.samples, sampler.samples) or raise the limit'
  );
}
