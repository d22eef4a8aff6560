// The JSON API on energy and image sweeps (energy-image-fixture.ts, issues 15 and 16): the run page's
// imageShape, artifacts whose names hold a slash (negatives/<step>), and the sweep gallery: one
// picture per configuration, of its finished run with the lowest seed. Expected values are read
// back from the store, not from the fixture's constants.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DensityArtifact } from '@scorelab/config';
import { openStore } from '@scorelab/tracking';
import type { GalleryResponse } from '../src/api-types';
import { THUMBNAIL_NODES } from '../src/routes/gallery';
import { addEnergyAndDigitsSweeps, NEGATIVE_STEPS } from './energy-image-fixture';
import { getJson, rawGet, serveFixture, type Served } from './helpers';

let s: Served;
let base: string;
let ids: Awaited<ReturnType<typeof addEnergyAndDigitsSweeps>>;

beforeAll(async () => {
  s = await serveFixture(async (path) => {
    ids = await addEnergyAndDigitsSweeps(path);
  });
  base = s.server.url;
});
afterAll(async () => {
  await s.close();
});

async function stored(runId: number, name: string) {
  const a = await s.server.store.getArtifact(runId, name);
  if (!a) throw new Error(`run ${runId} has no ${name}`);
  return a.content;
}

describe('run pages of energy and image runs', () => {
  it('gives digits runs an 8x8 [0, 1] image shape and 2-D runs none', async () => {
    for (const id of ids.digits.runIds) expect((await getJson(base, `/api/runs/${id}`)).imageShape).toEqual({ width: 8, height: 8, range: [0, 1] });
    for (const id of [...ids.energy.runIds, s.fixture.runIds[0]]) expect((await getJson(base, `/api/runs/${id}`)).imageShape).toBeNull();
  });

  it('serves negatives/<step> with the slash sent as it is or encoded, and 404s an unknown step', async () => {
    const run = ids.energy.runIds[0];
    const names = (await getJson(base, `/api/runs/${run}/artifacts`)).artifacts.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(NEGATIVE_STEPS.map((k) => `negatives/${k}`)));
    for (const step of NEGATIVE_STEPS) {
      const content = await stored(run, `negatives/${step}`);
      if (content.format !== 'float32') throw new Error('negatives are float32');
      const plain = await getJson(base, `/api/runs/${run}/artifacts/negatives/${step}`);
      const encoded = await getJson(base, `/api/runs/${run}/artifacts/negatives%2F${step}`);
      expect(plain.name).toBe(`negatives/${step}`);
      expect(plain.shape).toEqual(content.shape);
      expect(plain.data).toEqual(Array.from(content.data));
      expect(encoded).toEqual(plain);
    }
    const missing = await rawGet(base, `/api/runs/${run}/artifacts/negatives/999`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toBe(`run ${run} has no artifact "negatives/999"`);
  });

  it('serves the learned and true log-densities on one 65x65 grid', async () => {
    const run = ids.energy.runIds[0];
    const learned = (await getJson(base, `/api/runs/${run}/artifacts/learned-density`)).value;
    const truth = (await getJson(base, `/api/runs/${run}/artifacts/learned-density-true`)).value;
    expect(learned.grid).toEqual(truth.grid);
    expect([learned.grid.nx, learned.grid.ny]).toEqual([65, 65]);
    expect(learned.logDensity).toHaveLength(65);
  });
});

