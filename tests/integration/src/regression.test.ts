/**
 * Behaviour stays the same across refactors: the final metrics of experiments/tiny.yaml,
 * sde-comparison.yaml and quickstart.yaml (fixed seeds, wasm backend) as recorded before the
 * one-stack redesign (issue 9) in fixtures/regression-metrics.json. Runs the real CLI into a fresh
 * store and compares every recorded final metric except wall-clock ones, to 1e-6 relative (keys added since,
 * ADDED_SINCE_FIXTURE, may appear beside them). The fixture was recorded
 * on the tfjs engine, so the runs are pinned to it (SCORELAB_ENGINE=tfjs: the engine of configs that do not
 * name one); fused-engine.test.ts checks that the fused engine agrees with it within round-off growth.
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
/** Keys added after the fixture was recorded (issue 13: the ref/ floors and the permutation p-value); every recorded key must still match. */
const ADDED_SINCE_FIXTURE = /^(ref\/.+|sample\/mmd_p)$/;

/** |a - b| <= 1e-6 |b|, with an absolute floor for metrics that are (near) zero. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.abs(b) + 1e-12;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('regression fixture: same config and seed, same numbers', () => {
  for (const name of ['tiny', 'sde-comparison', 'quickstart']) {
    it(`${name}.yaml gives the recorded final metrics`, { timeout: 300_000 }, () => {
      // SCORELAB_REUSE_MODELS=0: the fixture records every run training its own model (its train/* and eval/* at every step).
      execFileSync(process.execPath, [cli, 'sweep', '--config', join(root, 'experiments', `${name}.yaml`), '--db', db, '--quiet', '--backend', 'wasm'], { stdio: 'pipe', env: { ...process.env, SCORELAB_ENGINE: 'tfjs', SCORELAB_REUSE_MODELS: '0' } });
      const exported = JSON.parse(execFileSync(process.execPath, [cli, 'export', '--sweep', name, '--format', 'json', '--db', db], { encoding: 'utf8' })) as (FixtureRun & { status: string })[];
      const expected = fixture.sweeps[name];
      expect(exported.map((r) => r.status)).toEqual(expected.map(() => 'finished'));
      expect(exported.map((r) => r.configHash)).toEqual(expected.map((r) => r.configHash));
      const mismatches: string[] = [];
      exported.forEach((run, i) => {
        const want = expected[i].metrics;
        const got = Object.fromEntries(Object.entries(run.metrics).filter(([k]) => !WALL_CLOCK.test(k)));
        expect(Object.keys(want).filter((k) => !(k in got))).toEqual([]);
        expect(Object.keys(got).filter((k) => !(k in want) && !ADDED_SINCE_FIXTURE.test(k))).toEqual([]);
        for (const [key, value] of Object.entries(want)) {
          if (!close(got[key], value)) mismatches.push(`run ${i} (${JSON.stringify(run.params)}) ${key}: ${got[key]} != ${value}`);
        }
      });
      expect(mismatches).toEqual([]);
    });
  }
});
