/**
 * Reproduction 4: how sliced score matching scales with the data dimension (Song et al. 2019).
 *
 *   npx tsx tools/results/ssm-scalability.ts --db runs/results.db [--sweep NAME|ID] [--img DIR | --no-img]
 *
 * Reads the latest sweep made from experiments/ssm-scalability.yaml (or --sweep) and prints, per
 * objective and dimension D, the time per training step (from perf/steps_per_sec, logged every
 * train.logEvery steps: the median over the logged points after the first, which includes the
 * warm-up, then the mean over seeds), the slope of log(ms/step) against log D (1 = linear growth),
 * and the final Fisher divergence, also relative to that of the zero score. Writes
 * docs/img/ssm-scalability-time.svg and docs/img/ssm-scalability-fisher.svg.
 */
import type { ExportRecord } from '@scorelab/tracking';
import { scheduleSigmas, selectBackend } from '@scorelab/core';
import { halfScoreNorm } from './exact';
import { checkFlags, commonArgs, configValue, datasetOf, finishedRuns, flag, groupBy, noiseOf, openResults, provenance, resolveSweep, runMain, writeSvg } from './store';
import { fixed, fmt, logLogSlope, markdownTable, meanSd, median, summarize } from './table';
import { lineChart, type LineSeries } from './svg';

