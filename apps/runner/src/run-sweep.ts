/**
 * `scorelab sweep` and `scorelab run` after their arguments are checked: open the store, pick or
 * resume the sweep, run the worker pool with a progress display, print the summary, and return
 * the exit code (0 all finished, 1 some run did not finish, 130 interrupted).
 */
import { RunQueue, StoreWriteError, openStore, type RunStore, type RunSummary, type StatusCounts } from '@scorelab/tracking';
import { gitCommit, hostName, scorelabVersion } from './environment';
import { CommandFailure, EXIT } from './errors';
import { heartbeatPeriodMs, modelReuse, storeMaxPages, workerMemoryLimitMb } from './limits';
import { KEY_METRICS, formatDuration, formatMetric, formatParams, metricTitle, presentKeyMetrics, renderTable, type Column } from './format';
import type { SweepPlan } from './plan';
import { runPool, type QueuePool } from './pool';
import { prepareSweep, type PreparedSweep } from './prepare';
import { jsonMetrics, ProgressDisplay, type ProgressMode, type SweepView } from './progress';
import { leaseSeconds, prepareQueuedSweep, queueOptions, queueStore, unreachableLimitMs } from './queue-sweep';
import { redactStore, storeFlag, storeLabel, storeTarget, type StoreLocation } from './store-location';

export interface SweepOptions {
  store: StoreLocation;
  /** PostgreSQL: put the runs on the queue and return, for `scorelab worker` on any machine. */
  enqueue?: boolean;
  workers: number;
  resume: boolean;
  backend?: string;
  mode: ProgressMode;
  /** How the user should resume, e.g. `npx scorelab sweep --config x.yaml` (without --resume). */
  resumeCommand: string | null;
  /** 'sweep' or 'run' (wording of the summary). */
  command: 'sweep' | 'run';
  /** --retrain: train this sweep's models even where the store has them from an earlier sweep. */
  retrain?: boolean;
  /** scorelab sample: the stored model (models.id) every run of this sweep samples instead of training. */
  modelId?: number;
}

function countsOf(runs: readonly RunSummary[]): StatusCounts {
  const c: StatusCounts = { queued: 0, running: 0, finished: 0, failed: 0, killed: 0, total: runs.length };
  for (const r of runs) c[r.status]++;
  return c;
}


/** The table of a sweep's runs: id, status, params, seed, key final metrics (sample metrics with their ref/ floor), duration. */
export function runsTable(runs: readonly RunSummary[]): string {
  const keys = presentKeyMetrics(runs.map((r) => r.latest));
  const columns: Column[] = [
    { header: 'run', align: 'right' },
    { header: 'status' },
    { header: 'params' },
    { header: 'seed', align: 'right' },
    ...keys.map((k): Column => ({ header: metricTitle(k), align: 'right' })),
    { header: 'duration', align: 'right' },
  ];
  const rows = runs.map((r) => [String(r.id), r.status, formatParams(r.params), String(r.seed), ...keys.map((k) => formatMetric(r.latest, k)), formatDuration(r.durationMs)]);
  return renderTable(columns, rows);
}

export async function executeSweep(plan: SweepPlan, o: SweepOptions): Promise<number> {
  // Everything that can be wrong with the input was checked by the caller: from here on we write.
  let store: RunStore | undefined;
  modelReuse(o.retrain ?? false); // a bad SCORELAB_REUSE_MODELS is bad input: exit 2 before the store is opened
  try {
    store = await openStore(storeTarget(o.store), { maxPageCount: storeMaxPages() });
    return await execute(store, plan, o);
  } catch (e) {
    // The disk was full (or failing) before the workers started: nothing more to say than that.
    if (e instanceof StoreWriteError) throw new CommandFailure(redactStore(`${e.message}; free space on its disk or fix the file, then run the command again`, o.store));
    throw e;
  } finally {
    await store?.close();
  }
}

async function execute(store: RunStore, plan: SweepPlan, o: SweepOptions): Promise<number> {
  if (o.store.kind !== 'postgres') return executeWith(store, plan, o, await prepareLocal(store, plan, o), undefined);
  const pgStore = await queueStore(store, 'scorelab sweep');
  const queue = await RunQueue.open(pgStore.pool, { leaseSeconds: leaseSeconds() });
  try {
    const prepared = await prepareQueuedSweep(pgStore, queue, plan, o.resume, o.modelId);
    if (o.enqueue) return enqueued(prepared, o);
    const pool: QueuePool = { store: pgStore, queue, url: o.store.url, options: queueOptions([prepared.sweep.id], true), unreachableLimitMs: unreachableLimitMs() };
    return await executeWith(store, plan, o, prepared, pool);
  } finally {
    await queue.close();
  }
}

