// The JSON API against a store filled like the runner fills one (fixture-store.ts). Expected values
// are computed here from the store's own records (exportRuns, metricSeries, getArtifact), not copied
// from the fixture, so the same tests hold for a real sweep.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@scorelab/tracking';
import type { ExportRecord } from '@scorelab/tracking';
import { getJson, rawGet, serveFixture } from './helpers';
import type { Served } from './helpers';

let s: Served;
let base: string;
let records: ExportRecord[];

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const key = (params: Record<string, unknown>) => JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)));

beforeAll(async () => {
  s = await serveFixture();
  base = s.server.url;
  records = await s.server.store.exportRuns({ sweep: s.fixture.sweepId });
});
afterAll(async () => {
  await s.close();
});

describe('sweeps', () => {
  it('answers health and opens the store read-only', async () => {
    expect(await getJson(base, '/api/health')).toEqual({
      ok: true,
      readonly: true,
      reason: null,
      store: { state: 'open', path: s.fixture.path, reason: null, openedAt: expect.any(Number), reopened: 0 },
    });
  });

  it('lists sweeps with run counts and the best run by the chosen metric', async () => {
    const { sweeps } = await getJson(base, '/api/sweeps');
    expect(sweeps).toHaveLength(1);
    const sw = sweeps[0];
    expect(sw.name).toBe(s.fixture.sweepName);
    expect(sw.counts.total).toBe(records.length);
    for (const status of ['finished', 'failed', 'running', 'queued', 'killed']) {
      expect(sw.counts[status]).toBe(records.filter((r) => r.status === status).length);
    }
    expect(sw.metric).toBe('sample/mmd');
    for (const metric of ['sample/mmd', 'eval/fisher', 'sample/swd']) {
      const { sweeps: byMetric } = await getJson(base, `/api/sweeps?metric=${encodeURIComponent(metric)}`);
      const finished = records.filter((r) => r.status === 'finished' && Number.isFinite(r.metrics[metric]));
      const expected = finished.reduce((a, b) => (b.metrics[metric] < a.metrics[metric] ? b : a));
      expect(byMetric[0].best.runId).toBe(expected.id);
      expect(byMetric[0].best.value).toBe(expected.metrics[metric]);
      expect(byMetric[0].direction).toBe('lower');
    }
  });

  it('summarises one sweep (by id or by name): parameters, seeds, keys, best configuration, failures', async () => {
    const byId = await getJson(base, `/api/sweeps/${s.fixture.sweepId}`);
    const byName = await getJson(base, `/api/sweeps/${s.fixture.sweepName}`);
    expect(byName).toEqual(byId);
    expect(byId.parameters.map((p: any) => p.path)).toEqual(['loss.kind', 'sampler.stepSize']);
    expect(byId.parameters[0].values.map((v: any) => v.value)).toEqual(['sm', 'ssm-vr', 'dsm']);
    expect(byId.parameters[1].values.map((v: any) => v.value)).toEqual([0.02, 0.1]);
    expect(byId.seeds).toEqual([...new Set(records.map((r) => r.seed))].sort((a, b) => a - b));
    for (const k of ['train/loss', 'train/grad_norm', 'perf/steps_per_sec', 'perf/sample_seconds', 'eval/fisher', 'sample/mmd', 'sample/swd', 'sample/mode_weight_tv', 'sample/mode_weight/0']) {
      expect(byId.metricKeys).toContain(k);
    }
    expect(byId.metricKeys.some((k: string) => k.startsWith('eval/fisher@'))).toBe(true);
    expect(byId.directions['perf/steps_per_sec']).toBe('higher');
    expect(byId.directions['sample/mode_weight/0']).toBe('none');

    // Best configuration: mean over seeds of finished runs, configurations with a diverged run excluded.
    const groups = new Map<string, ExportRecord[]>();
    for (const r of records.filter((x) => x.status === 'finished')) groups.set(key(r.params), [...(groups.get(key(r.params)) ?? []), r]);
    let best: { params: Record<string, unknown>; mean: number } | null = null;
    for (const g of groups.values()) {
      const vals = g.map((r) => r.metrics['sample/mmd']);
      if (vals.some((v) => !Number.isFinite(v))) continue;
      if (!best || mean(vals) < best.mean) best = { params: g[0].params, mean: mean(vals) };
    }
    expect(byId.bestConfiguration.params).toEqual(best!.params);
    expect(byId.bestConfiguration.mean).toBeCloseTo(best!.mean, 12);

    const failed = records.filter((r) => r.status === 'failed');
    expect(byId.failedRuns.map((r: any) => r.id)).toEqual(failed.map((r) => r.id));
    for (const [i, r] of failed.entries()) expect(byId.failedRuns[i].error).toBe(r.error!.split('\n')[0]);
    expect(byId.sweep.live).toBe(false);
  });

  it('lists runs with their final metrics; NaN and Infinity travel as strings', async () => {
    const res = await fetch(`${base}/api/sweeps/${s.fixture.sweepId}/runs`);
    const { runs } = (await res.json()) as { runs: any[] };
    expect(runs.map((r) => r.id)).toEqual(records.map((r) => r.id));
    for (const [i, r] of records.entries()) {
      expect(runs[i].params).toEqual(r.params);
      expect(runs[i].status).toBe(r.status);
      // The fixture records no models (models.test.ts has runs that share one).
      expect([runs[i].model, runs[i].sharedWith]).toEqual([null, []]);
      for (const [k, v] of Object.entries(r.metrics)) expect(runs[i].latest[k]).toEqual(Number.isFinite(v) ? v : String(v));
    }
  });

  it('downloads the runs as CSV, optionally only some', async () => {
    const res = await fetch(`${base}/api/sweeps/${s.fixture.sweepId}/runs.csv`);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain(`${s.fixture.sweepName}-runs.csv`);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(records.length + 1);
    const header = lines[0].split(',');
    expect(header.slice(0, 6)).toEqual(['run_id', 'idx', 'status', 'loss.kind', 'sampler.stepSize', 'seed']);
    const mmdCol = header.indexOf('sample/mmd');
    const first = lines[1].split(',');
    expect(Number(first[0])).toBe(records[0].id);
    expect(Number(first[mmdCol])).toBe(records[0].metrics['sample/mmd']);
    const some = await fetch(`${base}/api/sweeps/${s.fixture.sweepId}/runs.csv?ids=${records[1].id},${records[3].id}`);
    expect((await some.text()).trimEnd().split('\r\n')).toHaveLength(3);
    // Next to every sample metric, what true samples score (issue 13): ref/<name> right after it.
    expect(header.slice(mmdCol, mmdCol + 3)).toEqual(['sample/mmd', 'ref/mmd', 'sample/mmd_p']);
    const floored = header.filter((k) => k.startsWith('sample/') && header.includes(`ref/${k.slice('sample/'.length)}`));
    expect(floored).toEqual(expect.arrayContaining(['sample/mmd', 'sample/swd', 'sample/mode_weight_tv']));
    for (const k of floored) expect(header[header.indexOf(k) + 1]).toBe(`ref/${k.slice('sample/'.length)}`);
    expect(Number(first[mmdCol + 1])).toBe(records[0].metrics['ref/mmd']);
  });

  it('gives the best run a verdict by the floor, in the sweep summary and the sweeps list (issue 13)', async () => {
    const summary = await getJson(base, `/api/sweeps/${s.fixture.sweepId}`);
    const { sweeps } = await getJson(base, '/api/sweeps');
    expect(sweeps[0].best).toEqual(summary.best);
    expect(sweeps[0].floor).toEqual(summary.floor);
    // The floor from the store's own records: ref/mmd of the finished runs, one draw per (seed, value).
    const finished = records.filter((r) => r.status === 'finished' && r.metrics['ref/mmd'] !== undefined);
    const refs = finished.map((r) => r.metrics['ref/mmd']);
    expect(summary.floor.draws).toBe(new Set(finished.map((r) => `${r.seed}:${r.metrics['ref/mmd']}`)).size);
    expect(summary.floor.scatter).toBe(Math.max(...refs.map(Math.abs)));
    // One value per run: a run is tied with the best when closer than the floor's scatter, or both
    // have sample/mmd_p >= 0.05 (or lie within the floor).
    const v = summary.best.verdict;
    const best = records.find((r) => r.id === summary.best.runId)!;
    const fromData = (r: ExportRecord) => r.metrics['sample/mmd_p'] >= 0.05 || r.metrics['sample/mmd'] <= summary.floor.upper;
    const tied = records
      .filter((r) => r.status === 'finished' && Number.isFinite(r.metrics['sample/mmd']))
      .filter((r) => r.id === best.id || (fromData(r) && fromData(best)) || Math.abs(r.metrics['sample/mmd'] - best.metrics['sample/mmd']) < summary.floor.scatter)
      .sort((a, b) => a.metrics['sample/mmd'] - b.metrics['sample/mmd'] || a.idx - b.idx);
    expect(v.tiedRunIds).toEqual(tied.map((r) => r.id));
    expect(v.distinguishable).toBe(tied.length === 1 && !fromData(best));
    expect(v.runs).toBe(records.filter((r) => r.status === 'finished' && Number.isFinite(r.metrics['sample/mmd'])).length);
    // A metric without a floor (eval/fisher) is judged by the same rule with no scatter: nothing bounds one run's noise.
    const byFisher = await getJson(base, `/api/sweeps/${s.fixture.sweepId}?metric=eval/fisher`);
    expect(byFisher.floor).toBeNull();
    expect(byFisher.best.verdict.distinguishable).toBe(false);
    expect(byFisher.best.verdict.reason).toContain('unknown uncertainty');
  });
});

