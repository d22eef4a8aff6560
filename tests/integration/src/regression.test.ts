/**
 * Behaviour stays the same across refactors: the final metrics of experiments/tiny.yaml,
 * sde-comparison.yaml and quickstart.yaml (fixed seeds, wasm backend) as recorded before the
 * one-stack redesign (issue 9) in fixtures/regression-metrics.json. Runs the real CLI into a fresh
 * store and compares every final metric except wall-clock ones, to 1e-6 relative.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const cli = join(root, 'apps/runner/bin/scorelab.js');
const dir = mkdtempSync(join(tmpdir(), 'scorelab-regression-'));
const db = join(dir, 'store.db');

interface FixtureRun {
  idx: number;
  seed: number;
  configHash: string;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
}
const fixture = JSON.parse(readFileSync(join(root, 'tests/integration/fixtures/regression-metrics.json'), 'utf8')) as { sweeps: Record<string, FixtureRun[]> };
const WALL_CLOCK = /^perf\/(sample_seconds|steps_per_sec)$/;

/** |a - b| <= 1e-6 |b|, with an absolute floor for metrics that are (near) zero. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.abs(b) + 1e-12;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('regression fixture: same config and seed, same numbers', () => {
  for (const name of ['tiny', 'sde-comparison', 'quickstart']) {
    it(`${name}.yaml gives the recorded final metrics`, { timeout: 300_000 }, () => {
      execFileSync(process.execPath, [cli, 'sweep', '--config', join(root, 'experiments', `${name}.yaml`), '--db', db, '--quiet', '--backend', 'wasm'], { stdio: 'pipe' });
      const exported = JSON.parse(execFileSync(process.execPath, [cli, 'export', '--sweep', name, '--format', 'json', '--db', db], { encoding: 'utf8' })) as (FixtureRun & { status: string })[];
      const expected = fixture.sweeps[name];
      expect(exported.map((r) => r.status)).toEqual(expected.map(() => 'finished'));
      expect(exported.map((r) => r.configHash)).toEqual(expected.map((r) => r.configHash));
      const mismatches: string[] = [];
      exported.forEach((run, i) => {
        const want = expected[i].metrics;
        const got = Object.fromEntries(Object.entries(run.metrics).filter(([k]) => !WALL_CLOCK.test(k)));
        expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
        for (const [key, value] of Object.entries(want)) {
          if (!close(got[key], value)) mismatches.push(`run ${i} (${JSON.stringify(run.params)}) ${key}: ${got[key]} != ${value}`);
        }
      });
      expect(mismatches).toEqual([]);
    });
  }
});
