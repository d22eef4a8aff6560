// The aggregations behind the sweep page, on hand-made runs whose answers are computed by hand.
import { describe, expect, it } from 'vitest';
import type { RunStatus, RunSummary, SeriesPoint } from '@scorelab/tracking';
import {
  ablation,
  aggregateSeries,
  bestConfiguration,
  bestRun,
  compareRuns,
  configDiff,
  heatmap,
  marginals,
  stats,
  sweptParameters,
  unsweptDifferences,
} from '../src/analysis';
import { csvField, runsCsv } from '../src/csv';
import { compareMetricKeys, defaultMetric, metricDirection } from '../src/metric-names';

let nextId = 1;
function run(p: { params: Record<string, unknown>; seed?: number; status?: RunStatus; latest?: Record<string, number>; idx?: number; config?: Record<string, unknown> }): RunSummary {
  const id = nextId++;
  return {
    id,
    sweepId: 1,
    idx: p.idx ?? id,
    status: p.status ?? 'finished',
    params: p.params,
    config: p.config ?? {},
    configHash: `h${id}`,
    trainingHash: null,
    modelId: null,
    engine: null,
    seed: p.seed ?? 0,
    backend: 'wasm',
    versions: null,
    gitCommit: null,
    host: null,
    pid: null,
    attempt: 1,
    createdAt: 0,
    startedAt: 0,
    endedAt: 1000,
    heartbeatAt: null,
    error: null,
    errorStep: null,
    currentStep: null,
    totalSteps: null,
    sweepName: 's',
    latest: p.latest ?? {},
    durationMs: 1000,
  };
}

describe('stats', () => {
  it('averages finite values and counts the others', () => {
    expect(stats([1, 2, NaN, 6, Infinity])).toEqual({ mean: 3, min: 1, max: 6, n: 3, nonfinite: 2 });
    expect(stats([NaN])).toEqual({ mean: null, min: null, max: null, n: 0, nonfinite: 1 });
  });
});

describe('metric names', () => {
  it('knows which way is better', () => {
    expect(metricDirection('sample/mmd')).toBe('lower');
    expect(metricDirection('eval/fisher@1.39')).toBe('lower');
    expect(metricDirection('perf/steps_per_sec')).toBe('higher');
    expect(metricDirection('sample/mode_weight/0')).toBe('none');
    expect(metricDirection('sample/mode_weight_tv')).toBe('lower');
  });
  it('defaults to a sample metric and orders fisher levels by sigma, largest first', () => {
    expect(defaultMetric(['train/loss', 'eval/fisher', 'sample/swd'])).toBe('sample/swd');
    expect(defaultMetric(['sample/mode_weight/0'])).toBeNull();
    expect(['eval/fisher@1', 'eval/fisher@20', 'eval/fisher@2.71', 'train/loss'].sort(compareMetricKeys)).toEqual([
      'train/loss',
      'eval/fisher@20',
      'eval/fisher@2.71',
      'eval/fisher@1',
    ]);
  });
});

// A 3 x 2 grid with 2 seeds: mmd = base(loss) * factor(step) + seed offset.
function grid(): RunSummary[] {
  const base: Record<string, number> = { sm: 3, 'ssm-vr': 2, dsm: 1 };
  const factor: Record<string, number> = { '0.02': 2, '0.1': 1 };
  const runs: RunSummary[] = [];
  let idx = 0;
  for (const loss of ['sm', 'ssm-vr', 'dsm']) {
    for (const step of [0.1, 0.02]) {
      for (const seed of [0, 1]) {
        runs.push(run({ idx: idx++, params: { 'loss.kind': loss, 'sampler.stepSize': step }, seed, latest: { 'sample/mmd': base[loss] * factor[String(step)] + seed * 0.1, 'perf/steps_per_sec': 100 * base[loss] } }));
      }
    }
  }
  return runs;
}

describe('swept parameters', () => {
  it('sorts numbers, keeps strings in expansion order, keys arrays by JSON', () => {
    const runs = grid();
    const params = sweptParameters(runs);
    expect(params.map((p) => p.path)).toEqual(['loss.kind', 'sampler.stepSize']);
    expect(params[0].values.map((v) => v.label)).toEqual(['sm', 'ssm-vr', 'dsm']);
    expect(params[1].values.map((v) => v.value)).toEqual([0.02, 0.1]);
    const arr = sweptParameters([run({ params: { 'model.hidden': [64, 64] } }), run({ params: { 'model.hidden': [32] } }), run({ params: { 'model.hidden': [64, 64] } })]);
    expect(arr[0].values.map((v) => v.label)).toEqual(['[64,64]', '[32]']);
  });
});

