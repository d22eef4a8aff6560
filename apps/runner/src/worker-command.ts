/**
 * `scorelab worker --store URL [--concurrency N] [--until-idle]`: on any machine that reaches the
 * PostgreSQL store, take runs of any sweep from its queue and run them in worker processes (the same
 * pool as `scorelab sweep`: memory limits, checkpoints, train once, progress). SIGINT/SIGTERM stops the
 * runs at their next step, marks them killed and gives them back to the queue; --until-idle exits 0
 * once no job is left that is not over. Exit codes: 0 done or idle, 1 the store stayed unreachable or a
 * worker could not start, 130 interrupted.
 */
import { RunQueue, openStore, type RunStore } from '@scorelab/tracking';
import { gitCommit, hostName, scorelabVersion } from './environment';
import { CommandFailure, EXIT } from './errors';
import { KEY_METRICS, formatDuration } from './format';
import { heartbeatPeriodMs, modelReuse, workerMemoryLimitMb } from './limits';
import { runPool } from './pool';
import { ProgressDisplay, type ProgressMode, type SweepView } from './progress';
import { leaseSeconds, queueOptions, queueStore, unreachableLimitMs } from './queue-sweep';
import { storeFlag, storeLabel, type StoreLocation } from './store-location';

export interface WorkerCommandOptions {
  store: Extract<StoreLocation, { kind: 'postgres' }>;
  concurrency: number;
  untilIdle: boolean;
  backend?: string;
  mode: ProgressMode;
}

export async function executeWorker(o: WorkerCommandOptions): Promise<number> {
  modelReuse(false); // a bad SCORELAB_REUSE_MODELS is bad input before anything is opened
  let store: RunStore | undefined;
  try {
    store = await openStore(o.store.url);
    const pgStore = await queueStore(store, 'scorelab worker');
    const queue = await RunQueue.open(pgStore.pool, { leaseSeconds: leaseSeconds() });
    try {
      const options = queueOptions(null, o.untilIdle);
      const pending = await queue.pending();
      const view: SweepView = { sweepName: `worker ${hostName()}:${process.pid}`, total: pending, ended: { finished: 0, failed: 0, killed: 0 }, durations: [], startedAt: Date.now(), workers: [] };
      const display = new ProgressDisplay(o.mode, view);
      const label = storeLabel(o.store);
      if (o.mode === 'json') display.event({ event: 'worker-start', host: hostName(), pid: process.pid, store: label, concurrency: o.concurrency, untilIdle: o.untilIdle, pending });
      else
        display.notice(
          `worker pid ${process.pid} on ${hostName()}: ${o.concurrency} process${o.concurrency === 1 ? '' : 'es'} taking runs of every sweep from the queue of ${label} ` +
            `(${pending} job${pending === 1 ? '' : 's'} waiting or running; lease ${options.leaseSeconds} s, at most ${options.maxAttempts} attempts a run)${o.untilIdle ? '; exits when the queue is empty' : '; Ctrl-C to stop'}`,
        );
      const result = await runPool({
        store: pgStore,
        sweepId: null,
        queue: { store: pgStore, queue, url: o.store.url, options, unreachableLimitMs: unreachableLimitMs() },
        workers: o.concurrency,
        worker: {
          dbPath: label,
          backend: o.backend,
          versions: { node: process.versions.node, scorelab: scorelabVersion() },
          gitCommit: gitCommit(),
          host: hostName(),
          memoryLimitMb: workerMemoryLimitMb(o.concurrency),
          heartbeatMs: heartbeatPeriodMs(),
          reuse: modelReuse(false),
        },
        view,
        display,
        keyMetrics: KEY_METRICS,
      });
      display.stop();
      const e = view.ended;
      const tally = `${e.finished} finished, ${e.failed} failed, ${e.killed} killed in ${formatDuration(Date.now() - view.startedAt)}`;
      if (result.unreachable !== null) throw new CommandFailure(`the store ${label} could not be reached for ${Math.round(unreachableLimitMs() / 1000)} s (${result.unreachable}); this worker gives up (${tally}); its runs stay on the queue for the next worker`);
      if (result.fatal.length > 0 && e.finished + e.failed + e.killed === 0) throw new CommandFailure(`no worker process could start: ${result.fatal[0]}`);
      const code = result.stoppedBy !== null ? EXIT.interrupted : EXIT.ok;
      if (o.mode === 'json') display.event({ event: 'worker-end', ...e, exitCode: code });
      else if (o.mode !== 'quiet' || result.stoppedBy !== null)
        process.stderr.write(
          `worker ${result.stoppedBy !== null ? `stopped (${result.stoppedBy}); its runs went back to the queue` : o.untilIdle ? 'done: the queue is empty' : 'done'}: ${tally}\n` +
            (result.stoppedBy !== null ? `start a worker again to finish them:  npx scorelab worker${storeFlag(o.store)}\n` : ''),
        );
      return code;
    } finally {
      await queue.close();
    }
  } finally {
    await store?.close();
  }
}
