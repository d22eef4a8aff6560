// One entry point for every store string: `postgres://` / `postgresql://` URLs open a
// PostgresRunStore, anything else is a SQLite file path (DESIGN.md §4's `--store URL`).
import { StoreError } from './errors';
import { PostgresRunStore, type PostgresStoreOptions } from './postgres/postgres-store';
import { isPostgresUrl } from './postgres/pg-url';
import { type OpenStoreOptions as SqliteOpenOptions, type SqliteRunStore, openSqliteStore } from './sqlite-store';

/** The options of both backends; those of one backend only say so. */
export interface OpenStoreOptions extends SqliteOpenOptions, Omit<PostgresStoreOptions, 'readonly' | 'now'> {}

/**
 * Opens the store `urlOrPath` names. SQLite: creates the file, its directories and the schema as
 * needed. PostgreSQL: connects, refuses a database that is not a scorelab store, migrates.
 * `maxPageCount` is SQLite's (fault tests): given for PostgreSQL it is an error; `busyTimeoutMs` is
 * SQLite's and ignored there (PostgreSQL waits for row locks).
 */
export async function openStore(urlOrPath: string, options: OpenStoreOptions = {}): Promise<SqliteRunStore | PostgresRunStore> {
  if (!isPostgresUrl(urlOrPath)) return openSqliteStore(urlOrPath, options);
  if (options.maxPageCount !== undefined) throw new StoreError('openStore: maxPageCount applies to SQLite stores only, not to a PostgreSQL URL');
  return PostgresRunStore.open(urlOrPath, options);
}
