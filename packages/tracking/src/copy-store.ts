// `scorelab store copy`: every sweep of one store into another, SQLite <-> PostgreSQL in either
// direction. Ids differ between stores, so a run is known by (sweep name, idx) and a model by its
// source run. Idempotent: a sweep missing in the target is copied whole; a sweep present by name is
// merged — its runs missing in the target (by idx) are copied, its runs present are left as they
// are — unless a run present on both sides has another config hash: then that sweep is a different
// experiment under the same name and the copy refuses before writing anything.
import { StoreError } from './errors';
import { type ImportTarget, modelStatement, runModelStatement, runStatements, sweepStatement } from './import-rows';
import type { Artifact, MetricPoint, ModelRecord, RunStore, SweepSummary } from './types';

export interface CopyCounts {
  /** Sweeps created in the target, and sweeps that were there already (merged). */
  sweeps: number;
  mergedSweeps: number;
  /** Runs copied (each whole, in one transaction), and runs left as they were because present. */
  runs: number;
  skippedRuns: number;
  points: number;
  artifacts: number;
  models: number;
}

export interface CopyProgress {
  sweep: string;
  /** Runs of this sweep handled so far, of runsTotal. */
  runsDone: number;
  runsTotal: number;
  /** Totals of the whole copy so far. */
  counts: CopyCounts;
}

export interface CopyOptions {
  from: RunStore;
  to: RunStore & ImportTarget;
  /** Only these sweeps (by name); default every sweep. */
  sweeps?: readonly string[];
  /** Told after each run (and once per sweep before its first run). */
  onProgress?: (progress: CopyProgress) => void;
}

interface Plan {
  sweep: SweepSummary;
  exists: boolean;
  /** Source run ids to copy, in idx order. */
  runIds: number[];
  skipped: number;
}

/** What to copy of each sweep; throws (before anything is written) on a same-named different sweep. */
async function plan(from: RunStore, to: RunStore, names: readonly string[] | undefined): Promise<Plan[]> {
  let sweeps = await from.listSweeps();
  if (names !== undefined) {
    const missing = names.filter((n) => !sweeps.some((s) => s.name === n));
    if (missing.length > 0) throw new StoreError(`copyStore: no sweep ${missing.map((n) => `'${n}'`).join(', ')} in the source store`);
    sweeps = sweeps.filter((s) => names.includes(s.name));
  }
  const plans: Plan[] = [];
  for (const sweep of sweeps) {
    const runs = await from.listRuns({ sweepId: sweep.id });
    const target = await to.findSweepByName(sweep.name);
    const present = new Map(target ? (await to.listRuns({ sweepId: target.id })).map((r) => [r.idx, r.configHash]) : []);
    const clash = runs.find((r) => present.has(r.idx) && present.get(r.idx) !== r.configHash);
    if (clash) {
      throw new StoreError(
        `copyStore: sweep '${sweep.name}' exists in the target with other runs (run ${clash.idx}: config hash ${present.get(clash.idx)} there, ${clash.configHash} here); nothing was copied. Rename one of the sweeps or copy the others with --sweep`,
      );
    }
    const copy = runs.filter((r) => !present.has(r.idx));
    plans.push({ sweep, exists: target !== undefined, runIds: copy.map((r) => r.id), skipped: runs.length - copy.length });
  }
  return plans;
}

/** Every point of every metric of a run. */
async function allPoints(store: RunStore, runId: number): Promise<MetricPoint[]> {
  const points: MetricPoint[] = [];
  for (const key of await store.metricKeys({ runId })) {
    for (const p of (await store.metricSeries(runId, key)).points) points.push({ key, step: p.step, value: p.value, wallTime: p.wallTime });
  }
  return points;
}

async function allArtifacts(store: RunStore, runId: number): Promise<Artifact[]> {
  const out: Artifact[] = [];
  for (const info of await store.listArtifacts(runId)) {
    const a = await store.getArtifact(runId, info.name);
    if (a) out.push(a);
  }
  return out;
}

/** Copies sweeps, runs (status, timings, attempts, events), metrics, latest values, artifacts and models. */
export async function copyStore(options: CopyOptions): Promise<CopyCounts> {
  const { from, to } = options;
  if (to.readonly) throw new StoreError('copyStore: the target store was opened read-only');
  const plans = await plan(from, to, options.sweeps);
  const counts: CopyCounts = { sweeps: 0, mergedSweeps: 0, runs: 0, skippedRuns: 0, points: 0, artifacts: 0, models: 0 };
  // Runs copied now that sample a model: (sweep, idx) of the run -> the model's id in the source.
  const sampling: { sweep: string; idx: number; modelId: number }[] = [];
  const copied = new Set<string>();
  for (const { sweep, exists, runIds, skipped } of plans) {
    if (exists) counts.mergedSweeps++;
    else {
      await to.importRows({ statements: [sweepStatement(sweep)] });
      counts.sweeps++;
    }
    counts.skippedRuns += skipped;
    const total = runIds.length;
    options.onProgress?.({ sweep: sweep.name, runsDone: 0, runsTotal: total, counts: { ...counts } });
    for (const [done, runId] of runIds.entries()) {
      const run = await from.getRun(runId);
      if (!run) throw new StoreError(`copyStore: run ${runId} vanished from the source during the copy`);
      const [points, artifacts] = [await allPoints(from, runId), await allArtifacts(from, runId)];
      await to.importRows({ statements: runStatements(sweep.name, run, artifacts), metrics: { sweep: sweep.name, idx: run.idx, points } });
      if (run.modelId !== null) sampling.push({ sweep: sweep.name, idx: run.idx, modelId: run.modelId });
      copied.add(`${sweep.name}\u0000${run.idx}`);
      counts.runs++;
      counts.points += points.length;
      counts.artifacts += artifacts.length;
      options.onProgress?.({ sweep: sweep.name, runsDone: done + 1, runsTotal: total, counts: { ...counts } });
    }
  }
  // Models once every run is there: a model's source run may be in another sweep than its users.
  const models = new Map<number, { model: ModelRecord; source: { sweep: string; idx: number } } | null>();
  for (const user of sampling) {
    if (!models.has(user.modelId)) {
      const model = await from.getModel(user.modelId);
      const source = model && (await from.getRun(model.sourceRunId));
      models.set(user.modelId, model && source ? { model, source: { sweep: source.sweepName, idx: source.idx } } : null);
      if (model && source) {
        await to.importRows({ statements: [modelStatement(model, { sweep: source.sweepName, idx: source.idx })] });
        // A model of a run copied now is new there; one of a run that was present is left as it was.
        if (copied.has(`${source.sweepName}\u0000${source.idx}`)) counts.models++;
      }
    }
    const known = models.get(user.modelId);
    if (known) await to.importRows({ statements: [runModelStatement(user, known.source)] });
  }
  return counts;
}
