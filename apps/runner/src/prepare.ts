/**
 * Which sweep row a `scorelab sweep` invocation works on, and which runs it queues.
 *
 * - New sweep: named after the experiment; if that name is taken, `<name>-2`, `<name>-3`, ...
 * - --resume: the most recent sweep of that family. Runs that were `running` without a heartbeat
 *   for STALE_AFTER_MS (their process died) are declared crashed first; then the expanded runs are
 *   matched to the stored ones by config hash: finished -> skipped, failed/killed -> queued again
 *   (resetRunForRetry), queued -> left queued, missing -> added.
 */
import type { RunConfig } from '@scorelab/config';
import type { NewRun, RunStore, RunSummary, Sweep } from '@scorelab/tracking';
import { UsageError } from './errors';
import type { SweepPlan } from './plan';

/** A running run whose heartbeat is older than this belongs to a dead process (workers beat every 2 s). */
export const STALE_AFTER_MS = 30_000;

export interface PreparedSweep {
  sweep: Sweep;
  /** Runs queued for this invocation. */
  toRun: number;
  /** Ids of the stored runs of this expansion (on resume, runs the file no longer produces are not among them). */
  runIds: number[];
  /** Runs of the expansion already finished (resume). */
  skipped: number;
  /** What happened, for people ('sweep tiny exists: starting tiny-2', 'resuming ...'). */
  notes: string[];
  /** Things that may be surprising (a changed experiment file on resume). */
  warnings: string[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Sweeps of the family `base`: named `base` or `base-N`, and made from an experiment of the same name. */
export function familyMembers(sweeps: readonly Sweep[], family: string, experimentName: string): { sweep: Sweep; n: number }[] {
  const re = new RegExp(`^${escapeRegExp(family)}(?:-(\\d+))?$`);
  const out: { sweep: Sweep; n: number }[] = [];
  for (const sweep of sweeps) {
    const m = re.exec(sweep.name);
    if (!m) continue;
    if (sweep.config.name !== undefined && sweep.config.name !== experimentName) continue;
    out.push({ sweep, n: m[1] === undefined ? 1 : Number(m[1]) });
  }
  return out;
}

/** The name of the next sweep of a family: `family` if free, else one more than the largest suffix. */
export function nextSweepName(taken: readonly string[], family: string): string {
  const re = new RegExp(`^${escapeRegExp(family)}(?:-(\\d+))?$`);
  let max = 0;
  for (const name of taken) {
    const m = re.exec(name);
    if (m) max = Math.max(max, m[1] === undefined ? 1 : Number(m[1]));
  }
  return max === 0 ? family : `${family}-${max + 1}`;
}

function newRun(r: RunConfig, idx: number): NewRun {
  return { idx, params: r.params, config: r.config, configHash: r.hash, seed: r.seed };
}

export async function prepareSweep(store: RunStore, plan: SweepPlan, resume: boolean): Promise<PreparedSweep> {
  const all = await store.listSweeps();
  const family = familyMembers(all, plan.family, plan.experiment.name);
  if (resume && family.length > 0) {
    const latest = family.reduce((a, b) => (b.sweep.createdAt > a.sweep.createdAt || (b.sweep.createdAt === a.sweep.createdAt && b.sweep.id > a.sweep.id) ? b : a)).sweep;
    return resumeSweep(store, plan, latest);
  }
  const notes: string[] = [];
  const name = nextSweepName(
    all.map((s) => s.name),
    plan.family,
  );
  if (resume) notes.push(`no sweep '${plan.family}' to resume in this store: starting it`);
  // Every `scorelab run` makes a new sweep of its family: no news there.
  else if (name !== plan.family && plan.kind === 'sweep') notes.push(`sweep '${plan.family}' already exists in this store: starting '${name}' (use --resume to continue the latest one instead)`);
  const sweep = await store.createSweep({ name, description: plan.description, config: plan.storedConfig, filePath: plan.filePath });
  const added = await store.addRuns(
    sweep.id,
    plan.runs.map((r) => newRun(r, r.index)),
  );
  return { sweep, toRun: plan.runs.length, runIds: added.map((r) => r.id), skipped: 0, notes, warnings: [] };
}

async function resumeSweep(store: RunStore, plan: SweepPlan, sweep: Sweep): Promise<PreparedSweep> {
  const notes: string[] = [];
  const warnings: string[] = [];
  const crashed = await store.markStaleRunsCrashed(STALE_AFTER_MS);
  const stored = await store.listRuns({ sweepId: sweep.id });
  const crashedHere = stored.filter((r) => crashed.includes(r.id));
  if (crashedHere.length > 0) notes.push(`run${crashedHere.length === 1 ? '' : 's'} ${crashedHere.map((r) => r.id).join(', ')} had no heartbeat for ${STALE_AFTER_MS / 1000} s (their process died): marked crashed, will be redone`);
  const busy = stored.filter((r) => r.status === 'running');
  if (busy.length > 0) {
    const who = [...new Set(busy.map((r) => `pid ${r.pid} on ${r.host}`))].join(', ');
    throw new UsageError(`sweep '${sweep.name}' is being run by another process right now (${who}; runs ${busy.map((r) => r.id).join(', ')}): wait for it to end or stop it, then resume`);
  }

  // Match by config hash (the hash covers the resolved config and the seed); one stored run per expanded run.
  const byHash = new Map<string, RunSummary[]>();
  for (const r of stored) byHash.set(r.configHash, [...(byHash.get(r.configHash) ?? []), r]);
  let nextIdx = stored.reduce((m, r) => Math.max(m, r.idx + 1), 0);
  const toAdd: NewRun[] = [];
  let skipped = 0;
  let retried = 0;
  let queued = 0;
  const runIds: number[] = [];
  for (const r of plan.runs) {
    const match = byHash.get(r.hash)?.shift();
    if (!match) {
      toAdd.push(newRun(r, nextIdx++));
      continue;
    }
    runIds.push(match.id);
    switch (match.status) {
      case 'finished':
        skipped++;
        break;
      case 'failed':
      case 'killed':
        await store.resetRunForRetry(match.id);
        retried++;
        break;
      case 'queued':
        queued++;
        break;
      case 'running':
        throw new Error(`run ${match.id} is running`); // ruled out above
    }
  }
  // Stored runs the file no longer produces: queued ones would still be claimed, so drop them.
  const leftovers = [...byHash.values()].flat();
  for (const r of leftovers.filter((l) => l.status === 'queued')) await store.killRun(r.id, 'dropped on resume: not in the experiment file any more');
  if (toAdd.length > 0) runIds.push(...(await store.addRuns(sweep.id, toAdd)).map((r) => r.id));
  if (toAdd.length > 0 || leftovers.length > 0) {
    warnings.push(
      `warning: ${plan.filePath} no longer matches sweep '${sweep.name}': ${toAdd.length} new run${toAdd.length === 1 ? '' : 's'} added, ` +
        `${leftovers.length} stored run${leftovers.length === 1 ? '' : 's'} not in the file any more (left as they are${leftovers.some((l) => l.status === 'queued') ? ', queued ones marked killed' : ''})`,
    );
  }
  const toRun = retried + queued + toAdd.length;
  notes.push(`resuming sweep '${sweep.name}': ${skipped} finished run${skipped === 1 ? '' : 's'} skipped, ${retried} failed or killed to redo, ${queued + toAdd.length} not started yet`);
  return { sweep, toRun, runIds, skipped, notes, warnings };
}
