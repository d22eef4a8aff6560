// The store the dashboard serves, and whether its file is still the one that was opened. An open
// SQLite connection keeps reading a deleted or replaced file (it holds the old inode), so at request
// time, at most once per checkEveryMs, the path is stat'ed: gone -> the data routes answer 503 until
// a store is back; another file (device or inode changed, or it shrank: a store only grows, except
// by VACUUM) -> it is opened instead, and the old connection is closed once its requests are done.
import { statSync, type BigIntStats } from 'node:fs';
import type { RunStore } from '@scorelab/tracking';
import type { StoreHealth } from './api-types';
import { SeriesCache } from './series-cache';

/** The store file as the check compares it (bigint: inode numbers may exceed 2^53). */
interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

function identityOf(path: string): FileIdentity | null {
  let st: BigIntStats | undefined;
  try {
    st = statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return null; // EACCES on a directory of the path, ENOTDIR: as good as gone
  }
  return st ? { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs } : null;
}

const sameFile = (a: FileIdentity, b: FileIdentity) => a.dev === b.dev && a.ino === b.ino;

/** The open store and what is cached from it; replaced together. */
export interface OpenedStore {
  store: RunStore;
  seriesCache: SeriesCache;
}

export interface ServedStoreOptions {
  /** Opens the store at the path (read-only); throws what openStore throws for an unusable file. */
  open: (path: string) => Promise<RunStore>;
  /** Least time between two checks of the file (default 1000 ms). */
  checkEveryMs?: number;
  /** How long a replaced connection stays open for the requests that are using it (default 10 s). */
  retireAfterMs?: number;
  now?: () => number;
  /** Told when the file went missing or unreadable, or a replacement was opened. */
  onChange?: (health: StoreHealth) => void;
}

export class ServedStore {
  private opened: OpenedStore | null;
  private identity: FileIdentity | null;
  private health: StoreHealth;
  private lastCheck: number;
  /** The identity of a replacement that failed to open: not tried again until the file changes. */
  private refused: FileIdentity | null = null;
  private checking: Promise<void> | null = null;
  private readonly retiring = new Set<{ store: RunStore; timer: ReturnType<typeof setTimeout> }>();
  private readonly now: () => number;

  /** Without a path (a store given to createApp directly) the file is never checked. */
  constructor(
    first: RunStore,
    readonly path: string | null = null,
    private readonly options: ServedStoreOptions | null = null,
  ) {
    this.now = options?.now ?? Date.now;
    this.opened = { store: first, seriesCache: new SeriesCache(first) };
    this.identity = path === null ? null : identityOf(path);
    this.lastCheck = this.now();
    this.health = { state: 'open', path, reason: null, openedAt: this.lastCheck, reopened: 0 };
  }

  /** The store to answer from; HttpError 503 (via `unavailable`) is the caller's when it is null. */
  get current(): OpenedStore | null {
    return this.opened;
  }

  get status(): StoreHealth {
    return this.health;
  }

  /** Looks at the file if the last look is older than checkEveryMs; concurrent callers share one look. */
  async check(): Promise<void> {
    if (this.path === null || this.options === null) return;
    if (this.checking) return this.checking;
    if (this.now() - this.lastCheck < (this.options.checkEveryMs ?? 1000)) return;
    const before = this.health;
    this.checking = this.look(this.path, this.options).finally(() => {
      if (this.health !== before) this.options?.onChange?.(this.health);
      this.lastCheck = this.now();
      this.checking = null;
    });
    return this.checking;
  }

  private async look(path: string, options: ServedStoreOptions): Promise<void> {
    const id = identityOf(path);
    if (id === null) {
      if (this.health.state !== 'missing') {
        this.retire();
        this.identity = null;
        this.health = {
          ...this.health,
          state: 'missing',
          reason: `the store file ${path} is gone (deleted or moved away); the dashboard serves it again when a store is put back at that path`,
        };
      }
      return;
    }
    const current = this.identity;
    if (current !== null && this.opened !== null && sameFile(current, id) && id.size >= current.size) {
      this.identity = id;
      return;
    }
    const r = this.refused;
    if (r !== null && sameFile(r, id) && r.size === id.size && r.mtimeNs === id.mtimeNs) return;
    let store: RunStore;
    try {
      store = await options.open(path);
    } catch (e) {
      // A file being copied into place, or not a store at all: say what it is, look again when it changes.
      this.refused = id;
      this.retire();
      this.identity = null;
      this.health = { ...this.health, state: 'unreadable', reason: `the store file ${path} was replaced by one that cannot be read: ${(e as Error).message}` };
      return;
    }
    this.refused = null;
    this.retire();
    this.opened = { store, seriesCache: new SeriesCache(store) };
    this.identity = id;
    this.health = { state: 'open', path, reason: null, openedAt: this.now(), reopened: this.health.reopened + 1 };
  }

  /** Closes the open store after the requests that hold it have had time to finish. */
  private retire(): void {
    if (this.opened === null) return;
    const { store } = this.opened;
    this.opened = null;
    const entry = {
      store,
      timer: setTimeout(() => {
        this.retiring.delete(entry);
        void store.close();
      }, this.options?.retireAfterMs ?? 10_000),
    };
    entry.timer.unref();
    this.retiring.add(entry);
  }

  async close(): Promise<void> {
    await this.checking;
    for (const entry of this.retiring) {
      clearTimeout(entry.timer);
      await entry.store.close();
    }
    this.retiring.clear();
    await this.opened?.store.close();
    this.opened = null;
  }
}
