import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricBuffer } from './metric-buffer';
import { openSqliteStore as openStore } from './sqlite-store';
import { FakeClock, newRun, tempDir } from './test/helpers';
import type { MetricPoint } from './types';

/** Records each batch it receives; can be told to fail. */
class RecordingStore {
  batches: MetricPoint[][] = [];
  failWith: Error | undefined;
  async logMetrics(runId: number, points: readonly MetricPoint[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    expect(runId).toBe(7);
    this.batches.push([...points]);
  }
}

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('MetricBuffer', () => {
  it('flushes every maxPoints points and on close, in order, stamping wallTime at add time', async () => {
    const sink = new RecordingStore();
    const clock = new FakeClock(1000);
    const buffer = new MetricBuffer(sink, 7, { maxPoints: 3, maxDelayMs: Infinity, now: clock.now });
    for (let step = 0; step < 7; step++) {
      buffer.add('train/loss', step, step / 10);
      clock.advance(1);
    }
    expect(buffer.pending).toBe(1); // two full batches were handed to the store
    await buffer.flush(); // waits for the two full batches and writes the 7th point
    expect(sink.batches.map((b) => b.map((p) => p.step))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(sink.batches[1][0]).toEqual({ key: 'train/loss', step: 3, value: 0.3, wallTime: 1003 });
    expect(buffer.pending).toBe(0);
    buffer.push({ key: 'eval/fisher', step: 7, value: 1, wallTime: 5 });
    await buffer.close();
    expect(sink.batches[3]).toEqual([{ key: 'eval/fisher', step: 7, value: 1, wallTime: 5 }]);
  });

  it('flushes when the oldest buffered point is maxDelayMs old', async () => {
    const sink = new RecordingStore();
    const clock = new FakeClock(0);
    const buffer = new MetricBuffer(sink, 7, { maxPoints: 1000, maxDelayMs: 1000, now: clock.now });
    buffer.add('a', 0, 1);
    clock.advance(999);
    buffer.add('a', 1, 1);
    expect(buffer.pending).toBe(2);
    clock.advance(1);
    buffer.add('a', 2, 1); // 1000 ms after the first point: handed to the store at once
    expect(buffer.pending).toBe(0);
    await buffer.flush();
    expect(sink.batches.map((b) => b.length)).toEqual([3]);
    await buffer.close();
  });

  it('writes an idle buffer from its timer', async () => {
    const sink = new RecordingStore();
    const buffer = new MetricBuffer(sink, 7, { maxPoints: 1000, maxDelayMs: 20 });
    buffer.add('a', 0, 1);
    await new Promise((r) => setTimeout(r, 80));
    expect(sink.batches.length).toBe(1);
    await buffer.close();
  });

  it('rethrows a failed write at the next call, once', async () => {
    const sink = new RecordingStore();
    const buffer = new MetricBuffer(sink, 7, { maxPoints: 1, maxDelayMs: Infinity });
    sink.failWith = new Error('disk full');
    buffer.add('a', 0, 1); // starts a write that fails
    await expect(buffer.flush()).rejects.toThrow('disk full');
    sink.failWith = undefined;
    buffer.add('a', 1, 1);
    await buffer.close();
    expect(sink.batches.map((b) => b[0].step)).toEqual([1]);
  });

  it('delivers every point to a real store', async () => {
    const store = await openStore(join(tmp.dir, 'buffer.db'));
    const sweep = await store.createSweep({ name: 'b', config: {} });
    const [run] = await store.addRuns(sweep.id, [newRun(0)]);
    const buffer = new MetricBuffer(store, run.id, { maxPoints: 100 });
    for (let step = 0; step < 1050; step++) {
      buffer.add('train/loss', step, 1 / (step + 1));
      if (step % 10 === 0) buffer.add('eval/fisher', step, step);
    }
    await buffer.close();
    const loss = await store.metricSeries(run.id, 'train/loss');
    expect(loss.total).toBe(1050);
    expect(loss.points[1049].value).toBe(1 / 1050);
    expect((await store.metricSeries(run.id, 'eval/fisher')).total).toBe(105);
    expect((await store.getRun(run.id))!.latest).toEqual({ 'train/loss': 1 / 1050, 'eval/fisher': 1040 });
    await store.close();
  });
});
