/**
 * Which sweep row a `scorelab sweep` invocation works on, and which runs it queues.
 *
 * - New sweep: named after the experiment; if that name is taken, `<name>-2`, `<name>-3`, ...
 * - --resume: the most recent sweep of that family. Runs left `running` by a process that is gone
 *   (a dead pid on this host at once; from another host, no heartbeat for the heartbeat timeout)
 *   are declared crashed first, while a sweep or run whose process lives is never taken over; then
 *   the expanded runs are matched to the stored ones by config hash: finished -> skipped,
 *   failed/killed -> queued again (resetRunForRetry), queued -> left queued, missing -> added.
 */
import type { RunConfig } from '@scorelab/config';
import type { NewRun, RunStore, RunSummary, Sweep } from '@scorelab/tracking';
import { latestCheckpointStep } from './checkpoints';
import { hostName } from './environment';
import { UsageError } from './errors';
import { heartbeatTimeoutMs } from './limits';
import type { SweepPlan } from './plan';

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

/**
 * Whether a failed or killed run stopped for a reason outside its numbers (interrupted, its process died,
 * out of memory, the store refused a write), so that it continues from its last checkpoint. A run that
 * failed by itself (diverged, an error in its config) starts over: its checkpoints lead to the same failure.
 */
export function resumableAfter(run: { status: string; error: string | null }): boolean {
  if (run.status === 'killed') return true;
  if (run.status !== 'failed') return false;
  return /^(crashed: |out of memory|the store could not be written|stopped: |the worker process (died|ended))/.test(run.error ?? '');
}

function newRun(r: RunConfig, idx: number): NewRun {
  // Only trained models are shared: an analytic run has nothing to train.
  return { idx, params: r.params, config: r.config, configHash: r.hash, trainingHash: r.config.model.kind !== 'analytic' ? r.trainingHash : null, seed: r.seed };
}

/** queue: a PostgreSQL store's sweep, run by queue workers: on --resume, runs that workers are running now are left to them. */
export interface PrepareOptions {
  queue?: boolean;
}

export async function prepareSweep(store: RunStore, plan: SweepPlan, resume: boolean, options: PrepareOptions = {}): Promise<PreparedSweep> {
  const all = await store.listSweeps();
  const family = familyMembers(all, plan.family, plan.experiment.name);
  if (resume && family.length > 0) {
    const latest = family.reduce((a, b) => (b.sweep.createdAt > a.sweep.createdAt || (b.sweep.createdAt === a.sweep.createdAt && b.sweep.id > a.sweep.id) ? b : a)).sweep;
    return resumeSweep(store, plan, latest, options.queue ?? false);
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

async function resumeSweep(store: RunStore, plan: SweepPlan, sweep: Sweep, queued: boolean): Promise<PreparedSweep> {
  const notes: string[] = [];
  const warnings: string[] = [];
  const timeoutMs = heartbeatTimeoutMs();
  const crashed = await store.markStaleRunsCrashed(timeoutMs);
  const stored = await store.listRuns({ sweepId: sweep.id });
  const crashedHere = stored.filter((r) => crashed.includes(r.id));
  // markStaleRunsCrashed says which rule applied in the error: a dead pid here, or a silent heartbeat.
  const gone = crashedHere.filter((r) => r.error?.startsWith('crashed: its process'));
  const silent = crashedHere.filter((r) => !gone.includes(r));
  const ids = (rs: readonly RunSummary[]) => `run${rs.length === 1 ? '' : 's'} ${rs.map((r) => r.id).join(', ')}`;
  if (gone.length > 0) notes.push(`${ids(gone)}: ${gone.length === 1 ? 'its process is' : 'their processes are'} gone (${[...new Set(gone.map((r) => `pid ${r.pid}`))].join(', ')} on ${gone[0].host}): marked crashed, will be redone`);
  if (silent.length > 0) notes.push(`${ids(silent)} had no heartbeat for ${timeoutMs / 1000} s (their process died): marked crashed, will be redone`);
  // A live sweep process (this host: its pid is there; elsewhere: it beats) may be between runs.
  const current = await store.getSweep(sweep.id);
  const owner = current?.status === 'running' && current.pid !== null && !(current.host === hostName() && current.pid === process.pid) ? `sweep process pid ${current.pid} on ${current.host}` : null;
  const busy = stored.filter((r) => r.status === 'running');
  // On a queue, live workers may hold runs of the sweep: they keep them (their leases say they live).
  if (!queued && (busy.length > 0 || owner !== null)) {
    const workers = busy.length > 0 ? [`${[...new Set(busy.map((r) => `pid ${r.pid} on ${r.host}`))].join(', ')}; runs ${busy.map((r) => r.id).join(', ')}`] : [];
    const who = [...workers, ...(owner ? [owner] : [])].join('; ');
    throw new UsageError(`sweep '${sweep.name}' is being run by another process right now (${who}): wait for it to end or stop it, then resume`);
  }

  // Match by config hash (the hash covers the resolved config and the seed); one stored run per expanded run.
  const byHash = new Map<string, RunSummary[]>();
  for (const r of stored) byHash.set(r.configHash, [...(byHash.get(r.configHash) ?? []), r]);
  let nextIdx = stored.reduce((m, r) => Math.max(m, r.idx + 1), 0);
  const toAdd: NewRun[] = [];
  let skipped = 0;
  let retried = 0;
  const resumed: string[] = [];
  let waiting = 0;
  let held = 0;
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
      case 'killed': {
        // Interrupted by a fault, not by its own numbers: continue from its last checkpoint, keeping what it logged up to there.
        const from = resumableAfter(match) ? await latestCheckpointStep(store, match.id) : null;
        await store.resetRunForRetry(match.id, from === null ? {} : { keepThroughStep: from });
        if (from !== null) resumed.push(`${match.id} (step ${from})`);
        retried++;
        break;
      }
      case 'queued':
        waiting++;
        break;
      case 'running':
        if (!queued) throw new Error(`run ${match.id} is running`); // ruled out above
        held++;
        break;
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
  const toRun = retried + waiting + held + toAdd.length;
  notes.push(
    `resuming sweep '${sweep.name}': ${skipped} finished run${skipped === 1 ? '' : 's'} skipped, ${retried} failed or killed to redo, ${waiting + toAdd.length} not started yet` +
      (held > 0 ? `, ${held} running on workers now` : ''),
  );
  if (resumed.length > 0) notes.push(`continuing from their last checkpoint: run${resumed.length === 1 ? '' : 's'} ${resumed.join(', ')}`);
  return { sweep, toRun, runIds, skipped, notes, warnings };
}