describe('the sweep gallery', () => {
  it('pictures each configuration of an image sweep by the first samples of its lowest-seed run', async () => {
    const g: GalleryResponse = await getJson(base, `/api/sweeps/${ids.digits.sweepId}/gallery`);
    if (!g.available || g.kind !== 'images') throw new Error(`expected images, got ${JSON.stringify(g).slice(0, 200)}`);
    const runs = await s.server.store.listRuns({ sweepId: ids.digits.sweepId });
    const kinds = [...new Set(runs.map((r) => r.params['loss.kind']))];
    expect(g.tiles.map((t) => t.label)).toEqual(kinds);
    expect(g.omitted).toBe(0);
    for (const t of g.tiles) {
      const group = runs.filter((r) => r.params['loss.kind'] === t.params['loss.kind']);
      const lowest = group.reduce((a, b) => (b.seed < a.seed ? b : a));
      expect(t.runId).toBe(lowest.id);
      expect(t.seed).toBe(lowest.seed);
      expect(t.runIds.sort()).toEqual(group.map((r) => r.id).sort());
      const content = await stored(t.runId, 'samples');
      if (content.format !== 'float32') throw new Error('samples are float32');
      expect(t.samples).toEqual(Array.from(content.data.subarray(0, g.rows * 64)));
      expect(t.latest['sample/nn_dist']).toBe(lowest.latest['sample/nn_dist']);
    }
  });

  it('pictures each configuration of an energy sweep by its learned density, thinned to 33x33 nodes of the same box', async () => {
    const g: GalleryResponse = await getJson(base, `/api/sweeps/${ids.energy.sweepId}/gallery`);
    if (!g.available || g.kind !== 'density') throw new Error(`expected densities, got ${JSON.stringify(g).slice(0, 200)}`);
    expect(g.tiles).toHaveLength(3);
    // One dataset: one true density, the thinned learned-density-true of the first tile's run.
    expect(g.truths).toHaveLength(1);
    expect(g.tiles.map((t) => t.truth)).toEqual([0, 0, 0]);
    const truth = await stored(g.tiles[0].runId, 'learned-density-true');
    if (truth.format !== 'json') throw new Error('densities are json');
    expect(g.truths[0].logDensity[16][16]).toBe((truth.value as DensityArtifact).logDensity[32][32]);
    for (const t of g.tiles) {
      const content = await stored(t.runId, 'learned-density');
      if (content.format !== 'json') throw new Error('densities are json');
      const full = content.value as DensityArtifact;
      const thin = t.density;
      expect([thin.grid.nx, thin.grid.ny]).toEqual([THUMBNAIL_NODES, THUMBNAIL_NODES]);
      for (const k of ['xmin', 'xmax', 'ymin', 'ymax'] as const) expect(thin.grid[k]).toBeCloseTo(full.grid[k], 12);
      // Node (i, j) of the thumbnail is node (2i, 2j) of the 65x65 grid.
      for (const [i, j] of [
        [0, 0],
        [5, 7],
        [32, 32],
        [16, 20],
      ])
        expect(thin.logDensity[j][i]).toBe(full.logDensity[2 * j][2 * i]);
    }
  });

  it('gives each dataset of an energy sweep its own true density', async () => {
    const store = await openStore(join(s.dir, 'scorelab.db'));
    const grid = { xmin: -1, xmax: 1, ymin: -1, ymax: 1, nx: 3, ny: 3 };
    const flat = (v: number) => ({ grid, sigma: 0, logDensity: [0, 1, 2].map(() => [v, v, v]) });
    // Learned densities -1, -2, -3 and true ones -10, -11, -12 everywhere, by run.
    const kinds = ['moons', '8gaussians', 'moons'];
    let sweepId = 0;
    try {
      const sweep = await store.createSweep({ name: 'two-datasets', description: '', config: {}, status: 'finished' });
      sweepId = sweep.id;
      const runs = await store.addRuns(
        sweep.id,
        kinds.map((kind, idx) => ({ idx, params: { 'dataset.kind': kind, 'loss.kind': idx === 2 ? 'ml' : 'dsm' }, config: { dataset: { kind }, model: { kind: 'energy' } }, configHash: String(idx), seed: 0 })),
      );
      for (const [i, r] of runs.entries()) {
        await store.startRun(r.id, { backend: 'wasm', versions: {}, host: 'test', pid: 1 });
        await store.saveArtifact(r.id, { name: 'learned-density', kind: 'density', content: { format: 'json', value: flat(-1 - i) } });
        await store.saveArtifact(r.id, { name: 'learned-density-true', kind: 'density', content: { format: 'json', value: flat(-10 - i) } });
        await store.finishRun(r.id);
      }
    } finally {
      await store.close();
    }
    const g: GalleryResponse = await getJson(base, `/api/sweeps/${sweepId}/gallery`);
    if (!g.available || g.kind !== 'density') throw new Error('expected densities');
    // The two moons runs share the first run's true density; 8gaussians has its own.
    expect(g.tiles.map((t) => t.truth)).toEqual([0, 1, 0]);
    expect(g.truths.map((t) => t.logDensity[0][0])).toEqual([-10, -11]);
    expect(g.tiles.map((t) => t.density.logDensity[1][1])).toEqual([-1, -2, -3]);
  });

  it('is unavailable for a sweep of 2-D score networks', async () => {
    const g = await getJson(base, `/api/sweeps/${s.fixture.sweepId}/gallery`);
    expect(g.available).toBe(false);
    expect(g.reason).toMatch(/image datasets .* energy models/);
    expect((await rawGet(base, '/api/sweeps/nope/gallery')).status).toBe(404);
  });
});
