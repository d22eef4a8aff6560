// Opening a SQLite connection with the settings of docs/store.md (WAL, busy timeout, NORMAL sync,
// foreign keys) and the schema brought up to date.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { NotFoundError } from './errors';
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
    if (!readonly) mkdirSync(dirname(path), { recursive: true });
  }
  const db = new Database(path, { readonly, timeout: busyTimeoutMs });
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
    throw e;
  }
  return db;
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
