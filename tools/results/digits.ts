/**
 * Results section 6: sm vs ssm-vr vs dsm on the 8x8 handwritten digits (64-D, no known density),
 * sampled with annealed Langevin (issue 16).
 *
 *   npx tsx tools/results/digits.ts --db runs/results.db [--sweep NAME|ID] [--img DIR | --no-img]
 *
 * Reads the latest sweep made from experiments/digits.yaml (or --sweep) and prints, per objective,
 * the cost of a training step (from perf/steps_per_sec, logged every train.logEvery steps: the median
 * over the logged points after the first, which includes the warm-up; mean over seeds) and its ratio
 * to dsm's and ssm-vr's against D = 64, and the ground-truth-free metrics: held-out eval/dsm and
 * eval/ssm, and sample/mmd, sample/swd and sample/nn_dist beside their ref/ floors. Writes
 * docs/img/digits-samples.svg (the first samples of each objective next to held-out images) and
 * docs/img/digits-nearest.svg (samples above their nearest training images), from the first seed, and
 * docs/img/digits-cost.svg (ms per step by objective).
 */
import type { ExportRecord, RunStore } from '@scorelab/tracking';
import { imageGrid, rasterPanels, type RasterPanel } from './raster';
import { checkFlags, commonArgs, configValue, finishedRuns, flag, groupBy, openResults, provenance, resolveSweep, runMain, writeSvg } from './store';
import { fixed, fmt, markdownTable, meanSd, median, summarize } from './table';
import { barChart } from './svg';

const USAGE = 'usage: npx tsx tools/results/digits.ts [--db runs/results.db] [--sweep NAME|ID] [--img DIR | --no-img]';

/** Images per sample grid (8 x 8) and per nearest-neighbour strip. */
const GRID_IMAGES = 64;
const GRID_COLUMNS = 8;
const NEAREST_IMAGES = 16;

/** ms per training step: the median of the logged rates after the first point (warm-up: kernel set-up, first allocations). */
async function msPerStep(store: RunStore, r: ExportRecord): Promise<number> {
  const series = await store.metricSeries(r.id, 'perf/steps_per_sec');
  const rates = series.points.slice(1).map((p) => p.value);
  return 1000 / median(rates.length ? rates : series.points.map((p) => p.value));
}

