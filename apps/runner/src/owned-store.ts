/**
 * The store as a queue worker sees it while it runs one run: every write to that run happens in a
 * transaction that first locks the run's row and checks that this worker's attempt still owns it
 * (tracking's lockRun / holds). A worker that lost its lease (stopped for too long; another worker took
 * the run over, attempt + 1) therefore writes nothing more: no duplicate metric points, no second end.
 * The end of the run and its job change together: finished or failed -> the job is completed; killed
 * (SIGINT/SIGTERM) -> the job is given back to the queue, where another worker takes the run.
 */
import {
  holds,
  lockRun,
  type ArtifactInfo,
  type ModelRecord,
  type NewArtifact,
  type NewModel,
  type NewRun,
  type NewSweep,
  type MetricPoint,
  type MetricScope,
  type Progress,
  type RetryOptions,
  type Run,
  type RunClaim,
  type RunFilter,
  type RunHolder,
  type RunLease,
  type RunQueue,
  type RunStatus,
  type RunStore,
  type SeriesOptions,
  type SqlRunner,
  type SweepOwner,
  type SweepStatus,
} from '@scorelab/tracking';

/** A store whose writes can share one transaction (PostgresRunStore). */
export interface TransactionalStore extends RunStore {
  transaction<T>(fn: (tx: RunStore, client: SqlRunner) => Promise<T>): Promise<T>;
  /** The store's connection pool; the queue (pg-boss) runs on it too. */
  readonly pool: SqlRunner;
}

/**
 * A transaction left open by a process that stopped in it (SIGSTOP, a frozen machine) keeps its row
 * locks: the server ends such a session after IDLE_TRANSACTION_MS, so the worker taking the run over
 * is not blocked for longer. Generous, so that a slow step between two statements is not taken for it.
 */
export const IDLE_TRANSACTION_MS = 10_000;
export const IDLE_TRANSACTION_SQL = `SET LOCAL idle_in_transaction_session_timeout = ${IDLE_TRANSACTION_MS}`;

export function isTransactional(store: RunStore): store is TransactionalStore {
  return typeof (store as Partial<TransactionalStore>).transaction === 'function';
}

/** A write by a worker that no longer owns the run (another worker took it over). Nothing was written. */
export class LostRunError extends Error {
  override name = 'LostRunError';
  constructor(readonly runId: number) {
    super(`run ${runId} was taken over by another worker (its lease ran out): this worker stops it without writing`);
  }
}

/** Runs `fn` in a transaction in which the run is locked and owned by `holder`; LostRunError otherwise. */
export async function whileOwned<T>(store: TransactionalStore, runId: number, holder: RunHolder, fn: (tx: RunStore, client: SqlRunner) => Promise<T>): Promise<T> {
  return store.transaction(async (tx, client) => {
    await client.query(IDLE_TRANSACTION_SQL);
    if (!holds(await lockRun(client, runId), holder)) throw new LostRunError(runId);
    return fn(tx, client);
  });
}

export class OwnedRunStore implements RunStore {
  readonly readonly = false;

  constructor(
    private readonly base: TransactionalStore,
    private readonly queue: RunQueue,
    readonly runId: number,
    readonly holder: RunHolder,
    readonly lease: RunLease,
  ) {}

  private owned<T>(runId: number, fn: (tx: RunStore, client: SqlRunner) => Promise<T>): Promise<T> {
    if (runId !== this.runId) throw new Error(`this worker writes to run ${this.runId} only, not run ${runId}`);
    return whileOwned(this.base, runId, this.holder, fn);
  }

