// Opening a PostgreSQL store: the pool (bigint as number, json as its text, so rows have the
// shapes the SQLite rows have), the checks that refuse an unusable server or database before
// anything is written, and the driver errors that become StoreErrors. Every message carries the
// URL with its password masked.
import pg from 'pg';
import { SchemaVersionError, StoreError, StoreWriteError, UnusableStoreError } from '../errors';
import { migratePostgres } from './pg-migrations';
import { redactText, redactUrl } from './pg-url';

const INT8_OID = 20;
const JSON_OID = 114;

/** bigint -> number (ids, steps and milliseconds stay below 2^53); json -> its text, decoded by the
 * shared row mappers as SQLite's text columns are. */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return (v: string) => Number(v);
    if (oid === JSON_OID) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  readonly: boolean;
  /** Connections of this store (default 10). */
  max?: number;
  /** How long to wait for a connection to the server (default 10 s). */
  connectTimeoutMs?: number;
}

export function createPool(url: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: PG_TYPES,
    application_name: 'scorelab',
    // A read-only store's sessions cannot write even by mistake.
    options: options.readonly ? '-c default_transaction_read_only=on' : undefined,
  });
  // An idle connection the server drops (restart, network) is an 'error' event on the pool: without
  // a listener it would crash the process; the next query gets a fresh connection.
  pool.on('error', () => undefined);
  // A connection the server drops while it is checked out (between two statements of a transaction)
  // emits 'error' on its client, which would end the process too: with this listener the next
  // statement fails instead, with a connection error the caller handles (a queue worker waits).
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** The SQLSTATE (or Node error code) of a driver error, '' if none. */
export function sqlState(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

const ADVICE = 'check --store (postgres://user@host:port/database; put the password in PGPASSWORD or ~/.pgpass), or point it at a SQLite file';

/** An error while connecting or checking the schema -> UnusableStoreError (with the URL masked), or as it is. */
export function unusableOnOpen(url: string, e: unknown): unknown {
  const shown = redactUrl(url);
  const message = redactText(e instanceof Error ? e.message : String(e), url);
  if (e instanceof SchemaVersionError) {
    if (/is not a scorelab store/.test(e.message)) return new UnusableStoreError(shown, redactText(e.message.replace(/^\S+ /, ''), url), 'point --store at a scorelab store, or at an empty database to create one');
    return new SchemaVersionError(redactText(e.message, url));
  }
  if (e instanceof StoreError) return e;
  const code = sqlState(e);
  if (code === '28P01' || code === '28000') return new UnusableStoreError(shown, `refused the login (${message})`, 'check the user and password (PGPASSWORD or ~/.pgpass)');
  if (code === '3D000') return new UnusableStoreError(shown, `has no such database (${message})`, 'create it first (createdb, or CREATE DATABASE), or fix the database name in --store');
  if (code === '42501') return new UnusableStoreError(shown, `cannot be used by this user (${message})`, 'grant the user CREATE on the database, or open it read-only');
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ECONNRESET)$/.test(code) || /timeout|terminated|connect/i.test(message)) {
    return new UnusableStoreError(shown, `cannot be reached (${code || message})`, `is the PostgreSQL server running? ${ADVICE}`);
  }
  if (code.startsWith('08') || code.startsWith('57P')) return new UnusableStoreError(shown, `cannot be reached (${message})`, ADVICE);
  return new UnusableStoreError(shown, `cannot be opened as a store (${code ? `${code}: ` : ''}${message})`, ADVICE);
}

/**
 * Connects once, checks that the database is empty or a scorelab store, and migrates it (read-write)
 * or checks it is current (read-only). Nothing is written to a database that is not a store.
 */
export async function openPool(url: string, options: PoolOptions): Promise<pg.Pool> {
  let pool: pg.Pool | undefined;
  try {
    pool = createPool(url, options);
    const client = await pool.connect();
    try {
      await migratePostgres(client, { readonly: options.readonly, label: redactUrl(url) });
    } finally {
      client.release();
    }
    return pool;
  } catch (e) {
    await pool?.end().catch(() => undefined);
    throw unusableOnOpen(url, e);
  }
}

/**
 * SQLSTATE classes of a server that refuses writes for reasons outside scorelab: 53 insufficient
 * resources (disk full, out of memory), 58 system error (I/O), 25006 read-only transaction (a hot
 * standby), 08 connection lost, 57P01-03 the server shut down.
 */
const UNWRITABLE = /^(53|58|08|57P0[123]|25006)/;

/** A driver error of a write -> StoreWriteError (masked), or as it is. */
export function writeError(url: string, operation: string, e: unknown): unknown {
  if (e instanceof StoreError) return e;
  const code = sqlState(e);
  const message = redactText(e instanceof Error ? e.message : String(e), url);
  if (UNWRITABLE.test(code) || /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(code) || /Connection terminated/i.test(message)) {
    return new StoreWriteError(redactUrl(url), operation, code || 'ECONNECTION', message);
  }
  return e;
}