async function pixels(store: RunStore, r: ExportRecord, name: string, count: number): Promise<{ data: Float32Array; side: number } | undefined> {
  const a = await store.getArtifact(r.id, name);
  if (a?.content.format !== 'float32') return undefined;
  const d = a.content.shape[1];
  const side = Math.round(Math.sqrt(d));
  if (side * side !== d) throw new Error(`run ${r.id}: artifact ${name} has ${d} columns, not a square image`);
  return { data: a.content.data.subarray(0, Math.min(count, a.content.shape[0]) * d), side };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['db', 'img', 'no-img', 'sweep'], USAGE);
  const args = commonArgs(argv);
  const store = await openResults(args.db);
  const sweep = await finishedRuns(store, await resolveSweep(store, 'digits', flag(argv, 'sweep'), args.db));
  if (sweep.records.length === 0) throw new Error(`sweep ${sweep.sweep.name} has no finished run`);
  const ms = new Map<number, number>();
  for (const r of sweep.records) ms.set(r.id, await msPerStep(store, r));
  const lossOf = (r: ExportRecord) => String(configValue(r, 'loss.kind'));
  const byLoss = groupBy(sweep.records, lossOf);
  const firstSeed = Math.min(...sweep.records.map((r) => r.seed));
  const first = new Map([...byLoss].map(([loss, rs]) => [loss, rs.find((r) => r.seed === firstSeed) ?? rs[0]]));
  const samples = new Map<string, Awaited<ReturnType<typeof pixels>>>();
  const nearest = new Map<string, Awaited<ReturnType<typeof pixels>>>();
  /** Fraction of the first seed's sample pixels outside [0, 1] (the pictures clamp them). */
  const outside = new Map<string, number>();
  for (const [loss, r] of first) {
    const all = await pixels(store, r, 'samples', Infinity);
    if (all) {
      outside.set(loss, all.data.reduce((n, v) => n + (v < 0 || v > 1 ? 1 : 0), 0) / all.data.length);
      samples.set(loss, { data: all.data.subarray(0, GRID_IMAGES * all.side * all.side), side: all.side });
    }
    nearest.set(loss, await pixels(store, r, 'nearest-train', NEAREST_IMAGES));
  }
  const heldOut = await pixels(store, sweep.records[0], 'data-samples', GRID_IMAGES);
  await store.close();
  console.log(`<!-- ${provenance(sweep)} -->\n`);

  const r0 = sweep.records[0];
  const anyImages = heldOut ?? [...samples.values()].find((p) => p !== undefined);
  const dim = anyImages ? anyImages.side * anyImages.side : NaN;
  const seeds = [...new Set(sweep.records.map((r) => r.seed))];
  console.log(
    `Digits (D = ${dim}); MLP ${configValue(r0, 'model.hidden')} ${configValue(r0, 'model.activation')} (conditioning ${configValue(r0, 'model.conditioning')}, engine ${[...new Set(sweep.summaries.map((x) => x.engine ?? '?'))].join(', ')} as recorded by the runs); ` +
      `${configValue(r0, 'train.steps')} Adam steps, batch ${configValue(r0, 'train.batchSize')}, lr ${configValue(r0, 'train.lr')}; ` +
      `${configValue(r0, 'noise.levels')} geometric noise levels ${configValue(r0, 'noise.sigmaMax')} → ${configValue(r0, 'noise.sigmaMin')}; ` +
      `annealed Langevin, ${configValue(r0, 'sampler.stepsPerLevel')} steps per level, ε = ${configValue(r0, 'sampler.stepSize')}, ${configValue(r0, 'sampler.samples')} samples; seeds ${seeds.join(', ')}.\n`,
  );

  const meanMs = (loss: string) => summarize((byLoss.get(loss) ?? []).map((r) => ms.get(r.id)!)).mean;
  const ratio = (loss: string, to: string) => (byLoss.has(to) ? fixed(meanMs(loss) / meanMs(to), 1) : '—');
  const costRows = [...byLoss].map(([loss, rs]) => [
    loss,
    meanSd(summarize(rs.map((r) => ms.get(r.id)!)), (x) => fmt(x, 3)),
    fmt(1000 / meanMs(loss), 3),
    ratio(loss, 'dsm'),
    ratio(loss, 'ssm-vr'),
    fmt(summarize(rs.map((r) => (r.durationMs ?? NaN) / 1000)).mean, 3),
  ]);
  console.log(`**Cost per training step** (median of perf/steps_per_sec after the first logged point, mean ± sd over seeds), against D = ${dim}:\n`);
  console.log(markdownTable(['objective', 'ms per step', 'steps per s', 'ratio to dsm', 'ratio to ssm-vr', 'run wall time, s'], costRows));

  const costImg = writeSvg(
    args.imgDir,
    'digits-cost.svg',
    barChart({
      title: `Digits (D = ${dim}): milliseconds per training step by objective`,
      groups: [...byLoss.keys()],
      series: [{ label: 'ms per step', values: [...byLoss.keys()].map(meanMs) }],
      y: { label: 'ms per training step (log scale)', log: true },
      legend: false,
      width: 520,
      height: 340,
    }),
  );
  if (costImg) console.error(`wrote ${costImg}`);

  const m = (rs: ExportRecord[], key: string) => meanSd(summarize(rs.map((r) => r.metrics[key] ?? NaN)), (x) => fmt(x, 3));
  const metricRows = [...byLoss].map(([loss, rs]) => [
    loss,
    m(rs, 'eval/dsm'),
    m(rs, 'eval/ssm'),
    m(rs, 'sample/mmd'),
    m(rs, 'ref/mmd'),
    m(rs, 'sample/swd'),
    m(rs, 'ref/swd'),
    m(rs, 'sample/nn_dist'),
    m(rs, 'ref/nn_dist'),
    outside.has(loss) ? fixed(outside.get(loss)!, 3) : '—',
  ]);
  console.log(
    `\n**Held-out losses and samples** after ${configValue(r0, 'train.steps')} steps (mean ± sd over seeds; held-out losses are lower-is-better, eval/ssm up to a constant); each sample metric beside its ref/ floor; the last column is the fraction of the first seed's sample pixels outside the data's range [0, 1] (the pictures clamp them):\n`,
  );
  console.log(markdownTable(['objective', 'eval/dsm', 'eval/ssm', 'sample/mmd', 'ref/mmd', 'sample/swd', 'ref/swd', 'sample/nn_dist', 'ref/nn_dist', 'pixels outside [0, 1]'], metricRows));

  const grid = (p: { data: Float32Array; side: number }) => imageGrid({ pixels: p.data, side: p.side, cols: GRID_COLUMNS, scale: 3, gap: 2 });
  const panels: RasterPanel[] = [];
  if (heldOut) panels.push({ label: 'held-out images', image: grid(heldOut) });
  for (const [loss, s] of samples) if (s) panels.push({ label: `${loss} samples (sample/mmd ${fmt(first.get(loss)!.metrics['sample/mmd'], 2)})`, image: grid(s) });
  if (panels.length) {
    const img = writeSvg(
      args.imgDir,
      'digits-samples.svg',
      rasterPanels({ title: `Digits: the first ${GRID_IMAGES} annealed-Langevin samples of each objective (seed ${firstSeed}, clamped to [0, 1]) and held-out images`, panels, columns: 4 }),
    );
    if (img) console.error(`wrote ${img}`);
  }
  const strip = (p: { data: Float32Array; side: number }) => imageGrid({ pixels: p.data, side: p.side, cols: NEAREST_IMAGES, scale: 3, gap: 2 });
  const nearPanels: RasterPanel[] = [];
  for (const [loss, s] of samples) {
    const nn = nearest.get(loss);
    if (!s || !nn) continue;
    nearPanels.push({ label: `${loss}: samples`, image: strip({ data: s.data.subarray(0, nn.data.length), side: s.side }) });
    nearPanels.push({ label: `${loss}: nearest training image of each`, image: strip(nn) });
  }
  if (nearPanels.length) {
    const img = writeSvg(
      args.imgDir,
      'digits-nearest.svg',
      rasterPanels({ title: `Digits: the first ${NEAREST_IMAGES} samples above their nearest training images (memorisation check, seed ${firstSeed})`, panels: nearPanels, columns: 1 }),
    );
    if (img) console.error(`wrote ${img}`);
  }
}

runMain(main);
