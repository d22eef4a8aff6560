import type { RunStatus } from './types';

/** Base class of every error the store raises on purpose (as opposed to driver failures). */
export class StoreError extends Error {
  override name = 'StoreError';
}

export class ReadOnlyStoreError extends StoreError {
  override name = 'ReadOnlyStoreError';
  constructor(operation: string) {
    super(`${operation}: the store was opened read-only`);
  }
}

export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
}

export class IllegalTransitionError extends StoreError {
  override name = 'IllegalTransitionError';
  constructor(
    readonly runId: number,
    readonly from: RunStatus,
    readonly to: RunStatus,
  ) {
    super(`run ${runId}: cannot go from '${from}' to '${to}'`);
  }
}

/** The database's schema version does not match this build (too new, or needs a migration that a
 * read-only open cannot apply). */
export class SchemaVersionError extends StoreError {
  override name = 'SchemaVersionError';
}