describe('best run and best configuration', () => {
  it('picks the finished run with the lowest value, ignoring running and NaN runs', () => {
    const runs = grid();
    runs.push(run({ params: { 'loss.kind': 'dsm', 'sampler.stepSize': 0.1 }, status: 'running', latest: { 'sample/mmd': 0.001 } }));
    runs.push(run({ params: { 'loss.kind': 'dsm', 'sampler.stepSize': 0.1 }, seed: 2, latest: { 'sample/mmd': NaN } }));
    const best = bestRun(runs, 'sample/mmd')!;
    expect(best.value).toBe(1); // dsm, 0.1, seed 0: 1 * 1 + 0
    expect(best.params).toEqual({ 'loss.kind': 'dsm', 'sampler.stepSize': 0.1 });
    expect(best.seed).toBe(0);
    expect(bestRun(runs, 'perf/steps_per_sec')!.value).toBe(300);
    expect(bestRun(runs, 'sample/mode_weight/0')).toBeNull();
  });

  it('averages over seeds and excludes a configuration with a diverged run', () => {
    const runs = grid();
    let cfg = bestConfiguration(runs, 'sample/mmd')!;
    expect(cfg.params).toEqual({ 'loss.kind': 'dsm', 'sampler.stepSize': 0.1 });
    expect(cfg.mean).toBeCloseTo(1.05, 12); // (1 + 1.1) / 2
    expect(cfg.n).toBe(2);
    // A third dsm/0.1 seed diverged: that configuration is no longer eligible, the next best is ssm-vr/0.1 (2.05)
    // and dsm/0.02 (2.05): ties go to the first in the sweep's order.
    runs.push(run({ params: { 'loss.kind': 'dsm', 'sampler.stepSize': 0.1 }, seed: 2, latest: { 'sample/mmd': NaN } }));
    cfg = bestConfiguration(runs, 'sample/mmd')!;
    expect(cfg.mean).toBeCloseTo(2.05, 12);
    expect(cfg.params['loss.kind']).toBe('ssm-vr');
  });
});

describe('heatmap', () => {
  it('averages each cell over seeds and marks the best cell', () => {
    const runs = grid();
    runs.push(run({ params: { 'loss.kind': 'sm', 'sampler.stepSize': 0.02 }, status: 'failed', latest: { 'sample/mmd': 0.0001 } }));
    const hm = heatmap(runs, 'sample/mmd', 'sampler.stepSize', 'loss.kind');
    expect(hm.y!.values.map((v) => v.label)).toEqual(['sm', 'ssm-vr', 'dsm']);
    expect(hm.x.values.map((v) => v.value)).toEqual([0.02, 0.1]);
    // Row sm, column 0.02: seeds 6 and 6.1; the failed run is counted aside, not averaged.
    expect(hm.cells[0][0].mean).toBeCloseTo(6.05, 12);
    expect(hm.cells[0][0].notFinished).toEqual({ failed: 1 });
    expect(hm.cells[2][1].mean).toBeCloseTo(1.05, 12);
    expect(hm.best).toEqual({ row: 2, col: 1 });
    expect(hm.pooled).toEqual([]);
    const single = heatmap(runs, 'sample/mmd', 'loss.kind', null);
    expect(single.cells).toHaveLength(1);
    // sm pooled over both step sizes and seeds: (6 + 6.1 + 3 + 3.1) / 4
    expect(single.cells[0][0].mean).toBeCloseTo(4.55, 12);
    expect(single.pooled).toEqual(['sampler.stepSize']);
    expect(() => heatmap(runs, 'sample/mmd', 'nope', null)).toThrow(RangeError);
  });

  it('uses the larger mean when higher is better', () => {
    const hm = heatmap(grid(), 'perf/steps_per_sec', 'sampler.stepSize', 'loss.kind');
    expect(hm.best!.row).toBe(0); // sm has steps_per_sec 300 in this made-up grid
  });
});

