/**
 * `scorelab store copy --from FILE|URL --to FILE|URL [--sweep NAME ...]`: tracking's copyStore between
 * any two stores (SQLite or PostgreSQL, either way), with a progress line per sweep on stderr and the
 * counts on stdout. Copying again copies only what is new. A same-named sweep with other runs in the
 * target is refused before anything is written (exit 2).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { copyStore, openStore, StoreError, type CopyCounts, type CopyProgress } from '@scorelab/tracking';
import { EXIT, UsageError } from './errors';
import { redactStore, storeLabel, storeTarget, type StoreLocation } from './store-location';

/** Progress lines: each sweep's first and last run, and at most one a second between. */
const PROGRESS_EVERY_MS = 1000;

function countsText(c: CopyCounts): string {
  return `${c.sweeps} sweep${c.sweeps === 1 ? '' : 's'} new, ${c.mergedSweeps} merged; ${c.runs} run${c.runs === 1 ? '' : 's'} copied, ${c.skippedRuns} already there; ${c.points} metric points, ${c.artifacts} artifacts, ${c.models} models`;
}

export async function storeCopyCommand(from: StoreLocation, to: StoreLocation, sweeps: readonly string[] | undefined, quiet: boolean): Promise<number> {
  const mask = (text: string): string => redactStore(redactStore(text, from), to);
  if (from.kind === 'sqlite' && !existsSync(resolve(from.path))) throw new UsageError(`no run store at ${resolve(from.path)} to copy from`, 'store copy');
  if (storeLabel(from) === storeLabel(to)) throw new UsageError('--from and --to are the same store', 'store copy');
  const source = await openStore(storeTarget(from), { readonly: true });
  try {
    const target = await openStore(storeTarget(to));
    try {
      if (!quiet) process.stderr.write(`copying ${storeLabel(from)} -> ${storeLabel(to)}\n`);
      let shownAt = 0;
      const onProgress = (p: CopyProgress): void => {
        const now = Date.now();
        if (quiet || (p.runsDone !== 0 && p.runsDone !== p.runsTotal && now - shownAt < PROGRESS_EVERY_MS)) return;
        shownAt = now;
        process.stderr.write(`  sweep ${p.sweep}: ${p.runsDone}/${p.runsTotal} runs\n`);
      };
      let counts: CopyCounts;
      try {
        counts = await copyStore({ from: source, to: target, ...(sweeps && sweeps.length > 0 ? { sweeps } : {}), onProgress });
      } catch (e) {
        // A clash of sweep names, or an unknown --sweep: refused before anything was written.
        if (e instanceof StoreError && /^copyStore: /.test(e.message)) throw new UsageError(mask(e.message.replace(/^copyStore: /, '')), 'store copy');
        throw e;
      }
      process.stdout.write(`${mask(`copied ${storeLabel(from)} -> ${storeLabel(to)}: ${countsText(counts)}`)}\n`);
      return EXIT.ok;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
