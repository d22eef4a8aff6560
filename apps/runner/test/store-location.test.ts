// --store / --db / SCORELAB_STORE, and that a password in a store URL is never shown.
import { afterEach, describe, expect, it } from 'vitest';
import { maskPasswords } from '../src/cli';
import { isConnectionError } from '../src/connection-errors';
import { DEFAULT_DB } from '../src/environment';
import { jobPriority, trainers } from '../src/queue-claim';
import { redactStore, storeFlag, storeLabel, storeLocation, withoutPassword } from '../src/store-location';

const URL_WITH_PASSWORD = 'postgres://alice:s3cr%40t-pw@db.example:5433/scorelab';

afterEach(() => {
  delete process.env.SCORELAB_STORE;
});

describe('storeLocation', () => {
  it('--store takes a file or a URL; --db is its alias for files; SCORELAB_STORE is the default; else runs/scorelab.db', () => {
    expect(storeLocation({ store: '/tmp/a.db' })).toEqual({ kind: 'sqlite', path: '/tmp/a.db' });
    expect(storeLocation({ db: '/tmp/b.db' })).toEqual({ kind: 'sqlite', path: '/tmp/b.db' });
    expect(storeLocation({ store: URL_WITH_PASSWORD })).toEqual({ kind: 'postgres', url: URL_WITH_PASSWORD });
    expect(storeLocation({ store: 'postgresql://u@h/d' }).kind).toBe('postgres');
    expect(storeLocation({})).toEqual({ kind: 'sqlite', path: DEFAULT_DB });
    process.env.SCORELAB_STORE = 'postgres://u@h:1/d';
    expect(storeLocation({})).toEqual({ kind: 'postgres', url: 'postgres://u@h:1/d' });
    expect(storeLocation({ db: '/tmp/c.db' })).toEqual({ kind: 'sqlite', path: '/tmp/c.db' }); // a flag beats the variable
  });

  it('refuses both flags, a URL given to --db, and a URL that does not parse, without showing its password', () => {
    expect(() => storeLocation({ store: 'x.db', db: 'y.db' })).toThrow(/either --store or --db/);
    expect(() => storeLocation({ db: URL_WITH_PASSWORD })).toThrow(/--db takes a SQLite file/);
    let message = '';
    try {
      storeLocation({ store: 'postgres://alice:hunter22@[bad' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/is not a valid URL/);
    expect(message).not.toContain('hunter22');
  });
});

describe('what is shown of a store URL', () => {
  const loc = { kind: 'postgres', url: URL_WITH_PASSWORD } as const;
  it('labels mask the password, printed commands leave it out (PGPASSWORD or ~/.pgpass supply it)', () => {
    expect(storeLabel(loc)).toBe('postgres://alice:***@db.example:5433/scorelab');
    expect(withoutPassword(URL_WITH_PASSWORD)).toBe('postgres://alice@db.example:5433/scorelab');
    expect(storeFlag(loc)).toBe(' --store postgres://alice@db.example:5433/scorelab');
    expect(storeFlag({ kind: 'sqlite', path: DEFAULT_DB })).toBe('');
    expect(storeFlag({ kind: 'sqlite', path: '/tmp/my store.db' })).toBe(" --db '/tmp/my store.db'");
  });

  it('masks the password (decoded or as written) in any text, also through the CLI arguments', () => {
    const text = `connect to ${URL_WITH_PASSWORD} failed; password s3cr@t-pw rejected`;
    const masked = redactStore(text, loc);
    expect(masked).not.toContain('s3cr');
    expect(masked).toContain('postgres://alice:***@db.example:5433/scorelab');
    expect(maskPasswords('login with s3cr@t-pw failed', ['ls', `--store=${URL_WITH_PASSWORD}`])).toBe('login with *** failed');
    expect(maskPasswords('login with s3cr@t-pw failed', ['ls', '--store', URL_WITH_PASSWORD])).toBe('login with *** failed');
  });
});

describe('queue helpers', () => {
  it('connection errors are told from errors of the request', () => {
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(new Error('x', { cause: Object.assign(new Error('y'), { code: '08006' }) }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
    expect(isConnectionError(new Error('training diverged'))).toBe(false);
  });

  it('runs that train a model are fetched first, each group in expansion order', () => {
    const runs = [
      { id: 1, idx: 0, trainingHash: 'a' },
      { id: 2, idx: 1, trainingHash: 'a' },
      { id: 3, idx: 2, trainingHash: 'b' },
      { id: 4, idx: 3, trainingHash: null },
    ];
    const train = trainers(runs);
    expect([...train].sort()).toEqual([1, 3, 4]);
    const order = [...runs].sort((x, y) => jobPriority(y.idx, train.has(y.id)) - jobPriority(x.idx, train.has(x.id))).map((r) => r.id);
    expect(order).toEqual([1, 3, 4, 2]);
  });
});
