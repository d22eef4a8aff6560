import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { isPostgresUrl, openStore } from '@scorelab/tracking';
import type { RunStore } from '@scorelab/tracking';
import { createApp } from './app';
import { clientBundle } from './bundle-client';
import type { StoreHealth } from './api-types';
import { ServedStore } from './served-store';

export interface StartServerOptions {
  /** The run store, opened read-only: a SQLite file (it must exist) or a postgres:// URL. */
  dbPath: string;
  /** 0 = an ephemeral port (tests). Default 4200. */
  port?: number;
  /** Default 127.0.0.1: the dashboard is for the person at this machine. */
  host?: string;
  /** Least time between two checks that the store file is still the one opened (default 1000 ms). */
  storeCheckMs?: number;
  /** Told when the store file went missing or unreadable, or a replacement was opened. */
  onStoreChange?: (health: StoreHealth) => void;
}

export interface DashboardServer {
  url: string;
  port: number;
  /** The store now served (a replaced file is opened in place of the old one); throws while it is missing. */
  readonly store: RunStore;
  readonly served: ServedStore;
  close(): Promise<void>;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1', '[::1]'];

export async function startServer(options: StartServerOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  // The store first: a file that is not a scorelab store is refused (UnusableStoreError) before any bundling.
  const open = (target: string) => openStore(target, { readonly: true });
  const store = await open(options.dbPath);
  // A SQLite file is watched for deletion or replacement; a PostgreSQL database has no file to watch.
  const watchedPath = isPostgresUrl(options.dbPath) ? null : resolve(options.dbPath);
  // The pages' scripts are bundled before the server listens, so a broken client fails here.
  const client = clientBundle();
  try {
    await client;
  } catch (e) {
    await store.close();
    throw new Error(`cannot bundle the dashboard client (apps/dashboard/client): ${(e as Error).message}`);
  }
  // On loopback only loopback names may appear in Host: a web page on another site cannot reach the
  // dashboard through DNS rebinding. Bound elsewhere (--host 0.0.0.0) any Host is accepted.
  const served = watchedPath === null ? new ServedStore(store) : new ServedStore(store, watchedPath, { open, checkEveryMs: options.storeCheckMs, onChange: options.onStoreChange });
  const app = createApp(served, { allowedHosts: LOOPBACK.includes(host) ? LOOPBACK : undefined, client });
  let server: Server;
  try {
    server = await new Promise<Server>((resolveListen, reject) => {
      const s = app.listen(options.port ?? 4200, host, (err?: Error) => (err ? reject(err) : resolveListen(s)));
      s.once('error', reject);
    });
  } catch (e) {
    await served.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    get store() {
      const opened = served.current;
      if (!opened) throw new Error(served.status.reason ?? 'the store is not available');
      return opened.store;
    },
    served,
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await served.close();
    },
  };
}
