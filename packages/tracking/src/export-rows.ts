import type { ExportRecord, RunSummary } from './types';

/** One `exportRuns` record (what `scorelab export` writes as JSON, or flattens into CSV columns). */
export function toExportRecord(r: RunSummary): ExportRecord {
  return {
    id: r.id,
    sweep: r.sweepName,
    sweepId: r.sweepId,
    idx: r.idx,
    status: r.status,
    seed: r.seed,
    configHash: r.configHash,
    config: r.config,
    params: r.params,
    metrics: r.latest,
    error: r.error,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
  };
}
