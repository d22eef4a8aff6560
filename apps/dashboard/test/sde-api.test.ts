// The JSON API on a score-SDE sweep (sde-fixture.ts next to the noise-level fixture): eval/nll, perf/nfe
// and perf/nll_nfe are served with lower-is-better directions, eval/fisher@t=<t> keys are ordered by
// time, and the artifacts carry the time of the score field and the time labels of the trajectory.
// Expected values come from the store's own records, not from the fixture's constants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportRecord } from '@scorelab/tracking';
import { compareMetricKeys, defaultMetric, metricDirection } from '../src/metric-names';
import { getJson, serveFixture, type Served } from './helpers';
import { addSdeSweep } from './sde-fixture';

let s: Served;
let base: string;
let records: ExportRecord[];

beforeAll(async () => {
  s = await serveFixture(async (path) => {
    await addSdeSweep(path);
  });
  base = s.server.url;
  records = await s.server.store.exportRuns({ sweep: 'fixture-sde' });
});
afterAll(async () => {
  await s.close();
});

const TIME_KEYS = ['eval/fisher@t=1', 'eval/fisher@t=0.9', 'eval/fisher@t=0.8', 'eval/fisher@t=0.7', 'eval/fisher@t=0.6', 'eval/fisher@t=0.5', 'eval/fisher@t=0.4', 'eval/fisher@t=0.3', 'eval/fisher@t=0.2', 'eval/fisher@t=0.1'];

describe('metric names of score SDEs', () => {
  it('eval/nll, perf/nfe and perf/nll_nfe are lower-is-better; eval/nll ranks after the sample metrics', () => {
    for (const k of ['eval/nll', 'perf/nfe', 'perf/nll_nfe', 'eval/fisher@t=0.5']) expect(metricDirection(k), k).toBe('lower');
    expect(defaultMetric(['train/loss', 'eval/fisher', 'eval/nll'])).toBe('eval/nll');
    expect(defaultMetric(['eval/nll', 'sample/mmd'])).toBe('sample/mmd');
    // Time keys largest t first (noisiest first, like sigma keys), and the eps key last.
    const shuffled = ['eval/fisher@t=0.00001', ...TIME_KEYS].sort().reverse();
    expect(shuffled.sort(compareMetricKeys)).toEqual([...TIME_KEYS, 'eval/fisher@t=0.00001']);
  });
});

describe('an SDE sweep through the API', () => {
  it('lists the sweep with the SDE metric keys and lower-is-better directions', async () => {
    const { sweeps } = await getJson(base, '/api/sweeps');
    const sde = sweeps.find((x: { name: string }) => x.name === 'fixture-sde');
    expect(sde.counts.finished).toBe(4);
    expect(sde.parameters).toEqual(['sde', 'sampler']);
    expect(sde.metricKeys).toEqual(expect.arrayContaining(['eval/nll', 'perf/nfe', 'perf/nll_nfe', 'eval/fisher', ...TIME_KEYS]));
    const summary = await getJson(base, '/api/sweeps/fixture-sde');
    for (const k of ['eval/nll', 'perf/nfe', 'perf/nll_nfe', ...TIME_KEYS]) expect(summary.directions[k], k).toBe('lower');
  });

  it('picks the best run by eval/nll and by perf/nfe (the smallest final value)', async () => {
    for (const metric of ['eval/nll', 'perf/nfe']) {
      const summary = await getJson(base, `/api/sweeps/fixture-sde?metric=${encodeURIComponent(metric)}`);
      const values = records.map((r) => r.metrics[metric] as number);
      expect(summary.best.metric).toBe(metric);
      expect(summary.best.value).toBe(Math.min(...values));
      expect(summary.best.direction).toBe('lower');
    }
  });

  it('compares samplers side by side on eval/nll among the final metrics', async () => {
    const ab = await getJson(base, '/api/sweeps/fixture-sde/ablation?param=sampler');
    expect(ab.available).toBe(true);
    expect(ab.metrics).toEqual(['eval/fisher', 'eval/nll', 'sample/mmd', 'sample/mode_weight_tv']);
    expect(ab.directions['eval/nll']).toBe('lower');
    for (const g of ab.groups) {
      const members = records.filter((r) => g.runIds.includes(r.id));
      expect(members).toHaveLength(2); // one run per sde
      expect(members.every((r) => JSON.stringify(r.params.sampler) === JSON.stringify(g.value))).toBe(true);
      expect(g.metrics['eval/nll'].n).toBe(members.length);
      expect(g.metrics['eval/nll'].mean).toBeCloseTo(members.reduce((a, r) => a + (r.metrics['eval/nll'] as number), 0) / members.length, 12);
    }
  });

  it('serves a run: ordered keys, the eval/nll series, the score field at t = eps and time-labelled snapshots', async () => {
    for (const rec of records) {
      const d = await getJson(base, `/api/runs/${rec.id}`);
      const keys: string[] = d.metricKeys;
      expect(keys.slice(0, 5)).toEqual(['sample/mmd', 'sample/mode_weight_tv', 'eval/nll', 'eval/fisher', 'train/loss']);
      const eps = (rec.config as { sde: { eps: number } }).sde.eps;
      const timeKeys = keys.filter((k) => k.startsWith('eval/fisher@t='));
      expect(timeKeys).toEqual([...TIME_KEYS, `eval/fisher@t=${eps}`]);
      expect(d.directions['perf/nfe']).toBe('lower');
      expect(d.run.latest['perf/nfe']).toBe(rec.metrics['perf/nfe']);

      const series = await getJson(base, `/api/runs/${rec.id}/series?key=eval/nll`);
      expect(series.points).toEqual((await s.server.store.metricSeries(rec.id, 'eval/nll')).points);
      expect(series.points.map((p: { step: number }) => p.step)).toEqual([100, 200]);

      const field = (await getJson(base, `/api/runs/${rec.id}/artifacts/score-field`)).value;
      expect(field.sigma).toBeNull();
      expect(field.time).toBe(eps);
      const trajectory = (await getJson(base, `/api/runs/${rec.id}/artifacts/trajectory`)).value;
      expect(trajectory.labels[0]).toBe('t=1.00');
      expect(trajectory.labels).toHaveLength(trajectory.snapshots.length);
    }
  });

  it('leaves the noise-level sweep of the same store as it was', async () => {
    const summary = await getJson(base, `/api/sweeps/${s.fixture.sweepName}`);
    expect(summary.metricKeys).not.toContain('eval/nll');
    expect(summary.metric).toBe('sample/mmd');
  });
});
