// Fault injection: the store's disk fills up during a sweep (logEvery: 1). The store is put on a
// 2 MB tmpfs (as root); where mounting is not allowed, SCORELAB_STORE_MAX_PAGES caps the store
// file instead (SQLite's max_page_count, the same "database or disk is full" error).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, tinyExperiment, type TempDir, withStore } from './helpers';

let dir: TempDir;
let mounted: string | null = null;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  // Lazily: a process of a failed test may still hold a file there.
  if (mounted !== null) execFileSync('umount', ['-l', mounted]);
  mounted = null;
  dir.remove();
});

/** Mounts a 2 MB tmpfs at `path`; false when this process may not mount (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(path: string): boolean {
  mkdirSync(path, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', path], { stdio: 'ignore' });
    mounted = path;
    return true;
  } catch {
    return false;
  }
}

describe('a full disk', () => {
  it('ends the sweep with one clear message, no restart storm and exit 1; --resume after space is freed finishes everything at once', async () => {
    const file = dir.write('full.yaml', tinyExperiment({ name: 'full', train: '{ steps: 1000, batchSize: 64, logEvery: 1 }', parameters: '  train.lr: [0.001, 0.002, 0.003, 0.004]' }));
    const disk = dir.file('disk');
    const db = join(disk, 'full.db');
    // The tfjs engine trains at a known pace (the disk fills while the runs train).
    let env: Record<string, string> = { SCORELAB_ENGINE: 'tfjs' };
    let freeSpace: () => void;
    if (mountTmpfs(disk)) {
      // Leave about 500 KB of the 2 MB free, so the disk fills within the first seconds.
      const filler = join(disk, 'filler');
      writeFileSync(filler, Buffer.alloc(1500 * 1024));
      freeSpace = () => {
        rmSync(filler);
        execFileSync('mount', ['-o', 'remount,size=64m', disk]);
      };
    } else {
      // SQLite pages of 4 KB: a 500 KB store.
      env = { ...env, SCORELAB_STORE_MAX_PAGES: '125' };
      freeSpace = () => undefined;
    }

    const r = await runCli(['sweep', '--config', file, '--db', db, '--workers', '2'], { env });
    const output = r.stdout + r.stderr;
    expect(r.code, output).toBe(1);
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toMatch(/SqliteError/);
    // One message naming the store and the cause.
    const message = r.stderr.split('\n').filter((l) => l.includes(`the store ${db}`));
    expect(message, r.stderr).toHaveLength(1);
    expect(message[0]).toMatch(/database or disk is full/);
    // The two workers of the sweep, and no replacement started after them.
    expect(r.stderr.match(/^worker \d+ \(pid \d+\) ready/gm) ?? [], r.stderr).toHaveLength(2);
    await withStore(db, async (s) => {
      expect((await s.getSweep('full'))?.status).not.toBe('running');
      const runs = await s.listRuns();
      for (const run of runs) {
        // Each run is recorded as failed with the reason, or (when not even that fitted) left for --resume.
        expect(['queued', 'failed', 'running']).toContain(run.status);
        if (run.status === 'failed') expect(run.error).toMatch(/database or disk is full/);
        expect(run.attempt).toBeLessThanOrEqual(1);
      }
    });

    freeSpace();
    const t0 = Date.now();
    const again = await runCli(['sweep', '--config', file, '--db', db, '--resume', '--workers', '2'], { env: { SCORELAB_ENGINE: 'tfjs' } });
    const seconds = (Date.now() - t0) / 1000;
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/another process/);
    expect(seconds).toBeLessThan(25);
    await withStore(db, async (s) => {
      const runs = await s.listRuns();
      expect(runs.map((x) => x.status)).toEqual(['finished', 'finished', 'finished', 'finished']);
      for (const run of runs) {
        const loss = await s.metricSeries(run.id, 'train/loss');
        expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      }
      expect((await s.getSweep('full'))?.status).toBe('finished');
    });
  });
});
