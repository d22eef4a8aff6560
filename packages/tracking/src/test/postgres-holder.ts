// Child process of postgres-server.test.ts: starts a test server, prints {"url","dir"} and waits to
// be killed (the test SIGKILLs it to prove the watchdog removes the server and its directory).
import { startTestPostgres } from '../testing/postgres-server';

const server = await startTestPostgres();
process.stdout.write(`${JSON.stringify({ url: server.url, dir: server.dir })}\n`);
setInterval(() => undefined, 60_000);
