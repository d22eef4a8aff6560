// The parts of the runner that need no worker: sweep naming and resume matching (on an in-memory
// store), ETA, number formatting, CSV export, and the backend list the parent keeps.
import { describe, expect, it } from 'vitest';
import { expandSweep, parseExperiment } from '@scorelab/config';
import { BACKEND_ORDER } from '@scorelab/core';
import { openStore, type ExportRecord, type RunStore } from '@scorelab/tracking';
import { BACKEND_NAMES } from '../src/environment';
import { UsageError } from '../src/errors';
import { formatDuration, formatMetric, formatNumber, formatParams } from '../src/format';
import { compareMetricKeys, csvField, exportCsv, flattenParams } from '../src/inspect';
import { sweepPlan, type SweepPlan } from '../src/plan';
import { nextSweepName, prepareSweep } from '../src/prepare';
import { estimateEtaMs, type ActiveRun } from '../src/progress';
import { TINY_YAML, parseCsv, tinyExperiment } from './helpers';

function planOf(text: string): SweepPlan {
  const experiment = parseExperiment(text, 'mem.yaml');
  return { kind: 'sweep', family: experiment.name, experiment, runs: expandSweep(experiment), filePath: 'mem.yaml', storedConfig: JSON.parse(JSON.stringify(experiment)) };
}

const claim = { backend: 'cpu', versions: {}, host: 'test', pid: 1 };

describe('sweep naming', () => {
  it('uses the name, then -2, -3, ... after the largest suffix taken', () => {
    expect(nextSweepName([], 'tiny')).toBe('tiny');
    expect(nextSweepName(['tiny'], 'tiny')).toBe('tiny-2');
    expect(nextSweepName(['tiny', 'tiny-2', 'tiny-7', 'tiny-run', 'tinyx-9'], 'tiny')).toBe('tiny-8');
    expect(nextSweepName(['tiny-run', 'tiny-run-2'], 'tiny-run')).toBe('tiny-run-3');
    expect(nextSweepName(['a.b'], 'a+b')).toBe('a+b'); // names are matched literally, not as patterns
  });

  it('a second sweep of a file gets a new name; --resume takes the most recent one', async () => {
    const store = await openStore(':memory:');
    try {
      const plan = sweepPlan(TINY_YAML);
      const first = await prepareSweep(store, plan, false);
      const second = await prepareSweep(store, plan, false);
      expect([first.sweep.name, second.sweep.name]).toEqual(['tiny', 'tiny-2']);
      expect(second.notes.join()).toContain("starting 'tiny-2'");
      const resumed = await prepareSweep(store, plan, true);
      expect(resumed.sweep.id).toBe(second.sweep.id);
      expect(resumed.toRun).toBe(plan.runs.length);
      expect((await store.listRuns()).length).toBe(2 * plan.runs.length);
    } finally {
      await store.close();
    }
  });
});

