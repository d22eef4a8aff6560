// Sample metrics beside their noise floor (ref/<name>, sample/mmd_p): the floor of a metric, which
// runs are indistinguishable from data, and whether the best is distinguishable from the others.
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '@scorelab/tracking';
import { ablation, bestConfiguration, bestRun, configurationVerdict, floorOf, heatmap, marginals, runFromData, runVerdict } from '../src/analysis';
import { withFloorsBeside } from '../src/metric-names';
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
  it('gives the energies of ML training, the quadrature checks and the memorisation distance no direction', () => {
    for (const k of ['train/energy_pos', 'train/energy_neg', 'train/energy_gap', 'eval/log_z_error', 'eval/box_outer_mass', 'sample/nn_dist']) expect(metricDirection(k)).toBe('none');
    for (const k of ['eval/nll', 'eval/kl', 'eval/curl']) expect(metricDirection(k)).toBe('lower');
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

// experiments/quickstart.yaml as a new user runs it (issue 13, measured 2026-12-01): one seed, so every
// run drew the same reference samples (ref/mmd -4.32e-4 on all six) against the same data.
const QUICK_MMD = [0.2371, 0.0978, 0.1973, 0.08178, 0.2344, 0.07852];
const quickRuns = QUICK_MMD.map((v, i) =>
  run({ 'loss.kind': ['sm', 'ssm-vr', 'dsm'][i >> 1], 'sampler.stepSize': [0.02, 0.1][i & 1] }, { 'sample/mmd': v, 'ref/mmd': -4.32e-4, 'sample/mmd_p': 0.004975, 'sample/swd': 1.5 + i / 10, 'ref/swd': 0.4384 }),
);

describe('a floor from one reference draw (one seed)', () => {
  it('counts the runs of one seed as one draw and gives no scatter (not ±0)', () => {
    const swd = floorOf(quickRuns, 'sample/swd')!;
    expect(swd.n).toBe(6);
    expect(swd.draws).toBe(1);
    expect(swd.scatter).toBeNull(); // was (max - min) / 2 = 0 over six copies of one value
    expect(swd.upper).toBe(0.4384);
    const mmd = floorOf(quickRuns, 'sample/mmd')!;
    expect(mmd.draws).toBe(1);
    expect(mmd.scatter).toBeNull();
    expect(mmd.upper).toBeCloseTo(4.32e-4, 12);
    // Two seeds: two draws, a spread again.
    const two = [...quickRuns.slice(0, 2), run({ 'loss.kind': 'sm', 'sampler.stepSize': 0.02 }, { 'sample/swd': 1.7, 'ref/swd': 0.5384 }, 1)];
    expect(floorOf(two, 'sample/swd')).toMatchObject({ draws: 2, scatter: expect.closeTo(0.05, 12) });
  });

  it('crowns nothing when nothing bounds the noise: the quickstart ranks, ties and says why', () => {
    const v = configurationVerdict(quickRuns, 'sample/swd')!;
    expect(v.distinguishable).toBe(false); // was "distinguishable: more than the floor's scatter ±0"
    expect(v.reason).toContain('of unknown uncertainty');
    expect(v.reason).toContain('ref/swd rests on 1 reference draw');
    expect(v.ranking.every((c) => c.tied)).toBe(true);
    expect(configurationVerdict(quickRuns, 'sample/mmd')!.distinguishable).toBe(false);
    // Matched runs still decide a marginal: 0.1 beats 0.02 under every loss (3 pairs).
    const step = marginals(quickRuns, 'sample/mmd').find((m) => m.path === 'sampler.stepSize')!;
    expect(step.verdict?.distinguishable).toBe(true);
  });
});

describe('runVerdict (the "Best single run" line, the runs table and the sweeps list)', () => {
  it('does not crown the lowest sde-comparison run: within the floor scatter or indistinguishable from data', () => {
    const best = bestRun(sdeRuns, 'sample/mmd')!;
    expect(best.value).toBe(0.00137);
    const v = best.verdict!;
    expect(v).toEqual(runVerdict(sdeRuns, 'sample/mmd'));
    expect(v.distinguishable).toBe(false);
    expect(v.basis).toBe('floor');
    expect(v.fromData).toBe(true);
    expect(v.runs).toBe(9);
    // Tied: every run within ±0.0025 of 0.00137 or, like it, with mmd_p >= 0.05; not 0.0044 (p 0.02) and 0.0059 (p 0.01).
    const byId = new Map(sdeRuns.map((r) => [r.id, r.latest['sample/mmd']]));
    expect(v.tiedRunIds[0]).toBe(best.runId);
    expect(v.tiedRunIds.map((id) => byId.get(id))).toEqual([0.00137, 0.0015, 0.0016, 0.0018, 0.0021, 0.0024, 0.0031]);
    expect(v.runnerUp).toEqual({ runId: sdeRuns[7].id, value: 0.0015, tied: true });
  });

  it('crowns a run far beyond the runner-up and the floor, and only then', () => {
    const rs = [
      run({ a: 1 }, { 'sample/mmd': 0.08, 'ref/mmd': 0.0004, 'sample/mmd_p': 0.005 }, 0),
      run({ a: 2 }, { 'sample/mmd': 0.2, 'ref/mmd': -0.0003, 'sample/mmd_p': 0.005 }, 1),
      run({ a: 3 }, { 'sample/mmd': 0.0802, 'ref/mmd': -0.0003, 'sample/mmd_p': 0.005 }, 1),
    ];
    // 0.08 vs 0.0802: closer than the scatter 0.0004 -> tied, not crowned.
    const tied = bestRun(rs, 'sample/mmd')!.verdict!;
    expect(tied.distinguishable).toBe(false);
    expect(tied.tiedRunIds).toEqual([rs[0].id, rs[2].id]);
    const apart = bestRun(rs.slice(0, 2), 'sample/mmd')!.verdict!;
    expect(apart.distinguishable).toBe(true);
    expect(apart.reason).toMatch(/^distinguishable: ahead of the runner-up by 0\.12, more than the floor's scatter ±0\.0004/);
    expect(apart.tiedRunIds).toEqual([rs[0].id]);
  });

  it('ties every quickstart run with the lowest: one seed, one reference draw', () => {
    const v = bestRun(quickRuns, 'sample/mmd')!.verdict!;
    expect(v.distinguishable).toBe(false);
    expect(v.tiedRunIds).toHaveLength(6);
    expect(v.reason).toContain('add seeds');
  });
});

describe('withFloorsBeside (CSV columns)', () => {
  it('puts each ref/<name> (and sample/mmd_p) right after its sample metric', () => {
    expect(withFloorsBeside(['sample/mmd', 'sample/swd', 'eval/fisher', 'ref/mmd', 'ref/mode_weight/0', 'ref/swd', 'sample/mmd_p', 'sample/mode_weight/0'])).toEqual([
      'sample/mmd', 'ref/mmd', 'sample/mmd_p', 'sample/swd', 'ref/swd', 'eval/fisher', 'sample/mode_weight/0', 'ref/mode_weight/0',
    ]);
    expect(withFloorsBeside(['ref/mmd', 'eval/nll'])).toEqual(['ref/mmd', 'eval/nll']);
  });
});

describe('copies are one replicate, not a seed spread', () => {
  it('does not crown VE on eval/nll in sde-comparison: its three runs (one per sampler) computed one number', () => {
    // Measured 2026-12-01 (seed 0): eval/nll does not depend on the sampler, so each SDE's three runs agree exactly.
    const nll = { ve: 3.403097577571869, vp: 3.4034968843460085, subvp: 3.403502704143524 };
    const rs = SDES.flatMap((sde) => SAMPLERS.map((sampler) => run({ sde, sampler }, { 'eval/nll': nll[sde as keyof typeof nll] })));
    const ab = ablation(rs, 'sde', ['eval/nll']);
    expect(ab.best['eval/nll']).toBe('"ve"');
    const v = ab.verdicts['eval/nll']!;
    expect(v.distinguishable).toBe(false); // was "beyond the seed spread" with se = 0 from three copies
    expect(v.reason).toContain('unknown uncertainty');
    // Two real seeds that differ give the spread back.
    const seeded = SDES.flatMap((sde, i) => [0, 1].map((seed) => run({ sde }, { 'eval/nll': 3.4 + 0.01 * i + 0.001 * seed }, seed)));
    expect(ablation(seeded, 'sde', ['eval/nll']).verdicts['eval/nll']!.distinguishable).toBe(true);
  });
});
