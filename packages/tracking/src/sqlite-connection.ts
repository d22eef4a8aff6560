// Opening a SQLite connection with the settings of docs/store.md (WAL, busy timeout, NORMAL sync,
// foreign keys) and the schema brought up to date.
import Database from 'better-sqlite3';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { NotFoundError, StoreError, UnusableStoreError } from './errors';
import { migrate, schemaVersion } from './migrations';

export interface ConnectionSettings {
  journalMode: string;
  synchronous: 'off' | 'normal' | 'full' | 'extra';
  busyTimeoutMs: number;
  foreignKeys: boolean;
  schemaVersion: number;
}

/** `path` is absolute or ':memory:'. A read-write open creates the parent directories and file. */
export function openConnection(path: string, options: { readonly: boolean; busyTimeoutMs: number }): Database.Database {
  const { readonly, busyTimeoutMs } = options;
  if (path !== ':memory:') {
    if (readonly && !existsSync(path)) throw new NotFoundError(`no scorelab store at ${path}`);
    // Before SQLite opens it read-write (which may switch it to WAL or recover a journal): a file that
    // is not a scorelab store is refused and left as it was.
    checkStoreFile(path, readonly, busyTimeoutMs);
    if (!readonly) createDirectory(path);
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, timeout: busyTimeoutMs });
  } catch (e) {
    throw unusableOnOpen(path, e);
  }
  try {
    db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`);
    db.pragma('foreign_keys = ON');
    if (!readonly) {
      setWal(db, busyTimeoutMs);
      // In WAL mode NORMAL syncs at checkpoints only: a power cut may lose the last commits but
      // never corrupts the db; a process crash loses nothing.
      db.pragma('synchronous = NORMAL');
    }
    migrate(db, { readonly, label: path });
  } catch (e) {
    db.close();
    throw unusableOnOpen(path, e);
  }
  return db;
}

const SQLITE_HEADER = 'SQLite format 3\0';

function errorCode(e: unknown): string | undefined {
  return (e as { code?: unknown }).code === undefined ? undefined : String((e as { code?: unknown }).code);
}

/** A driver error while opening that means the file is not a usable database: an UnusableStoreError; others as they are. */
function unusableOnOpen(path: string, e: unknown): unknown {
  if (e instanceof StoreError) return e;
  const code = errorCode(e) ?? '';
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(code)) return new UnusableStoreError(path, `is not a scorelab store: it is not a usable SQLite database (${(e as Error).message})`);
  if (/^SQLITE_READONLY/.test(code)) {
    // A WAL database is read through its -shm file, which SQLite must be able to create beside it.
    return new UnusableStoreError(path, `cannot be read here: SQLite needs to create ${basename(path)}-shm beside it and may not (${(e as Error).message})`, 'run as a user who can write its directory, or copy the store to a directory you can write');
  }
  if (/^SQLITE_(CANTOPEN|PERM|AUTH)/.test(code) || code === 'EACCES' || code === 'EPERM') {
    return new UnusableStoreError(path, `cannot be opened (${(e as Error).message})`, 'check the permissions of the file and its directory, or point --db at another file');
  }
  return e;
}

function createDirectory(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw new UnusableStoreError(path, `cannot be created: its directory cannot be made (${errorCode(e) ?? (e as Error).message})`, 'point --db at a file in a directory you can write');
  }
}

/** What to do about a file that is not a store: a read-only open (ls, the dashboard) cannot create one. */
function notAStoreAdvice(readonly: boolean): string {
  return readonly ? 'point --db at a scorelab store (a file that scorelab sweep or run wrote)' : 'point --db at a scorelab store, or at a file that does not exist yet to create one';
}

/** The first bytes of a file (at most n). */
function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** What a file that is not SQLite is: text (with its beginning) or other bytes. */
function describeOtherFile(bytes: Buffer, size: number): string {
  let text: string | null = null;
  try {
    // Text: valid UTF-8 (a character cut at the end of the sample is fine) without NUL or other control bytes.
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 3)));
    if (!/[\x00-\x08\x0e-\x1f\x7f]/.test(decoded)) text = decoded;
  } catch {
    text = null;
  }
  if (text !== null) {
    const first = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
    return `is not a scorelab store: it is a text file${first ? ` (it begins ${JSON.stringify(first.length > 40 ? `${first.slice(0, 40)}...` : first)})` : ''}`;
  }
  return `is not a scorelab store: it is not a SQLite database (${size} bytes of other data)`;
}

/**
 * Refuses an existing file that cannot be a scorelab store, touching nothing: a directory, a text file
 * or other bytes, another application's SQLite database (looked into read-only), or, for a read-write
 * open, a file or directory this user may not write. An empty file is fine (it becomes a new store).
 */
function checkStoreFile(path: string, readonly: boolean, busyTimeoutMs: number): void {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UnusableStoreError(path, 'is a directory, not a store file', `point --db at a file, e.g. ${path.replace(/\/$/, '')}/scorelab.db`);
    if (!st.isFile()) throw new UnusableStoreError(path, 'is not a scorelab store: it is not a regular file', notAStoreAdvice(readonly));
    size = st.size;
  } catch (e) {
    if (e instanceof StoreError) throw e;
    if (errorCode(e) === 'ENOENT') return;
    throw unusableOnOpen(path, e);
  }
  let bytes: Buffer | null = null;
  if (size > 0) {
    try {
      bytes = head(path, 512);
    } catch (e) {
      throw new UnusableStoreError(path, `cannot be read by this user (${errorCode(e) ?? (e as Error).message})`, 'check its permissions, or point --db at another file');
    }
    if (bytes.subarray(0, 16).toString('latin1') !== SQLITE_HEADER) throw new UnusableStoreError(path, describeOtherFile(bytes, size), notAStoreAdvice(readonly));
  }
  if (!readonly) {
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw new UnusableStoreError(path, 'is read-only for this user (permission denied), so runs cannot be written to it', 'make it writable (chmod u+w), or point --db at another file');
    }
    try {
      accessSync(dirname(path), constants.W_OK);
    } catch {
      throw new UnusableStoreError(path, 'is in a directory this user cannot write (SQLite keeps its -wal and -shm files beside the store)', 'point --db at a file in a directory you can write');
    }
  }
  if (bytes === null) return;
  // A read-only connection writes nothing (no WAL switch, no checkpoint, no journal recovery).
  let probe: Database.Database | undefined;
  try {
    probe = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    const tables = probe.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
    if (tables.length > 0 && !tables.includes('schema_version')) {
      const shown = tables.length > 5 ? `${tables.slice(0, 5).join(', ')}, ...` : tables.join(', ');
      throw new UnusableStoreError(path, `is not a scorelab store: it is another application's SQLite database (tables: ${shown})`, notAStoreAdvice(readonly));
    }
  } catch (e) {
    throw unusableOnOpen(path, e);
  } finally {
    probe?.close();
  }
}

/** journal_mode=WAL needs an exclusive lock once per file; when several processes create the same
 * new db at once SQLite may answer SQLITE_BUSY without consulting the busy handler, so retry. */
function setWal(db: Database.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

export function connectionSettings(db: Database.Database): ConnectionSettings {
  const synchronous = (['off', 'normal', 'full', 'extra'] as const)[db.pragma('synchronous', { simple: true }) as number];
  return {
    journalMode: db.pragma('journal_mode', { simple: true }) as string,
    synchronous,
    busyTimeoutMs: db.pragma('busy_timeout', { simple: true }) as number,
    foreignKeys: db.pragma('foreign_keys', { simple: true }) === 1,
    schemaVersion: schemaVersion(db),
  };
}