describe('--resume matching by config hash', () => {
  const text = tinyExperiment({ name: 'res', train: '{ steps: 20, batchSize: 32 }', parameters: '  train.lr: [0.001, 0.002, 0.003, 0.004]' });

  async function started(store: RunStore): Promise<number[]> {
    const prepared = await prepareSweep(store, planOf(text), false);
    const ids = (await store.listRuns({ sweepId: prepared.sweep.id })).map((r) => r.id);
    // run 1 finished, run 2 failed, run 3 killed, run 4 still queued
    await store.startRun(ids[0], claim);
    await store.finishRun(ids[0]);
    await store.startRun(ids[1], claim);
    await store.failRun(ids[1], 'boom', 3);
    await store.startRun(ids[2], claim);
    await store.killRun(ids[2], 'interrupted (SIGINT)');
    return ids;
  }

  it('skips finished runs, queues failed and killed ones again, keeps queued ones', async () => {
    const store = await openStore(':memory:');
    try {
      const ids = await started(store);
      const r = await prepareSweep(store, planOf(text), true);
      expect(r.sweep.name).toBe('res');
      expect([r.toRun, r.skipped]).toEqual([3, 1]);
      expect(r.warnings).toEqual([]);
      expect(r.runIds).toEqual(ids);
      const runs = await store.listRuns();
      expect(runs.map((x) => [x.id, x.status])).toEqual(ids.map((id, i) => [id, i === 0 ? 'finished' : 'queued']));
    } finally {
      await store.close();
    }
  });

  it('a changed file: new combinations are added, queued runs no longer in it are dropped (killed)', async () => {
    const store = await openStore(':memory:');
    try {
      const ids = await started(store);
      const changed = text.replace('[0.001, 0.002, 0.003, 0.004]', '[0.001, 0.002, 0.005]');
      const r = await prepareSweep(store, planOf(changed), true);
      expect(r.toRun).toBe(2); // 0.002 (failed) again and 0.005 (new)
      expect(r.warnings.join()).toMatch(/1 new run added, 2 stored runs not in the file any more/);
      const runs = await store.listRuns();
      expect(runs.map((x) => [x.idx, x.status, x.params['train.lr']])).toEqual([
        [0, 'finished', 0.001],
        [1, 'queued', 0.002],
        [2, 'killed', 0.003],
        [3, 'killed', 0.004],
        [4, 'queued', 0.005],
      ]);
      expect(runs[3].error).toMatch(/not in the experiment file/);
      // The sweep's outcome is judged on the runs of the file as it is now.
      expect([...r.runIds].sort((x, y) => x - y)).toEqual([ids[0], ids[1], runs[4].id]);
      expect(ids).toHaveLength(4);
    } finally {
      await store.close();
    }
  });

  it('refuses to resume a sweep that another live process is running', async () => {
    const store = await openStore(':memory:');
    try {
      const prepared = await prepareSweep(store, planOf(text), false);
      await store.claimRun(prepared.sweep.id, { ...claim, pid: 4242 });
      await expect(prepareSweep(store, planOf(text), true)).rejects.toThrow(UsageError);
      await expect(prepareSweep(store, planOf(text), true)).rejects.toThrow(/being run by another process right now \(pid 4242 on test/);
    } finally {
      await store.close();
    }
  });
});

describe('ETA', () => {
  const active = (startedAt: number, phase: ActiveRun['phase'], step: number, trainSteps: number): ActiveRun => ({ runId: 1, idx: 0, params: {}, seed: 0, attempt: 1, startedAt, phase, step, totalSteps: trainSteps, trainSteps });

  it('from finished durations: (remaining of the active runs + queued x mean) / workers', () => {
    // mean 15 s; the active run is 5 s in, so 10 s left; 2 queued: (10 + 30) / 2 workers = 20 s.
    expect(estimateEtaMs({ now: 5000, queued: 2, durations: [10_000, 20_000], active: [active(0, 'train', 10, 100)], workers: 2 })).toBe(20_000);
    // Never less than the longest remaining run: 1 active 5 s in, nothing queued, 4 workers -> 10 s.
    expect(estimateEtaMs({ now: 5000, queued: 0, durations: [15_000], active: [active(0, 'train', 10, 100)], workers: 4 })).toBe(10_000);
  });

  it('before any run finished: the training rate of the active runs', () => {
    // 25% of training in 4 s -> 16 s per run: 12 s left here, plus 1 queued run of 16 s, 1 worker.
    expect(estimateEtaMs({ now: 4000, queued: 1, durations: [], active: [active(0, 'train', 250, 1000)], workers: 1 })).toBe(28_000);
    expect(estimateEtaMs({ now: 4000, queued: 1, durations: [], active: [active(0, 'setup', 0, 0)], workers: 1 })).toBeNull();
  });
});

describe('formatting', () => {
  it('numbers with 4 significant digits, exponent outside [1e-3, 1e5), non-finite as words', () => {
    expect([0.123456, 12345.6, 123456, 0.000123, 0, -2.5, NaN, Infinity, -Infinity].map(formatNumber)).toEqual(['0.1235', '12350', '1.23e+5', '1.23e-4', '0', '-2.5', 'NaN', 'Infinity', '-Infinity']);
  });
  it('durations', () => {
    expect([870, 59_940, 59_960, 75_000, 7_380_000].map(formatDuration)).toEqual(['0.9s', '59.9s', '1m00s', '1m15s', '2h03m']);
  });
  it('params as written', () => {
    expect(formatParams({ 'train.lr': 1e6, 'loss.kind': 'dsm', 'model.hidden': [32, 32] })).toBe('train.lr=1000000 loss.kind=dsm model.hidden=[32,32]');
    expect(formatParams({})).toBe('(base)');
  });
  it('a sample metric with its ref/ floor beside it; the p-value and other keys alone', () => {
    const latest = { 'sample/mmd': 0.07851, 'ref/mmd': 0.00213, 'sample/mmd_p': 0.004975, 'sample/swd': 0.3, 'eval/fisher': 0.01 };
    expect(['sample/mmd', 'sample/mmd_p', 'sample/swd', 'eval/fisher', 'sample/mode_weight_tv'].map((k) => formatMetric(latest, k))).toEqual(['0.07851 (ref 0.00213)', '0.004975', '0.3', '0.01', '']);
  });
  it('metric keys in numeric order', () => {
    expect(['eval/fisher@20', 'eval/fisher@4.472', 'eval/fisher@1', 'eval/fisher'].sort(compareMetricKeys)).toEqual(['eval/fisher', 'eval/fisher@1', 'eval/fisher@4.472', 'eval/fisher@20']);
  });
});

describe('CSV export', () => {
  const record = (over: Partial<ExportRecord>): ExportRecord => ({
    id: 1,
    sweep: 's',
    sweepId: 1,
    idx: 0,
    status: 'finished',
    seed: 0,
    configHash: 'h',
    config: { a: 'x,"y"' },
    params: {},
    metrics: {},
    error: null,
    startedAt: 0,
    endedAt: 1500,
    durationMs: 1500,
    ...over,
  });

  it('quotes fields with commas, quotes and line breaks (RFC 4180) and round-trips them', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(NaN)).toBe('NaN');
    expect(csvField(null)).toBe('');
  });

  it('one column per flattened param and per metric key (union over runs)', () => {
    const records = [
      record({ id: 1, params: { 'sampler.init': { kind: 'uniform', low: -8 } }, metrics: { 'sample/mmd': 0.5 }, error: 'line 1\nline, "2"' }),
      record({ id: 2, params: { 'sampler.init': { kind: 'gaussian', std: 2 } }, metrics: { 'eval/fisher': NaN } }),
    ];
    expect(flattenParams(records[0].params)).toEqual({ 'sampler.init.kind': 'uniform', 'sampler.init.low': -8 });
    const rows = parseCsv(exportCsv(records));
    expect(rows).toHaveLength(3);
    const [header, a, b] = rows;
    const col = (name: string) => header.indexOf(name);
    expect(header.filter((h) => h.startsWith('params.'))).toEqual(['params.sampler.init.kind', 'params.sampler.init.low', 'params.sampler.init.std']);
    expect([a[col('params.sampler.init.low')], b[col('params.sampler.init.low')], b[col('params.sampler.init.std')]]).toEqual(['-8', '', '2']);
    expect([a[col('eval/fisher')], b[col('eval/fisher')], a[col('sample/mmd')]]).toEqual(['', 'NaN', '0.5']);
    expect(a[col('error')]).toBe('line 1\nline, "2"');
    expect(JSON.parse(a[col('config')])).toEqual({ a: 'x,"y"' });
    expect(a[col('duration_s')]).toBe('1.5');
  });
});

describe('backend names', () => {
  it('the parent keeps the same list as @scorelab/core (which it must not import)', () => {
    expect([...BACKEND_NAMES]).toEqual([...BACKEND_ORDER]);
  });
});