  // --- writes to the worker's run: checked
  async heartbeat(runId: number, progress?: Progress): Promise<RunStatus> {
    try {
      return await this.owned(runId, (tx) => tx.heartbeat(runId, progress));
    } catch (e) {
      // Not ours any more: the worker stops the run (anything but 'running').
      if (e instanceof LostRunError) return 'killed';
      throw e;
    }
  }
  logMetrics(runId: number, points: readonly MetricPoint[]): Promise<void> {
    return this.owned(runId, (tx) => tx.logMetrics(runId, points));
  }
  finishRun(runId: number): Promise<Run> {
    return this.owned(runId, async (tx, client) => {
      const run = await tx.finishRun(runId);
      await this.queue.complete(this.lease, { status: 'finished' }, client);
      return run;
    });
  }
  failRun(runId: number, error: unknown, step?: number | null): Promise<Run> {
    return this.owned(runId, async (tx, client) => {
      const run = await tx.failRun(runId, error, step);
      await this.queue.complete(this.lease, { status: 'failed' }, client);
      return run;
    });
  }
  killRun(runId: number, reason?: string): Promise<Run> {
    return this.owned(runId, async (tx, client) => {
      const run = await tx.killRun(runId, reason);
      await this.queue.giveBack(this.lease, reason ?? 'killed', client);
      return run;
    });
  }
  deleteArtifact(runId: number, name: string): Promise<void> {
    return this.owned(runId, (tx) => tx.deleteArtifact(runId, name));
  }
  saveModel(model: NewModel): Promise<ModelRecord> {
    return this.owned(model.sourceRunId, (tx) => tx.saveModel(model));
  }
  setRunModel(runId: number, modelId: number): Promise<void> {
    return this.owned(runId, (tx) => tx.setRunModel(runId, modelId));
  }
  setRunEngine(runId: number, engine: string | null): Promise<void> {
    return this.owned(runId, (tx) => tx.setRunEngine(runId, engine));
  }
  saveArtifact(runId: number, artifact: NewArtifact): Promise<ArtifactInfo> {
    return this.owned(runId, (tx) => tx.saveArtifact(runId, artifact));
  }

  // --- writes a run worker never makes
  private refuse(what: string): never {
    throw new Error(`a queue worker's run store does not ${what}`);
  }
  createSweep(_: NewSweep): never {
    return this.refuse('create sweeps');
  }
  setSweepStatus(_id: number, _s: SweepStatus, _o?: SweepOwner): never {
    return this.refuse('set sweep statuses');
  }
  heartbeatSweep(_: number): never {
    return this.refuse('beat for sweeps');
  }
  addRuns(_id: number, _runs: NewRun[]): never {
    return this.refuse('add runs');
  }
  startRun(_id: number, _c: RunClaim): never {
    return this.refuse('start runs (the queue does)');
  }
  claimRun(_id: number, _c: RunClaim): never {
    return this.refuse('claim runs (the queue does)');
  }
  markStaleRunsCrashed(_: number): never {
    return this.refuse('declare runs crashed');
  }
  resetRunForRetry(_id: number, _o?: RetryOptions): never {
    return this.refuse('reset runs');
  }

  // --- reads
  findSweepByName(name: string) {
    return this.base.findSweepByName(name);
  }
  listSweeps() {
    return this.base.listSweeps();
  }
  getSweep(idOrName: number | string) {
    return this.base.getSweep(idOrName);
  }
  findModel(trainingHash: string) {
    return this.base.findModel(trainingHash);
  }
  getModel(id: number) {
    return this.base.getModel(id);
  }
  listRuns(filter?: RunFilter) {
    return this.base.listRuns(filter);
  }
  queuedRuns(sweepId: number) {
    return this.base.queuedRuns(sweepId);
  }
  getRun(runId: number) {
    return this.base.getRun(runId);
  }
  metricKeys(scope: MetricScope) {
    return this.base.metricKeys(scope);
  }
  metricSeries(runId: number, key: string, options?: SeriesOptions) {
    return this.base.metricSeries(runId, key, options);
  }
  listArtifacts(runId: number) {
    return this.base.listArtifacts(runId);
  }
  getArtifact(runId: number, name: string) {
    return this.base.getArtifact(runId, name);
  }
  exportRuns(options?: { sweep?: number | string }) {
    return this.base.exportRuns(options);
  }
  /** The base store belongs to the worker, which closes it. */
  async close(): Promise<void> {}
}
