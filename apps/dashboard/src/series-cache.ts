// Series of finished runs, kept in memory. A finished run's metrics no longer change: the worker
// flushes its buffer before finishRun, and a retry (resetRunForRetry) bumps `attempt` and clears
// endedAt, which changes the cache key. Running, failed and killed runs are always read afresh (a
// worker that was declared crashed or killed may still flush points). Grouped curves of a large sweep
// read every run's series; the cache makes the second look (another parameter, a live refresh) cheap.
import type { RunStore, RunSummary } from '@scorelab/tracking';

export interface CompactSeries {
  steps: Float64Array;
  values: Float64Array;
}

export class SeriesCache {
  /** Insertion order = least recently used first. */
  private readonly entries = new Map<string, CompactSeries>();
  private points = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly store: RunStore,
    /** Upper bound on cached points (16 bytes each). */
    private readonly maxPoints = 2_000_000,
  ) {}

  async get(run: RunSummary, key: string): Promise<CompactSeries> {
    const cacheable = run.status === 'finished' && run.endedAt !== null;
    const id = `${run.id}|${run.attempt}|${run.endedAt}|${key}`;
    if (cacheable) {
      const hit = this.entries.get(id);
      if (hit) {
        this.hits++;
        this.entries.delete(id);
        this.entries.set(id, hit);
        return hit;
      }
    }
    this.misses++;
    const { points } = await this.store.metricSeries(run.id, key);
    const series: CompactSeries = { steps: new Float64Array(points.length), values: new Float64Array(points.length) };
    points.forEach((p, i) => {
      series.steps[i] = p.step;
      series.values[i] = p.value;
    });
    if (cacheable && points.length <= this.maxPoints) {
      this.entries.set(id, series);
      this.points += points.length;
      for (const [oldest, s] of this.entries) {
        if (this.points <= this.maxPoints) break;
        this.entries.delete(oldest);
        this.points -= s.steps.length;
      }
    }
    return series;
  }

  get size(): { series: number; points: number } {
    return { series: this.entries.size, points: this.points };
  }
}