describe('marginals and ablation', () => {
  it('averages each parameter value over everything else', () => {
    const m = marginals(grid(), 'sample/mmd');
    const loss = m.find((x) => x.path === 'loss.kind')!;
    // dsm: (2 + 2.1 + 1 + 1.1) / 4
    expect(loss.values.find((v) => v.label === 'dsm')!.mean).toBeCloseTo(1.55, 12);
    expect(loss.best).toBe('"dsm"');
    expect(m.find((x) => x.path === 'sampler.stepSize')!.best).toBe('0.1');
  });

  it('groups by loss.kind and converts throughput per run to ms per step', () => {
    const runs = [
      run({ params: { 'loss.kind': 'sm' }, latest: { 'sample/mmd': 1, 'perf/steps_per_sec': 100 } }),
      run({ params: { 'loss.kind': 'sm' }, seed: 1, latest: { 'sample/mmd': 3, 'perf/steps_per_sec': 400 } }),
      run({ params: { 'loss.kind': 'dsm' }, latest: { 'sample/mmd': 0.5, 'perf/steps_per_sec': 500 } }),
    ];
    const ab = ablation(runs, 'loss.kind', ['sample/mmd']);
    const sm = ab.groups.find((g) => g.label === 'sm')!;
    // The mean of 1000 / sps per run (10 and 2.5 ms), not 1000 / mean(sps) = 4 ms.
    expect(sm.msPerStep.mean).toBeCloseTo(6.25, 12);
    expect(sm.msPerStep.min).toBeCloseTo(2.5, 12);
    expect(sm.metrics['sample/mmd']).toMatchObject({ mean: 2, min: 1, max: 3, n: 2 });
    expect(sm.metrics['sample/mmd'].points.map((p) => p.seed)).toEqual([0, 1]);
    expect(ab.best['sample/mmd']).toBe('"dsm"');
    expect(ab.best.msPerStep).toBe('"dsm"');
  });
});

describe('aggregateSeries', () => {
  const s = (pairs: [number, number][]): SeriesPoint[] => pairs.map(([step, value]) => ({ step, value, wallTime: 0 }));

  it('gives mean, min and max at each step over the runs that logged it', () => {
    const out = aggregateSeries([s([[0, 1], [10, 3], [20, NaN]]), s([[0, 3], [10, 5], [20, 4]]), s([[0, 2]])], 100);
    expect(out.downsampled).toBe(false);
    expect(out.points).toEqual([
      { step: 0, mean: 2, min: 1, max: 3, n: 3, nonfinite: 0 },
      { step: 10, mean: 4, min: 3, max: 5, n: 2, nonfinite: 0 },
      { step: 20, mean: 4, min: 4, max: 4, n: 1, nonfinite: 1 },
    ]);
  });

  it('downsamples long aggregates, keeping the ends', () => {
    const long = Array.from({ length: 1000 }, (_, i): [number, number] => [i, Math.sin(i / 30)]);
    const out = aggregateSeries([s(long), s(long.map(([i, v]) => [i, v + 1]))], 50);
    expect(out.downsampled).toBe(true);
    expect(out.total).toBe(1000);
    expect(out.points.length).toBe(50);
    expect(out.points[0].step).toBe(0);
    expect(out.points[49].step).toBe(999);
    for (const p of out.points) expect(p.mean).toBeCloseTo(Math.sin(p.step / 30) + 0.5, 12);
  });
});

describe('configDiff', () => {
  it('lists differing leaves by dotted path, arrays as leaves', () => {
    const a = { loss: { kind: 'dsm', weighting: 'sigma2' }, model: { hidden: [64, 64] }, sampler: { stepSize: 0.1 } };
    const b = { loss: { kind: 'sm' }, model: { hidden: [64, 64] }, sampler: { stepSize: 0.02, denoise: true } };
    expect(configDiff(a, b)).toEqual([
      { path: 'loss.kind', a: 'dsm', b: 'sm' },
      { path: 'loss.weighting', a: 'sigma2', b: null },
      { path: 'sampler.denoise', a: null, b: true },
      { path: 'sampler.stepSize', a: 0.1, b: 0.02 },
    ]);
    expect(configDiff(a, structuredClone(a))).toEqual([]);
  });
});

