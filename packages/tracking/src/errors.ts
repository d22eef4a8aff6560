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

/**
 * The database refused a write for a reason outside scorelab: the disk is full, an I/O error, a
 * file or file system that became read-only. `code` is the driver's (SQLITE_FULL, ...). Every
 * later write will most likely fail the same way until someone fixes the disk.
 */
export class StoreWriteError extends StoreError {
  override name = 'StoreWriteError';
  constructor(
    readonly path: string,
    readonly operation: string,
    readonly code: string,
    /** The driver's words for it, e.g. 'database or disk is full'. */
    readonly reason: string,
  ) {
    super(`cannot write to the store ${path}: ${reason} (${code} in ${operation})`);
  }
}

/**
 * The file at the store's path is not a scorelab store, or cannot be one here: a text file, other
 * bytes, another application's SQLite database, a file this user may not write. Thrown when the store
 * is opened, before anything is written, so the file is left exactly as it was.
 */
export class UnusableStoreError extends StoreError {
  override name = 'UnusableStoreError';
  constructor(
    readonly path: string,
    /** What the file is, e.g. 'is not a scorelab store: it is a text file (it begins "hello")'. */
    readonly what: string,
    /** What to do about it. */
    readonly advice = 'point --db at a scorelab store, or at a file that does not exist yet to create one',
  ) {
    super(`${path} ${what}; ${advice}`);
  }
}