const USAGE = 'usage: npx tsx tools/results/ssm-scalability.ts [--db runs/results.db] [--sweep NAME|ID] [--img DIR | --no-img]';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['db', 'img', 'no-img', 'sweep'], USAGE);
  const args = commonArgs(argv);
  const store = await openResults(args.db);
  const sweep = await finishedRuns(store, await resolveSweep(store, 'ssm-scalability', flag(argv, 'sweep'), args.db));
  // ms per step of each run: median of the logged rates after the first point (warm-up: kernel set-up, first allocations).
  const msPerStep = new Map<number, number>();
  for (const r of sweep.records) {
    const series = await store.metricSeries(r.id, 'perf/steps_per_sec');
    const rates = series.points.slice(1).map((p) => p.value);
    msPerStep.set(r.id, 1000 / median(rates.length ? rates : series.points.map((p) => p.value)));
  }
  await store.close();
  console.log(`<!-- ${provenance(sweep)} -->\n`);

  const r0 = sweep.records[0];
  const dimOf = (r: ExportRecord) => Number(configValue(r, 'dataset.dim'));
  const lossOf = (r: ExportRecord) => String(configValue(r, 'loss.kind'));
  const dims = [...new Set(sweep.records.map(dimOf))].sort((a, b) => a - b);
  const losses = [...groupBy(sweep.records, lossOf).keys()];
  const cells = groupBy(sweep.records, (r) => `${lossOf(r)}@${dimOf(r)}`);
  const runsOf = (loss: string, d: number) => cells.get(`${loss}@${d}`) ?? [];
  const ms = (r: ExportRecord) => msPerStep.get(r.id)!;
  const seeds = Math.max(...[...cells.values()].map((c) => c.length));
  const noise = noiseOf(r0);
  const sigmas = noise ? scheduleSigmas(noise) : undefined;
  console.log(
    `Data N(0, I_D); ${configValue(r0, 'model.hidden')} ${configValue(r0, 'model.activation')} MLP (conditioning ${configValue(r0, 'model.conditioning')}); ` +
      `${configValue(r0, 'train.steps')} Adam steps, batch ${configValue(r0, 'train.batchSize')}, lr ${configValue(r0, 'train.lr')}; ` +
      `every objective at the single noise level σ = ${sigmas?.join(', ') ?? 'none'}; ${seeds} seeds per cell.\n`,
  );

  const meanMs = (loss: string, ds: number[]) => ds.map((d) => summarize(runsOf(loss, d).map(ms)).mean);
  const last2 = dims.slice(-2);
  const timeRows = losses.map((loss) => [
    loss,
    ...dims.map((d) => meanSd(summarize(runsOf(loss, d).map(ms)), (x) => fmt(x, 3))),
    fixed(meanMs(loss, [dims.at(-1)!])[0] / meanMs(loss, [dims[0]])[0], 2),
    fixed(logLogSlope(dims, meanMs(loss, dims)), 2),
    fixed(logLogSlope(last2, meanMs(loss, last2)), 2),
  ]);
  console.log(`**Milliseconds per training step** (mean ± sd over seeds), the ratio D = ${dims.at(-1)} / D = ${dims[0]}, and the slope of log(ms/step) against log D over all D and over the last two:\n`);
  console.log(markdownTable(['objective', ...dims.map((d) => `D = ${d}`), `ratio ${dims.at(-1)}/${dims[0]}`, 'slope (all D)', `slope (D ${last2[0]}→${last2[1]})`], timeRows));

  const fisherRows = losses.map((loss) => [loss, ...dims.map((d) => meanSd(summarize(runsOf(loss, d).map((r) => r.metrics['eval/fisher'])), (x) => fmt(x, 2)))]);
  console.log(`\n**Fisher divergence** eval/fisher = σ² · ½ E‖s − ∇log p_σ‖² after ${configValue(r0, 'train.steps')} steps (mean ± sd over seeds):\n`);
  console.log(markdownTable(['objective', ...dims.map((d) => `D = ${d}`)], fisherRows));

  // eval/fisher relative to that of the zero score, sigma^2 * 1/2 E||grad log p_sigma||^2 (Monte Carlo,
  // 20,000 samples): 1 = nothing learned, 0 = exact.
  await selectBackend('wasm');
  const sigma = sigmas?.[0] ?? 0;
  const zeroFisher = new Map<number, number>(
    dims.map((d) => {
      const spec = datasetOf(runsOf(losses[0], d)[0]);
      return [d, halfScoreNorm(spec, [sigma], 20_000, 99)[0] * (sigma === 0 ? 1 : sigma * sigma)];
    }),
  );
  const relative = (r: ExportRecord) => r.metrics['eval/fisher'] / zeroFisher.get(dimOf(r))!;
  const relRows = losses.map((loss) => [loss, ...dims.map((d) => meanSd(summarize(runsOf(loss, d).map(relative)), (x) => fmt(x, 2)))]);
  console.log(
    `\n**Relative Fisher divergence**: eval/fisher divided by that of the zero score (σ² · ½ E‖∇log p_σ‖² = ${dims.map((d) => fmt(zeroFisher.get(d)!, 3)).join(', ')} ` +
      `for D = ${dims.join(', ')}); 1 means nothing learned:\n`,
  );
  console.log(markdownTable(['objective', ...dims.map((d) => `D = ${d}`)], relRows));

  const series = (value: (r: ExportRecord) => number): LineSeries[] =>
    losses.map((loss) => ({
      label: loss,
      points: dims.map((d) => {
        const s = summarize(runsOf(loss, d).map(value));
        return { x: d, y: s.mean, yLow: s.min, yHigh: s.max };
      }),
    }));
  const img1 = writeSvg(
    args.imgDir,
    'ssm-scalability-time.svg',
    lineChart({
      title: 'Time per training step vs dimension (mean, min–max over seeds)',
      x: { label: 'data dimension D', log: true, ticks: dims.map((d) => ({ value: d, label: String(d) })) },
      y: { label: 'ms per step', log: true },
      series: series(ms),
    }),
  );
  const img2 = writeSvg(
    args.imgDir,
    'ssm-scalability-fisher.svg',
    lineChart({
      title: `Fisher divergence after ${configValue(r0, 'train.steps')} steps, relative to the zero score (mean, min–max)`,
      x: { label: 'data dimension D', log: true, ticks: dims.map((d) => ({ value: d, label: String(d) })) },
      y: { label: 'eval/fisher / eval/fisher of s = 0', log: true },
      series: series(relative),
    }),
  );
  for (const img of [img1, img2]) if (img) console.error(`wrote ${img}`);
}

runMain(main);
