// GET /api/sweeps/:sweep/gallery: one picture per configuration of a sweep, so objectives can be
// compared by eye: the first samples as images (digits), or the learned log-density (energy models
// in 2-D). Each configuration (all swept values, seeds pooled) is pictured by its finished run with
// the lowest seed; at most GALLERY_TILES configurations, in expansion order.
import { Router } from 'express';
import type { DensityArtifact } from '@scorelab/config';
import type { RunStore } from '@scorelab/tracking';
import { finalRuns, valueKey, valueLabel, type ComparedRun } from '../analysis';
import type { GalleryResponse, GalleryTile } from '../api-types';
import { field, imageShapeOf, isEnergyModel } from './image-shape';
import { sweepOf, sweepRuns, type RouteContext } from './shared';

/** Configurations pictured at most (the rest are counted in `omitted`). */
export const GALLERY_TILES = 24;
/** Samples per image tile. */
export const GALLERY_ROWS = 16;
/** A thumbnail's density grid has at most this many nodes per side (65 -> 33: every other node). */
export const THUMBNAIL_NODES = 33;

export function galleryRoutes(ctx: RouteContext): Router {
  const api = Router();
  api.get('/sweeps/:sweep/gallery', async (req, res) => {
    const { store } = ctx;
    const sweep = await sweepOf(store, req.params.sweep);
    const runs = await sweepRuns(store, sweep.id);
    res.json(await gallery(store, runs));
  });
  return api;
}

async function gallery(store: RunStore, runs: readonly ComparedRun[]): Promise<GalleryResponse> {
  const images = configurations(runs.filter((r) => imageShapeOf(r.config) !== null));
  const shape = images.length > 0 ? imageShapeOf(images[0].run.config) : null;
  if (shape) {
    const d = shape.width * shape.height;
    const shown = images.slice(0, GALLERY_TILES);
    const tiles = await Promise.all(
      shown.map(async ({ tile, run }) => {
        const c = (await store.getArtifact(run.id, 'samples'))?.content;
        const ok = (c?.format === 'float32' || c?.format === 'float64') && c.shape.length === 2 && c.shape[1] === d;
        return { ...tile, samples: ok ? Array.from(c.data.subarray(0, GALLERY_ROWS * d)) : [] };
      }),
    );
    return { available: true, kind: 'images', shape, rows: GALLERY_ROWS, tiles, omitted: images.length - shown.length };
  }
  const energy = configurations(runs.filter((r) => isEnergyModel(r.config)));
  if (energy.length > 0) {
    const shown = energy.slice(0, GALLERY_TILES);
    // One true density per dataset (its config as JSON), from the first of its runs that saved one.
    const truths: DensityArtifact[] = [];
    const truthOf = new Map<string, number | null>();
    const tiles: (GalleryTile & { density: DensityArtifact; truth: number | null })[] = [];
    for (const { tile, run } of shown) {
      const learned = await densityOf(store, run.id, 'learned-density');
      if (!learned) continue;
      const data = valueKey(field(run.config, 'dataset'));
      // Looked up until one of the dataset's runs has it.
      if ((truthOf.get(data) ?? null) === null) {
        const truth = await densityOf(store, run.id, 'learned-density-true');
        truthOf.set(data, truth ? truths.push(thinned(truth)) - 1 : null);
      }
      tiles.push({ ...tile, density: thinned(learned), truth: truthOf.get(data) ?? null });
    }
    if (tiles.length > 0) return { available: true, kind: 'density', tiles, truths, omitted: energy.length - shown.length };
    return { available: false, reason: 'no finished energy run saved a learned density (2-D datasets only)' };
  }
  return { available: false, reason: 'the gallery pictures image datasets (digits) and energy models; this sweep has neither finished' };
}

/** Finished runs grouped by all their params, each group pictured by its lowest seed (then lowest idx), in expansion order. */
function configurations(runs: readonly ComparedRun[]): { tile: GalleryTile; run: ComparedRun }[] {
  const groups = new Map<string, ComparedRun[]>();
  for (const r of [...finalRuns(runs)].sort((a, b) => a.idx - b.idx)) {
    const key = valueKey(Object.entries(r.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups].map(([key, g]) => {
    const run = g.reduce((best, r) => (r.seed < best.seed ? r : best));
    const label = Object.values(run.params).map(valueLabel).join(', ') || 'the one configuration';
    return { run, tile: { key, label, params: run.params, runId: run.id, seed: run.seed, runIds: g.map((r) => r.id), latest: run.latest } };
  });
}

async function densityOf(store: RunStore, runId: number, name: string): Promise<DensityArtifact | null> {
  const a = await store.getArtifact(runId, name);
  return a && a.content.format === 'json' && isDensityArtifact(a.content.value) ? a.content.value : null;
}

/** A DensityArtifact as the runner writes it: a grid and logDensity [ny][nx] of numbers or nulls. */
export function isDensityArtifact(v: unknown): v is DensityArtifact {
  if (v === null || typeof v !== 'object' || !('grid' in v) || !('logDensity' in v)) return false;
  const { grid, logDensity } = v;
  if (grid === null || typeof grid !== 'object') return false;
  const g: Record<string, unknown> = { ...grid };
  if (!['xmin', 'xmax', 'ymin', 'ymax', 'nx', 'ny'].every((k) => typeof g[k] === 'number' && Number.isFinite(g[k]))) return false;
  const { nx, ny } = g;
  return (
    Array.isArray(logDensity) &&
    logDensity.length === ny &&
    logDensity.every((row: unknown) => Array.isArray(row) && row.length === nx && row.every((x: unknown) => x === null || typeof x === 'number'))
  );
}

/** Every k-th node of the grid (k = ceil((n - 1) / (THUMBNAIL_NODES - 1))), the box kept when (n - 1) is a multiple of k. */
export function thinned(d: DensityArtifact): DensityArtifact {
  const { grid } = d;
  const k = Math.max(1, Math.ceil((Math.max(grid.nx, grid.ny) - 1) / (THUMBNAIL_NODES - 1)));
  if (k === 1) return d;
  const nx = Math.floor((grid.nx - 1) / k) + 1;
  const ny = Math.floor((grid.ny - 1) / k) + 1;
  const dx = (grid.xmax - grid.xmin) / (grid.nx - 1);
  const dy = (grid.ymax - grid.ymin) / (grid.ny - 1);
  return {
    grid: { xmin: grid.xmin, xmax: grid.xmin + (nx - 1) * k * dx, ymin: grid.ymin, ymax: grid.ymin + (ny - 1) * k * dy, nx, ny },
    sigma: d.sigma,
    logDensity: Array.from({ length: ny }, (_, j) => Array.from({ length: nx }, (__, i) => d.logDensity[j * k][i * k])),
  };
}
