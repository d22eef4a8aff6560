// Sample metrics beside their noise floor (ref/<name>, sample/mmd_p): the floor of a metric, which
// runs are indistinguishable from data, and whether the best is distinguishable from the others.
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '@scorelab/tracking';
import { ablation, bestConfiguration, bestRun, configurationVerdict, floorOf, heatmap, marginals, runFromData } from '../src/analysis';
import { defaultMetric, metricDirection } from '../src/metric-names';

let nextId = 1;
function run(params: Record<string, unknown>, latest: Record<string, number>, seed = 0): RunSummary {
  const id = nextId++;
  return {
    id, sweepId: 1, idx: id, status: 'finished', params, config: {}, configHash: `h${id}`, trainingHash: null, modelId: null, engine: null, seed,
    backend: 'wasm', versions: null, gitCommit: null, host: null, pid: null, attempt: 1, createdAt: 0, startedAt: 0, endedAt: 1000, heartbeatAt: null,
    error: null, errorStep: null, currentStep: null, totalSteps: null, sweepName: 's', latest, durationMs: 1000,
  };
}

// experiments/sde-comparison.yaml as issue 13 saw it: one seed, 9 runs between 0.0014 and 0.0059,
// fresh data against fresh data scattering by about ±0.0025 at n = 1000.
const SDES = ['ve', 'vp', 'subvp'];
const SAMPLERS = ['euler-maruyama', 'pc', 'ode'];
const MMD = [0.0021, 0.00137, 0.0059, 0.0018, 0.0016, 0.0031, 0.0024, 0.0015, 0.0044];
const REF = [0.0011, -0.0025, 0.0004, -0.0009, 0.0019, -0.0013, 0.0002, 0.0024, -0.0006];
const P = [0.21, 0.31, 0.01, 0.12, 0.18, 0.04, 0.09, 0.26, 0.02];
const sdeRuns = SDES.flatMap((sde, i) =>
  SAMPLERS.map((sampler, j) => {
    const k = 3 * i + j;
    return run({ sde, sampler }, { 'sample/mmd': MMD[k], 'ref/mmd': REF[k], 'sample/mmd_p': P[k], 'eval/nll': 3.4 });
  }),
);

describe('metric directions of the floors', () => {
  it('gives ref/* and sample/mmd_p no direction, so they never crown a run', () => {
    for (const k of ['ref/mmd', 'ref/swd', 'ref/mode_weight_tv', 'ref/mode_weight/0', 'sample/mmd_p']) expect(metricDirection(k)).toBe('none');
    expect(bestRun(sdeRuns, 'ref/mmd')).toBeNull();
    expect(bestConfiguration(sdeRuns, 'sample/mmd_p')).toBeNull();
    expect(defaultMetric(['ref/mmd', 'sample/mmd_p'])).toBeNull();
  });
});

describe('floorOf', () => {
  it('is ref/<name> over the finished runs; MMD^2 scatters by its largest |ref|', () => {
    const f = floorOf(sdeRuns, 'sample/mmd')!;
    expect(f.key).toBe('ref/mmd');
    expect(f.n).toBe(9);
    expect(f.scatter).toBeCloseTo(0.0025, 12);
    expect(f.upper).toBeCloseTo(0.0025, 12);
    expect(floorOf(sdeRuns, 'eval/nll')).toBeNull();
    expect(floorOf(sdeRuns, 'sample/mmd_p')).toBeNull();
  });
  it('uses half the range of a biased floor (ref/swd) and the value above it', () => {
    const rs = [run({ a: 1 }, { 'sample/swd': 0.9, 'ref/swd': 0.4 }), run({ a: 2 }, { 'sample/swd': 0.45, 'ref/swd': 0.5 })];
    const f = floorOf(rs, 'sample/swd')!;
    expect(f.scatter).toBeCloseTo(0.05, 12);
    expect(f.upper).toBeCloseTo(0.5, 12);
    expect(runFromData(rs[0], 'sample/swd', f)).toBe(false);
    expect(runFromData(rs[1], 'sample/swd', f)).toBe(true);
  });
});

