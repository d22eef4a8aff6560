// npx nx run playground:serve [--port 4300] — the playground on its own, offline: a tiny static
// server of the bundled files (scripts/bundle.ts) at http://127.0.0.1:PORT/playground.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bundlePlayground, type PlaygroundFiles } from './bundle';

export interface PlaygroundServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `files` under /playground (the page at /playground, every other file at /playground/NAME). */
export function servePlayground(files: PlaygroundFiles, port = 0, host = '127.0.0.1'): Promise<PlaygroundServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const name = path === '/' || path === '/playground' || path === '/playground/' ? '' : path.startsWith('/playground/') ? path.slice('/playground/'.length) : null;
    const file = name === null ? undefined : files.get(name);
    if (req.method !== 'GET' || !file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`no such file: ${path}`);
      return;
    }
    if (name === '' && path === '/') {
      res.writeHead(302, { Location: '/playground' }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' }).end(file.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({ url: `http://${host}:${bound}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 4300;
  try {
    const s = await servePlayground(await bundlePlayground(), port);
    console.log(`playground at ${s.url}/playground`);
  } catch (e) {
    console.error(`playground serve: ${(e as Error).message}`);
    process.exit(1);
  }
}