describe('heatmap and ablation', () => {
  it('averages the final metric over seeds in each (loss.kind, sampler.stepSize) cell and marks the best', async () => {
    const hm = await getJson(base, `/api/sweeps/${s.fixture.sweepId}/heatmap?metric=sample/swd`);
    expect(hm.y.path).toBe('loss.kind');
    expect(hm.x.path).toBe('sampler.stepSize');
    let bestMean = Infinity;
    let bestAt: { row: number; col: number } | null = null;
    hm.y.values.forEach((yv: any, row: number) => {
      hm.x.values.forEach((xv: any, col: number) => {
        const vals = records
          .filter((r) => r.status === 'finished' && r.params['loss.kind'] === yv.value && r.params['sampler.stepSize'] === xv.value)
          .map((r) => r.metrics['sample/swd']);
        const cell = hm.cells[row][col];
        expect(cell.n).toBe(vals.length);
        expect(cell.mean).toBeCloseTo(mean(vals), 12);
        expect(cell.min).toBe(Math.min(...vals));
        if (mean(vals) < bestMean) {
          bestMean = mean(vals);
          bestAt = { row, col };
        }
      });
    });
    expect(hm.best).toEqual(bestAt);
    // Transposed axes, and one axis only.
    const t = await getJson(base, `/api/sweeps/${s.fixture.sweepId}/heatmap?metric=sample/swd&x=loss.kind&y=sampler.stepSize`);
    expect(t.cells[bestAt!.col][bestAt!.row].mean).toBe(hm.cells[bestAt!.row][bestAt!.col].mean);
    const one = await getJson(base, `/api/sweeps/${s.fixture.sweepId}/heatmap?metric=sample/swd&x=loss.kind&y=`);
    expect(one.y).toBeNull();
    expect(one.pooled).toEqual(['sampler.stepSize']);
  });

  it('puts SM, SSM-VR and DSM side by side on final metrics and ms per step', async () => {
    const ab = await getJson(base, `/api/sweeps/${s.fixture.sweepId}/ablation`);
    expect(ab.param).toBe('loss.kind');
    expect(ab.metrics).toEqual(['eval/fisher', 'sample/mmd', 'sample/swd', 'sample/mode_weight_tv']);
    for (const g of ab.groups) {
      const finished = records.filter((r) => r.status === 'finished' && r.params['loss.kind'] === g.value);
      expect(g.metrics['eval/fisher'].mean).toBeCloseTo(mean(finished.map((r) => r.metrics['eval/fisher'])), 12);
      expect(g.metrics['eval/fisher'].points.map((p: any) => p.runId)).toEqual(finished.map((r) => r.id));
      expect(g.msPerStep.mean).toBeCloseTo(mean(finished.map((r) => 1000 / r.metrics['perf/steps_per_sec'])), 9);
    }
    const fastest = ab.groups.reduce((a: any, b: any) => (b.msPerStep.mean < a.msPerStep.mean ? b : a));
    expect(ab.best.msPerStep).toBe(fastest.key);
  });
});

