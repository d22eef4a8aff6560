import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { openStore } from '@scorelab/tracking';
import type { RunStore } from '@scorelab/tracking';
import { createApp } from './app';
import { clientBundle } from './bundle-client';

export interface StartServerOptions {
  /** The run store file; opened read-only (it must exist). */
  dbPath: string;
  /** 0 = an ephemeral port (tests). Default 4200. */
  port?: number;
  /** Default 127.0.0.1: the dashboard is for the person at this machine. */
  host?: string;
}

export interface DashboardServer {
  url: string;
  port: number;
  store: RunStore;
  close(): Promise<void>;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1', '[::1]'];

export async function startServer(options: StartServerOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  // The store first: a file that is not a scorelab store is refused (UnusableStoreError) before any bundling.
  const store = await openStore(options.dbPath, { readonly: true });
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
  const app = createApp(store, { allowedHosts: LOOPBACK.includes(host) ? LOOPBACK : undefined, client });
  let server: Server;
  try {
    server = await new Promise<Server>((resolveListen, reject) => {
      const s = app.listen(options.port ?? 4200, host, (err?: Error) => (err ? reject(err) : resolveListen(s)));
      s.once('error', reject);
    });
  } catch (e) {
    await store.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    store,
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}
