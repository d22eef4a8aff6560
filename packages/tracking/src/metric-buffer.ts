import type { EpochMs, MetricPoint, RunStore } from './types';

export interface MetricBufferOptions {
  /** Flush when this many points are buffered (default 1000). */
  maxPoints?: number;
  /** Flush when the oldest buffered point is this old (default 1000 ms). Checked on every add and by
   * an unref'd timer (the timer only fires while the event loop is free). */
  maxDelayMs?: number;
  now?: () => EpochMs;
}

/**
 * Buffers one run's metric points and writes them in batches (one transaction each), so a training
 * loop can log every step without paying a commit per point. Each point's wallTime is taken when it
 * is added, not when it is written. Writes happen in order; a failed write is rethrown by the next
 * add/flush/close.
 */
export class MetricBuffer {
  private buffer: MetricPoint[] = [];
  private oldestAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown = undefined;
  private readonly maxPoints: number;
  private readonly maxDelayMs: number;
  private readonly now: () => EpochMs;

  constructor(
    private readonly store: Pick<RunStore, 'logMetrics'>,
    readonly runId: number,
    options: MetricBufferOptions = {},
  ) {
    this.maxPoints = options.maxPoints ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.now = options.now ?? Date.now;
    if (!(this.maxPoints >= 1)) throw new RangeError(`MetricBuffer: maxPoints must be >= 1, got ${this.maxPoints}`);
  }

  /** Points waiting to be written. */
  get pending(): number {
    return this.buffer.length;
  }

  add(key: string, step: number, value: number, wallTime?: EpochMs): void {
    this.rethrow();
    const at = this.now();
    if (this.buffer.length === 0) {
      this.oldestAt = at;
      this.armTimer();
    }
    this.buffer.push({ key, step, value, wallTime: wallTime ?? at });
    if (this.buffer.length >= this.maxPoints || at - this.oldestAt >= this.maxDelayMs) this.startWrite();
  }

  push(point: MetricPoint): void {
    this.add(point.key, point.step, point.value, point.wallTime);
  }

  /** Writes everything buffered and waits for all writes so far. */
  async flush(): Promise<void> {
    this.startWrite();
    await this.writing;
    this.rethrow();
  }

  /** flush() and stop the timer. */
  async close(): Promise<void> {
    await this.flush();
    this.clearTimer();
  }

  private startWrite(): void {
    this.clearTimer();
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing
      .then(() => this.store.logMetrics(this.runId, batch))
      .catch((e: unknown) => {
        this.failure ??= e;
      });
  }

  private armTimer(): void {
    if (this.timer !== undefined || !Number.isFinite(this.maxDelayMs)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startWrite();
    }, this.maxDelayMs);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private rethrow(): void {
    if (this.failure !== undefined) {
      const e = this.failure;
      this.failure = undefined;
      throw e;
    }
  }
}