describe('curves', () => {
  it('returns each selected run’s series as the store has it, downsampled to maxPoints', async () => {
    const ids = records.slice(0, 3).map((r) => r.id);
    const c = await getJson(base, `/api/sweeps/${s.fixture.sweepId}/curves?key=train/loss&runs=${ids.join(',')}&maxPoints=7`);
    expect(c.maxPoints).toBe(7);
    expect(c.series.map((x: any) => x.runId)).toEqual(ids);
    for (const sr of c.series) {
      const direct = await s.server.store.metricSeries(sr.runId, 'train/loss', { maxPoints: 7 });
      expect(sr.points.map((p: any) => p.step)).toEqual(direct.points.map((p) => p.step));
      expect(sr.points.length).toBeLessThanOrEqual(7);
      expect(sr.total).toBe(direct.total);
      expect(sr.downsampled).toBe(true);
    }
    const capped = await getJson(base, `/api/sweeps/${s.fixture.sweepId}/curves?key=train/loss&runs=${ids[0]}&maxPoints=100000`);
    expect(capped.maxPoints).toBe(2000);
    expect(capped.series[0].downsampled).toBe(false);
  });

  it('groups by one parameter: mean, min and max over the group at every step', async () => {
    const c = await getJson(base, `/api/sweeps/${s.fixture.sweepId}/curves?key=eval/fisher&groupBy=loss.kind&maxPoints=2000`);
    expect(c.groups.map((g: any) => g.label)).toEqual(['sm', 'ssm-vr', 'dsm']);
    for (const g of c.groups) {
      const members = records.filter((r) => r.params['loss.kind'] === g.params['loss.kind']);
      expect(g.runIds).toEqual(members.map((r) => r.id));
      const series = await Promise.all(members.map((r) => s.server.store.metricSeries(r.id, 'eval/fisher')));
      for (const p of g.points) {
        const vals = series.flatMap((x) => x.points.filter((q) => q.step === p.step).map((q) => q.value));
        expect(p.n).toBe(vals.length);
        expect(p.mean).toBeCloseTo(mean(vals), 12);
        expect(p.min).toBe(Math.min(...vals));
        expect(p.max).toBe(Math.max(...vals));
      }
    }
    const byConfig = await getJson(base, `/api/sweeps/${s.fixture.sweepId}/curves?key=train/loss&groupBy=@config`);
    expect(byConfig.groups).toHaveLength(new Set(records.map((r) => key(r.params))).size);
    for (const g of byConfig.groups) expect(new Set(g.runIds.map((id: number) => key(records.find((r) => r.id === id)!.params))).size).toBe(1);
  });
});

