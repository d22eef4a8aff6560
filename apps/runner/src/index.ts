// The runner's public API is the `scorelab` command (docs/cli.md); one run without the CLI is @scorelab/pipeline's executeRun.
export { main, DEFAULT_WORKERS } from './cli';
export { EXIT } from './errors';
