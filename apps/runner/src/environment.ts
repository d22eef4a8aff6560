/** Where things are and what we run on: defaults relative to the workspace, versions, git commit. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (apps/runner/src/../../..): defaults are relative to it, like the dashboard's. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEFAULT_DB = resolve(WORKSPACE_ROOT, 'runs/scorelab.db');
export const DEFAULT_EXPERIMENT = resolve(WORKSPACE_ROOT, 'experiments/quickstart.yaml');

/**
 * The backend names of @scorelab/core's BACKEND_ORDER. Repeated here because the parent process
 * must not import @scorelab/core (it loads tfjs); test/environment.test.ts checks they agree.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
const NATIVE_PACKAGE: Record<string, string> = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' };

/**
 * Why a forced backend cannot load, checked without loading tfjs (so a bad --backend is a usage
 * error before anything is written): the native backends need their optional package installed.
 */
export function backendProblem(name: string): string | null {
  const pkg = NATIVE_PACKAGE[name];
  if (pkg === undefined) return null;
  try {
    import.meta.resolve(pkg);
    return null;
  } catch {
    return `backend '${name}' is not available: install it with  npm install ${pkg}`;
  }
}

export function scorelabVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** HEAD of the git repository the runner lives in, or null outside one (or without git). */
export function gitCommit(): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const sha = out.toString().trim();
    return /^[0-9a-f]{7,64}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

export function hostName(): string {
  return hostname();
}
