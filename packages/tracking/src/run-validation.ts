// Checks every RunStore backend makes before it touches its database, so that the same bad input
// gets the same StoreError (and the same message) from SQLite and PostgreSQL.
import { IllegalTransitionError, StoreError } from './errors';
import { canTransition } from './transitions';
import type { MetricPoint, NewRun, NewSweep, RunStatus, SeriesOptions, SweepStatus } from './types';
import { RUN_STATUSES } from './types';

export function checkNewSweep(sweep: NewSweep): void {
  if (sweep.name.trim() === '') throw new StoreError('createSweep: empty sweep name');
}

export function checkSweepStatus(status: SweepStatus): void {
  if (!RUN_STATUSES.includes(status)) throw new StoreError(`setSweepStatus: unknown status '${status}'`);
}

export function checkNewRuns(runs: readonly NewRun[]): void {
  for (const r of runs) {
    if (!Number.isSafeInteger(r.idx) || r.idx < 0) throw new StoreError(`addRuns: idx must be an integer >= 0, got ${r.idx}`);
    if (!Number.isSafeInteger(r.seed)) throw new StoreError(`addRuns: seed must be an integer, got ${r.seed}`);
  }
}

export function checkMetricPoints(points: readonly MetricPoint[]): void {
  for (const p of points) {
    if (typeof p.key !== 'string' || p.key === '') throw new StoreError(`logMetrics: empty metric key`);
    if (!Number.isSafeInteger(p.step) || p.step < 0) {
      throw new StoreError(`logMetrics: ${p.key}: step must be an integer >= 0, got ${p.step}`);
    }
    if (typeof p.value !== 'number') throw new StoreError(`logMetrics: ${p.key}: value must be a number`);
  }
}

export function checkSeriesOptions({ maxPoints }: SeriesOptions): void {
  if (maxPoints !== undefined && (!Number.isInteger(maxPoints) || maxPoints < 2)) {
    throw new StoreError(`metricSeries: maxPoints must be an integer >= 2, got ${maxPoints}`);
  }
}

/** Throws unless RUN_TRANSITIONS allows `from -> to`; a backend calls it inside the transaction
 * that then updates the row, so the check and the update see the same status. */
export function checkTransition(runId: number, from: RunStatus, to: RunStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(runId, from, to);
}

/**
 * How a sweep reference (`--sweep`, `getSweep`, `exportRuns`) is looked up: a number is an id; a
 * string is a name, or failing that an id written in digits (a sweep named '12' wins over id 12).
 */
export function findSweep<S>(ref: number | string, byId: (id: number) => S | undefined, byName: (name: string) => S | undefined): S | undefined {
  if (typeof ref === 'number') return byId(ref);
  return byName(ref) ?? (/^\d+$/.test(ref) ? byId(Number(ref)) : undefined);
}
