// Shared fixtures of the tracking tests (not part of the public API).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewRun, RunClaim } from '../types';

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix = 'scorelab-tracking-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function newRun(idx: number, extra: Partial<NewRun> = {}): NewRun {
  return {
    idx,
    params: { 'loss.kind': ['sm', 'ssm-vr', 'dsm'][idx % 3], 'sampler.stepSize': 0.1 * (idx + 1) },
    config: { loss: { kind: ['sm', 'ssm-vr', 'dsm'][idx % 3] }, sampler: { kind: 'ald', stepSize: 0.1 * (idx + 1) }, seed: idx },
    configHash: `hash-${idx}`,
    seed: idx,
    ...extra,
  };
}

export const CLAIM: RunClaim = {
  backend: 'wasm',
  versions: { node: process.versions.node, tfjs: '4.22.0' },
  gitCommit: 'abc123',
  host: 'test-host',
  pid: 4242,
};

/** A settable clock for the stores under test. */
export class FakeClock {
  constructor(public t = Date.UTC(2025, 0, 1, 12, 0, 0)) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** The pid of a process that has exited (and been reaped). */
export function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}
