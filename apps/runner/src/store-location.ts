/**
 * Which store a command works on: `--store URL` (a SQLite file path, or `postgres://user@host:port/db`),
 * `--db FILE` (an alias for a SQLite path), else SCORELAB_STORE, else runs/scorelab.db in the workspace.
 * A password in a URL is never printed: everything shown goes through `label` / `flag`.
 */
import { resolve } from 'node:path';
import { DEFAULT_DB } from './environment';
import { UsageError } from './errors';
import { shellQuote } from './shell';

export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface StoreArgs {
  store?: string;
  db?: string;
}

/** Names a PostgreSQL server (as tracking's isPostgresUrl; repeated so that --help loads nothing). */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/** Environment variable through which the runner hands a store URL to its worker processes (argv is public in `ps`). */
export const STORE_URL_ENV = 'SCORELAB_STORE_URL';

export function storeLocation(args: StoreArgs, command?: string): StoreLocation {
  if (args.store !== undefined && args.db !== undefined) throw new UsageError('give either --store or --db, not both (--db FILE is --store FILE)', command);
  if (args.db !== undefined && isPostgresUrl(args.db)) throw new UsageError('--db takes a SQLite file; give a PostgreSQL URL with --store', command);
  const fromEnv = process.env.SCORELAB_STORE;
  const text = args.store ?? args.db ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_DB);
  if (text === '') throw new UsageError('--store needs a SQLite file or a postgres:// URL', command);
  if (isPostgresUrl(text)) {
    try {
      new URL(text);
    } catch {
      throw new UsageError(`--store ${withoutPassword(text)} is not a valid URL; expected postgres://user@host:port/database`, command);
    }
    return { kind: 'postgres', url: text };
  }
  return { kind: 'sqlite', path: text };
}

/** The string the store package opens: the URL, or the file path as given. */
export function storeTarget(loc: StoreLocation): string {
  return loc.kind === 'postgres' ? loc.url : loc.path;
}

/** The URL without its password (for commands to copy: the password comes from PGPASSWORD or ~/.pgpass). */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1@');
  }
}

/** How to name the store to people: the absolute file, or the URL with its password masked. */
export function storeLabel(loc: StoreLocation): string {
  if (loc.kind === 'sqlite') return resolve(loc.path);
  try {
    const u = new URL(loc.url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return withoutPassword(loc.url);
  }
}

/** The flag that points a printed command at this store ('' for the default store). */
export function storeFlag(loc: StoreLocation): string {
  if (loc.kind === 'postgres') return ` --store ${shellQuote(withoutPassword(loc.url))}`;
  return resolve(loc.path) === DEFAULT_DB ? '' : ` --db ${shellQuote(loc.path)}`;
}

/** Masks the store's password in a text (an error from the driver may quote it). */
export function redactStore(text: string, loc: StoreLocation): string {
  if (loc.kind !== 'postgres') return text;
  let out = text.split(loc.url).join(storeLabel(loc));
  try {
    const password = decodeURIComponent(new URL(loc.url).password);
    if (password.length > 0) out = out.split(password).join('***');
  } catch {
    // not a parsable URL: the URL itself was replaced above
  }
  return out;
}