describe('runs', () => {
  it('shows a run: resolved config, final metrics, artifacts and the sweep’s other runs', async () => {
    const rec = records.find((r) => r.status === 'finished')!;
    const d = await getJson(base, `/api/runs/${rec.id}`);
    expect(d.run.config).toEqual(rec.config);
    expect(d.run.latest['sample/mmd']).toBe(rec.metrics['sample/mmd']);
    expect(d.sweep.name).toBe(s.fixture.sweepName);
    expect(d.artifacts.map((a: any) => a.name).sort()).toEqual(['data-samples', 'density', 'samples', 'score-field', 'trajectory']);
    expect(d.siblings).toHaveLength(records.length);
    expect(d.metricKeys[0]).toBe('sample/mmd');
    expect(d.model).toBeNull();
  });

  it('shows the full error text of a failed run', async () => {
    const failed = records.find((r) => r.status === 'failed');
    if (!failed) return; // a real sweep may have no failure
    const d = await getJson(base, `/api/runs/${failed.id}`);
    expect(d.run.error).toBe(failed.error);
    expect(d.run.error).toContain('\n');
  });

  it('serves artifacts: float32 samples as numbers, JSON artifacts as stored', async () => {
    const rec = records.find((r) => r.status === 'finished')!;
    const samples = await getJson(base, `/api/runs/${rec.id}/artifacts/samples`);
    const stored = await s.server.store.getArtifact(rec.id, 'samples');
    expect(samples.format).toBe('float32');
    expect(samples.shape).toEqual([samples.data.length / 2, 2]);
    expect(samples.data).toEqual(Array.from((stored!.content as { data: Float32Array }).data));
    for (const name of ['score-field', 'density', 'trajectory']) {
      const a = await getJson(base, `/api/runs/${rec.id}/artifacts/${name}`);
      expect(a.value).toEqual(((await s.server.store.getArtifact(rec.id, name))!.content as { value: unknown }).value);
    }
    const field = (await getJson(base, `/api/runs/${rec.id}/artifacts/score-field`)).value;
    expect(field.points).toHaveLength(field.grid.nx * field.grid.ny);
    expect(field.exact).toHaveLength(field.points.length);
  });

  it('returns one series of a run, and a run’s config diff against another', async () => {
    const [a, b] = [records[0], records.find((r) => r.params['loss.kind'] !== records[0].params['loss.kind'])!];
    const series = await getJson(base, `/api/runs/${a.id}/series?key=sample/mmd`);
    const direct = await s.server.store.metricSeries(a.id, 'sample/mmd');
    expect(series.points).toEqual(direct.points);
    const diff = await getJson(base, `/api/runs/${a.id}/diff?other=${b.id}`);
    expect(diff.differences).toContainEqual({ path: 'loss.kind', a: a.params['loss.kind'], b: b.params['loss.kind'] });
    expect(diff.differences.every((x: any) => JSON.stringify(x.a) !== JSON.stringify(x.b))).toBe(true);
    expect((await getJson(base, `/api/runs/${a.id}/diff?other=${a.id}`)).differences).toEqual([]);
  });

  it('serves the pages and chart.js from node_modules', async () => {
    for (const path of ['/', `/sweeps/${s.fixture.sweepId}`, `/sweeps/${s.fixture.sweepName}`, `/runs/${records[0].id}`]) {
      const res = await rawGet(base, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('/vendor/chart.umd.min.js');
    }
    const chart = await rawGet(base, '/vendor/chart.umd.min.js');
    expect(chart.status).toBe(200);
    expect(chart.body).toContain('Chart.js v4');
    const css = await rawGet(base, '/static/css/app.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });
});

describe('live sweep', () => {
  it('sees a running sweep’s new metrics while the runner writes them', async () => {
    const live = await serveFixture(async (path) => {
      const w = await openStore(path);
      const sweep = await w.createSweep({ name: 'live-sweep', config: { parameters: { 'loss.kind': ['dsm'] } }, status: 'running' });
      const [r] = await w.addRuns(sweep.id, [{ idx: 0, params: { 'loss.kind': 'dsm' }, config: {}, configHash: 'h', seed: 0 }]);
      await w.startRun(r.id, { backend: 'wasm', versions: {}, host: 'test', pid: 1 });
      await w.logMetrics(r.id, [{ key: 'train/loss', step: 0, value: 2 }]);
      await w.close();
    });
    try {
      const sweeps = (await getJson(live.server.url, '/api/sweeps')).sweeps;
      const ls = sweeps.find((x: any) => x.name === 'live-sweep');
      expect(ls.live).toBe(true);
      // One swept parameter: the heatmap is a single row over it.
      const hm = await getJson(live.server.url, '/api/sweeps/live-sweep/heatmap');
      expect(hm.available).toBe(true);
      expect(hm.x.path).toBe('loss.kind');
      expect(hm.y).toBeNull();
      expect(sweeps.find((x: any) => x.name === live.fixture.sweepName).live).toBe(false);
      const runId = (await getJson(live.server.url, '/api/sweeps/live-sweep/runs')).runs[0].id;
      // A writer (the runner) adds points while the dashboard's read-only connection is open.
      const w = await openStore(join(live.dir, 'scorelab.db'));
      await w.logMetrics(runId, [{ key: 'train/loss', step: 50, value: 1.5 }]);
      const after = await getJson(live.server.url, `/api/runs/${runId}/series?key=train/loss`);
      expect(after.points.map((p: any) => p.value)).toEqual([2, 1.5]);
      await w.finishRun(runId);
      await w.setSweepStatus(ls.id, 'finished');
      await w.close();
      expect((await getJson(live.server.url, '/api/sweeps/live-sweep')).sweep.live).toBe(false);
    } finally {
      await live.close();
    }
  });
});