describe('configurationVerdict (the "Which did best?" line)', () => {
  it('does not crown pc on VE in the sde-comparison sweep: the gap is below the floor scatter', () => {
    const best = bestConfiguration(sdeRuns, 'sample/mmd')!;
    expect(best.mean).toBe(0.00137);
    const v = configurationVerdict(sdeRuns, 'sample/mmd')!;
    expect(v.distinguishable).toBe(false);
    expect(v.basis).toBe('floor');
    expect(v.reason).toMatch(/^not distinguishable/);
    expect(v.fromData).toBe(true); // its mmd_p = 0.31
    expect(v.ranking[0].label).toBe('sde = ve, sampler = pc');
    expect(v.ranking.map((c) => c.mean)).toEqual([...MMD].sort((a, b) => a - b));
    // Within ±0.0025 of 0.00137 (or indistinguishable from data like it): all but 0.0044 and 0.0059.
    expect(v.ranking.filter((c) => c.tied).map((c) => c.mean)).toEqual([0.00137, 0.0015, 0.0016, 0.0018, 0.0021, 0.0024, 0.0031]);
  });

  it('says so when every run is indistinguishable from data (mmd_p >= 0.05)', () => {
    const rs = [run({ a: 1 }, { 'sample/mmd': 0.001, 'sample/mmd_p': 0.4 }), run({ a: 2 }, { 'sample/mmd': 0.02, 'sample/mmd_p': 0.06 })];
    const v = configurationVerdict(rs, 'sample/mmd')!;
    expect(v.distinguishable).toBe(false);
    expect(v.reason).toContain('every one is indistinguishable from data');
  });

  it('crowns a best that is far beyond the floor and the runner-up (one seed)', () => {
    const rs = [
      run({ a: 1 }, { 'sample/mmd': 0.08, 'ref/mmd': 0.0004, 'sample/mmd_p': 0.005 }),
      run({ a: 2 }, { 'sample/mmd': 0.2, 'ref/mmd': -0.0003, 'sample/mmd_p': 0.005 }),
    ];
    const v = configurationVerdict(rs, 'sample/mmd')!;
    expect(v.distinguishable).toBe(true);
    expect(v.fromData).toBe(false);
    expect(v.ranking.map((c) => c.tied)).toEqual([true, false]);
  });

  it('uses the seed spread (mean ± 2 se) with several seeds', () => {
    const overlap = [run({ a: 1 }, { 'eval/fisher': 1.0 }, 0), run({ a: 1 }, { 'eval/fisher': 1.4 }, 1), run({ a: 2 }, { 'eval/fisher': 1.3 }, 0), run({ a: 2 }, { 'eval/fisher': 1.5 }, 1)];
    const v = configurationVerdict(overlap, 'eval/fisher')!;
    expect(v.basis).toBe('seeds');
    expect(v.distinguishable).toBe(false);
    const apart = [run({ a: 1 }, { 'eval/fisher': 1.0 }, 0), run({ a: 1 }, { 'eval/fisher': 1.01 }, 1), run({ a: 2 }, { 'eval/fisher': 2.0 }, 0), run({ a: 2 }, { 'eval/fisher': 2.02 }, 1)];
    expect(configurationVerdict(apart, 'eval/fisher')!.distinguishable).toBe(true);
  });
});

describe('heatmap, marginals and ablation carry the floor and the verdict', () => {
  it('marks the heatmap cells tied with the star and those indistinguishable from data', () => {
    const hm = heatmap(sdeRuns, 'sample/mmd', 'sampler', 'sde');
    expect(hm.best).toEqual({ row: 0, col: 1 });
    expect(hm.floor?.key).toBe('ref/mmd');
    expect(hm.verdict?.distinguishable).toBe(false);
    expect(hm.cells[0][1].tied).toBe(true);
    expect(hm.cells[0][1].fromData).toBe(true);
    expect(hm.cells[0][2].tied).toBe(false); // 0.0059
    expect(hm.cells[0][2].fromData).toBe(false);
  });
  it('gives each marginal and ablation metric a verdict', () => {
    const m = marginals(sdeRuns, 'sample/mmd').find((x) => x.path === 'sampler')!;
    expect(m.verdict?.distinguishable).toBe(false);
    const ab = ablation(sdeRuns, 'sampler', ['sample/mmd', 'eval/nll']);
    expect(ab.floors['sample/mmd']?.scatter).toBeCloseTo(0.0025, 12);
    expect(ab.floors['eval/nll']).toBeNull();
    expect(ab.verdicts['sample/mmd']?.distinguishable).toBe(false);
  });
});