describe('unswept config differences (a sweep resumed after its file was edited)', () => {
  const cfg = (loss: string, lr: number, extra: Record<string, unknown> = {}) => ({
    loss: { kind: loss, ...(loss === 'dsm' ? { weighting: 'sigma2' } : {}) },
    train: { lr, steps: 100 },
    ...extra,
  });

  it('lists the paths where runs with equal params differ, not those that follow a swept value, nor seeds', () => {
    const runs = [
      run({ idx: 0, params: { 'loss.kind': 'dsm' }, config: cfg('dsm', 0.001, { seed: 0 }), seed: 0 }),
      run({ idx: 1, params: { 'loss.kind': 'dsm' }, config: cfg('dsm', 0.001, { seed: 1 }), seed: 1 }),
      run({ idx: 2, params: { 'loss.kind': 'sm' }, config: cfg('sm', 0.001, { seed: 0 }), seed: 0 }),
      // the file was edited (train.lr), then --resume added these beside the old runs
      run({ idx: 3, params: { 'loss.kind': 'dsm' }, config: cfg('dsm', 0.002, { seed: 0 }), seed: 0 }),
      run({ idx: 4, params: { 'loss.kind': 'sm' }, config: cfg('sm', 0.002, { seed: 0, sampler: { denoise: true } }), seed: 0 }),
    ];
    // loss.weighting differs too, but only with the swept loss.kind; seed differs between seeds.
    expect(unsweptDifferences(runs)).toEqual(['sampler.denoise', 'train.lr']);
    const compared = compareRuns(runs);
    expect(compared.map((r) => r.params)).toEqual([
      { 'loss.kind': 'dsm', 'sampler.denoise': null, 'train.lr': 0.001 },
      { 'loss.kind': 'dsm', 'sampler.denoise': null, 'train.lr': 0.001 },
      { 'loss.kind': 'sm', 'sampler.denoise': null, 'train.lr': 0.001 },
      { 'loss.kind': 'dsm', 'sampler.denoise': null, 'train.lr': 0.002 },
      { 'loss.kind': 'sm', 'sampler.denoise': true, 'train.lr': 0.002 },
    ]);
    expect(compared[3].sweptParams).toEqual({ 'loss.kind': 'dsm' });
    expect(sweptParameters(compared).map((p) => [p.path, p.swept, p.values.map((v) => v.value)])).toEqual([
      ['loss.kind', true, ['dsm', 'sm']],
      ['sampler.denoise', false, [null, true]],
      ['train.lr', false, [0.001, 0.002]],
    ]);
  });

  it('keeps a swept section whole: its leaves are the swept value, not differences', () => {
    const runs = [0, 1].flatMap((seed) =>
      ['ve', 'vp'].map((kind) => run({ seed, params: { sde: { kind } }, config: { sde: { kind, eps: kind === 've' ? 1e-5 : 1e-3 }, train: { lr: 0.001 } } })),
    );
    expect(unsweptDifferences(runs)).toEqual([]);
    expect(compareRuns(runs).map((r) => r.params)).toEqual(runs.map((r) => r.params));
  });

  it('no longer pools lr 0.001 and 0.002 as one configuration or one heatmap cell', () => {
    const runs = [0.001, 0.002].flatMap((lr, i) =>
      ['dsm', 'sm'].flatMap((loss) => [0, 1].map((seed) => run({ params: { 'loss.kind': loss }, seed, config: cfg(loss, lr), latest: { 'sample/mmd': (loss === 'dsm' ? 1 : 2) + i * 10 + seed } }))),
    );
    const before = bestConfiguration(runs, 'sample/mmd')!;
    expect(before.runIds).toHaveLength(4); // what the stored params alone give: both lrs pooled
    const compared = compareRuns(runs);
    const best = bestConfiguration(compared, 'sample/mmd')!;
    expect(best.params).toEqual({ 'loss.kind': 'dsm', 'train.lr': 0.001 });
    expect(best.mean).toBe(1.5);
    const hm = heatmap(compared, 'sample/mmd', 'train.lr', 'loss.kind');
    expect(hm.cells.map((row) => row.map((c) => c.mean))).toEqual([
      [1.5, 11.5],
      [2.5, 12.5],
    ]);
    expect(ablation(compared, 'loss.kind', ['sample/mmd']).pooled).toEqual(['train.lr']);
  });
});

describe('CSV', () => {
  it('quotes, defuses formulas and keeps non-finite numbers', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(NaN)).toBe('NaN');
    expect(csvField(null)).toBe('');
    const r = run({ params: { 'loss.kind': 'dsm' }, latest: { 'sample/mmd': 0.25 } });
    r.error = 'Error: boom\n    at x';
    const text = runsCsv([r], ['loss.kind'], ['sample/mmd']);
    expect(text).toBe(`run_id,idx,status,loss.kind,seed,duration_s,sample/mmd,error\r\n${r.id},${r.idx},finished,dsm,0,1,0.25,Error: boom\r\n`);
  });
});