async function prepareLocal(store: RunStore, plan: SweepPlan, o: SweepOptions): Promise<PreparedSweep> {
  const prepared = await prepareSweep(store, plan, o.resume);
  // Set before any worker claims the runs: a run with a model samples it (checkpoints.ts startOfRun).
  if (o.modelId !== undefined) for (const id of prepared.runIds) await store.setRunModel(id, o.modelId);
  return prepared;
}

/** --enqueue: say what is on the queue and how to start workers, and return. */
function enqueued(prepared: PreparedSweep, o: SweepOptions): number {
  const { sweep } = prepared;
  const command = `npx scorelab worker${storeFlag(o.store)} --until-idle`;
  if (o.mode === 'json') {
    process.stdout.write(`${JSON.stringify({ event: 'sweep-enqueued', sweep: sweep.name, sweepId: sweep.id, runs: prepared.toRun, skipped: prepared.skipped, store: storeLabel(o.store), workerCommand: command })}\n`);
    return EXIT.ok;
  }
  for (const n of [...prepared.notes, ...prepared.warnings]) process.stderr.write(`${n}\n`);
  process.stdout.write(
    [
      `sweep ${sweep.name}: ${prepared.toRun} run${prepared.toRun === 1 ? '' : 's'} on the queue of ${storeLabel(o.store)}${prepared.skipped > 0 ? ` (${prepared.skipped} finished already)` : ''}`,
      `start workers (on any machine that reaches the database; the password from PGPASSWORD or ~/.pgpass):`,
      `  ${command}`,
      `follow it:  npx scorelab ls --sweep ${sweep.name}${storeFlag(o.store)}    or    npx nx run dashboard:serve${storeFlag(o.store)}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}

async function executeWith(store: RunStore, plan: SweepPlan, o: SweepOptions, prepared: PreparedSweep, queue: QueuePool | undefined): Promise<number> {
  const { sweep } = prepared;
  const view: SweepView = { sweepName: sweep.name, total: prepared.toRun, ended: { finished: 0, failed: 0, killed: 0 }, durations: [], startedAt: Date.now(), workers: [] };
  const display = new ProgressDisplay(o.mode, view);
  for (const n of prepared.notes) display.notice(n);
  for (const w of prepared.warnings) display.warn(w);

  const workers = Math.max(1, Math.min(o.workers, prepared.toRun));
  let stoppedBy: NodeJS.Signals | null = null;
  let fatal: string[] = [];
  let storeError: { message: string; reason: string } | null = null;
  let unreachable: string | null = null;
  if (prepared.toRun > 0) {
    // The owner lets readers (and a --resume) tell this live sweep from one whose process died.
    await store.setSweepStatus(sweep.id, 'running', { host: hostName(), pid: process.pid });
    display.start({ sweepId: sweep.id, dbPath: storeLabel(o.store), workers, skipped: prepared.skipped });
    const result = await runPool({
      store,
      sweepId: sweep.id,
      ...(queue ? { queue } : {}),
      workers,
      worker: {
        dbPath: storeLabel(o.store),
        backend: o.backend,
        versions: { node: process.versions.node, scorelab: scorelabVersion() },
        gitCommit: gitCommit(),
        host: hostName(),
        memoryLimitMb: workerMemoryLimitMb(workers),
        heartbeatMs: heartbeatPeriodMs(),
        storeMaxPages: storeMaxPages(),
        reuse: modelReuse(o.retrain ?? false),
      },
      view,
      display,
      keyMetrics: KEY_METRICS,
    });
    stoppedBy = result.stoppedBy;
    fatal = result.fatal;
    storeError = result.storeError;
    unreachable = result.unreachable;
    display.stop();
  } else {
    display.notice(`nothing to do: every run of sweep '${sweep.name}' has finished`);
  }

  if (unreachable !== null) throw new CommandFailure(`the store ${storeLabel(o.store)} could not be reached for ${Math.round(unreachableLimitMs() / 1000)} s (${unreachable}); the runs stay on its queue: start it again, then  ${o.resumeCommand ?? 'npx scorelab sweep'} --resume${storeFlag(o.store)}  or  npx scorelab worker${storeFlag(o.store)}`);

  // The sweep's status and the exit code are about the runs of this file (a resumed sweep may
  // also hold runs of an earlier version of it).
  const planned = new Set(prepared.runIds);
  let runs = (await store.listRuns({ sweepId: sweep.id })).filter((r) => planned.has(r.id));
  if (storeError !== null) {
    // Runs whose end the store could not take are over all the same (their workers are gone): show
    // them failed; the store keeps them `running` with a dead pid, which --resume redoes at once.
    const reason = storeError.reason;
    runs = runs.map((r) => (r.status === 'running' ? { ...r, status: 'failed', error: `${reason} (not recorded in the store)` } : r));
  }
  const counts = countsOf(runs);
  const status = stoppedBy !== null ? 'killed' : counts.finished === counts.total ? 'finished' : 'failed';
  try {
    await store.setSweepStatus(sweep.id, status);
  } catch (e) {
    // A reader sees a sweep whose process is gone as killed; the summary below says what happened.
    if (!(e instanceof StoreWriteError) || storeError === null) throw e;
  }
  const exitCode = stoppedBy !== null ? EXIT.interrupted : status === 'finished' ? EXIT.ok : EXIT.runsFailed;

  if (o.mode === 'json') {
    display.event({
      event: 'sweep-end',
      sweep: sweep.name,
      sweepId: sweep.id,
      status,
      counts,
      db: storeLabel(o.store),
      exitCode,
      runs: runs.map((r) => ({ id: r.id, idx: r.idx, status: r.status, params: r.params, seed: r.seed, durationMs: r.durationMs, error: r.error === null ? null : r.error.split('\n')[0], errorStep: r.errorStep, metrics: jsonMetrics(r.latest) })),
    });
    return exitCode;
  }
  process.stdout.write(summary(sweep.name, runs, counts, status, view, fatal, stoppedBy, storeError !== null, o));
  return exitCode;
}

function summary(name: string, runs: readonly RunSummary[], counts: StatusCounts, status: string, view: SweepView, fatal: readonly string[], stoppedBy: NodeJS.Signals | null, storeFailed: boolean, o: SweepOptions): string {
  const lines: string[] = [];
  const parts = (['finished', 'failed', 'killed', 'queued', 'running'] as const).filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  lines.push('');
  lines.push(`sweep ${name} ${status}: ${counts.total} run${counts.total === 1 ? '' : 's'} (${parts.join(', ')}) in ${formatDuration(Date.now() - view.startedAt)}`);
  lines.push(runsTable(runs));
  const failed = runs.filter((r) => r.status === 'failed' || r.status === 'killed');
  if (failed.length > 0) {
    lines.push('');
    for (const r of failed) {
      const at = r.errorStep !== null ? ` at step ${r.errorStep}` : '';
      lines.push(`run ${r.id} (${formatParams(r.params)} seed=${r.seed}) ${r.status}${at}: ${(r.error ?? '').split('\n')[0]}`);
    }
  }
  for (const f of fatal) lines.push(`a worker could not start: ${f}`);
  const db = storeLabel(o.store);
  const flag = storeFlag(o.store);
  lines.push('');
  lines.push(`results:   ${db} (sweep ${name})`);
  if (o.command === 'run' && runs.length === 1) lines.push(`details:   npx scorelab show ${runs[0].id}${flag}`);
  lines.push(`dashboard: npx nx run dashboard:serve${flag}`);
  lines.push(`export:    npx scorelab export --sweep ${name} --format csv${flag} --out ${name}.csv`);
  if (stoppedBy !== null && o.resumeCommand !== null) {
    lines.push('');
    lines.push(`interrupted: resume with  ${o.resumeCommand} --resume${flag}`);
  } else if (storeFailed) {
    lines.push('');
    lines.push(`stopped: the store could not be written; free space on its disk or fix the file, then ${o.resumeCommand !== null ? `resume with  ${o.resumeCommand} --resume${flag}` : 'run the command again'}`);
  } else if (counts.failed + counts.killed > 0 && o.resumeCommand !== null) {
    lines.push(`retry the failed runs:  ${o.resumeCommand} --resume${flag}`);
  }
  return `${lines.join('\n')}\n`;
}
