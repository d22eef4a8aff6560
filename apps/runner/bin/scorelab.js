#!/usr/bin/env node
// The `scorelab` command: TypeScript sources run through tsx (no build step), see docs/cli.md.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2));
// stdout and stderr are synchronous for files and pipes on Linux and macOS, so nothing is lost.
process.exit(code);
