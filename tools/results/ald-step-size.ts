/**
 * Reproduction 2: step-size and schedule sensitivity of annealed Langevin dynamics with the exact
 * score.
 *
 *   npx tsx tools/results/ald-step-size.ts --db runs/results.db [--sweep NAME|ID] [--img DIR | --no-img]
 *
 * Reads the latest sweep made from experiments/ald-step-size.yaml (or --sweep; any sweep over
 * noise.levels x sampler.stepsPerLevel x sampler.stepSize of an analytic model works) and prints
 * the mode-weight TV and MMD^2 per (L, T) and eps, next to what exact samples of p_{sigma_L} score
 * (the noise floor of both metrics at these sample sizes). Writes docs/img/ald-step-size-tv.svg and
 * docs/img/ald-step-size-mmd.svg.
 */
import type { ExportRecord } from '@scorelab/tracking';
import { selectBackend } from '@scorelab/core';
import { exactSampleFloor } from './exact';
import { checkFlags, commonArgs, configValue, datasetOf, finishedRuns, flag, groupBy, openResults, provenance, resolveSweep, runMain, writeSvg } from './store';
import { fixed, fmt, markdownTable, meanSd, summarize, type Summary } from './table';
import { lineChart, type LineSeries } from './svg';

const USAGE = 'usage: npx tsx tools/results/ald-step-size.ts [--db runs/results.db] [--sweep NAME|ID] [--img DIR | --no-img]';
const FLOOR_REPS = 20;

interface Cell {
  tv: Summary;
  mmd: Summary;
  w: Summary;
  /** The runs' ref/ floors: the metric between two independent sets of data samples of the same size. */
  refTv: Summary;
  refMmd: Summary;
  refW: Summary;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['db', 'img', 'no-img', 'sweep'], USAGE);
  const args = commonArgs(argv);
  const store = await openResults(args.db);
  const sweep = await finishedRuns(store, await resolveSweep(store, 'ald-step-size', flag(argv, 'sweep'), args.db));
  await store.close();
  console.log(`<!-- ${provenance(sweep)} -->\n`);

  const records = sweep.records;
  const levelsOf = (r: ExportRecord) => Number(configValue(r, 'noise.levels'));
  const stepsOf = (r: ExportRecord) => Number(configValue(r, 'sampler.stepsPerLevel'));
  const epsOf = (r: ExportRecord) => Number(configValue(r, 'sampler.stepSize'));
  const epsValues = [...new Set(records.map(epsOf))].sort((a, b) => a - b);
  const schedules = [...groupBy(records, (r) => `${levelsOf(r)},${stepsOf(r)}`).keys()]
    .map((k) => k.split(',').map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cells = new Map<string, Cell>();
  for (const [key, runs] of groupBy(records, (r) => `${levelsOf(r)},${stepsOf(r)},${epsOf(r)}`)) {
    cells.set(key, {
      tv: summarize(runs.map((r) => r.metrics['sample/mode_weight_tv'])),
      mmd: summarize(runs.map((r) => r.metrics['sample/mmd'])),
      w: summarize(runs.map((r) => r.metrics['sample/mode_weight/1'])),
      refTv: summarize(runs.map((r) => r.metrics['ref/mode_weight_tv'])),
      refMmd: summarize(runs.map((r) => r.metrics['ref/mmd'])),
      refW: summarize(runs.map((r) => r.metrics['ref/mode_weight/1'])),
    });
  }
  const cell = (l: number, t: number, eps: number) => cells.get(`${l},${t},${eps}`);

  // What exact samples of p_{sigma_L} score with the same sample sizes.
  const r0 = records[0];
  const spec = datasetOf(r0);
  const sigmaMin = Number(configValue(r0, 'noise.sigmaMin'));
  const n = Number(configValue(r0, 'sampler.samples'));
  const nRef = Number(configValue(r0, 'eval.samples') ?? 1000);
  await selectBackend('wasm');
  const floor = exactSampleFloor(spec, sigmaMin, n, nRef, FLOOR_REPS, 2024);
  const tvFloor = summarize(floor.tv);
  const mmdFloor = summarize(floor.mmd);
  // "Within noise": a cell's mean over its seeds is at most the floor's mean plus 2 standard errors of
  // a mean of that many exact-sample draws (sd / sqrt(seeds)).
  const seedsPerCell = Math.max(...[...cells.values()].map((c) => c.tv.n));
  const tvOk = tvFloor.mean + (2 * tvFloor.sd) / Math.sqrt(seedsPerCell);
  const mmdOk = mmdFloor.mean + (2 * mmdFloor.sd) / Math.sqrt(seedsPerCell);

  const sigmaMax = Number(configValue(r0, 'noise.sigmaMax'));
  console.log(
    `Exact score of ${spec.kind}; geometric σ ${sigmaMax} → ${sigmaMin} with L levels, T steps per level, step a_i = eps σ_i²/σ_L²; ` +
      `${n} samples, uniform start on [${configValue(r0, 'sampler.init.low')},${configValue(r0, 'sampler.init.high')}]^2; ${seedsPerCell} seeds per cell.\n`,
  );
  console.log(
    `Floor (${FLOOR_REPS} draws of ${n} exact samples of p_${sigmaMin} against ${nRef} data points): ` +
      `mode-weight TV ${meanSd(tvFloor, (x) => fixed(x, 3))}, MMD² ${meanSd(mmdFloor)}. ` +
      `A cell is marked ✓ when its mean TV ≤ ${fixed(tvOk, 3)} and its mean MMD² ≤ ${fmt(mmdOk)} (floor mean + 2 sd / √${seedsPerCell}).\n`,
  );

  // The ref/ floor of a row: mean over the row's runs (the reference data depend only on the seed and
  // the sample count, so every cell with the same seeds has the same floor).
  const header = ['L', 'T', 'L·T', ...epsValues.map((e) => `eps ${e}`), 'ref'];
  const rows = (value: (c: Cell) => string, ref: (c: Cell[]) => string) =>
    schedules.map(([l, t]) => {
      const present = epsValues.map((e) => cell(l, t, e)).filter((c): c is Cell => c !== undefined);
      return [String(l), String(t), String(l * t), ...epsValues.map((e) => {
        const c = cell(l, t, e);
        return c ? value(c) : '—';
      }), ref(present)];
    });
  const refOf = (cs: Cell[], pick: (c: Cell) => Summary, format: (x: number) => string) => format(summarize(cs.map((c) => pick(c).mean)).mean);
  const refTvAll = summarize(records.map((r) => r.metrics['ref/mode_weight_tv']));
  const refMmdAll = summarize(records.map((r) => r.metrics['ref/mmd']));
  console.log(
    `ref = the runs' own floor, the metric between two independent sets of ${n} data samples (mean over the row's runs): ` +
      `mode-weight TV ${meanSd(refTvAll, (x) => fixed(x, 3))}, MMD² ${meanSd(refMmdAll)} over all runs. It is the floor of a sampler of p; ` +
      `the floor above, exact samples of p_${sigmaMin}, is that of a sampler of p_${sigmaMin}, which these settings target.\n`,
  );
  const ok = (c: Cell) => c.tv.mean <= tvOk && c.mmd.mean <= mmdOk;
  console.log('**Mode-weight TV**, mean (max) over seeds; ✓ = both metrics within the floor:\n');
  console.log(markdownTable(header, rows((c) => `${fixed(c.tv.mean, 3)} (${fixed(c.tv.max, 3)})${ok(c) ? ' ✓' : ''}`, (cs) => refOf(cs, (c) => c.refTv, (x) => fixed(x, 3)))));
  console.log('\n**MMD²** against the clean data, mean ± sd over seeds:\n');
  console.log(markdownTable(header, rows((c) => meanSd(c.mmd, (x) => fmt(x, 2)), (cs) => refOf(cs, (c) => c.refMmd, (x) => fmt(x, 2)))));
  console.log('\n**w(5,5)**, the fraction in the 0.8 mode, mean over seeds (shows the direction of the error); ref: the fraction among the reference data samples:\n');
  console.log(markdownTable(header, rows((c) => fixed(c.w.mean, 3), (cs) => fixed(summarize(cs.map((c) => c.refW.mean)).mean, 3))));

  const safe = schedules.flatMap(([l, t]) => epsValues.filter((e) => {
    const c = cell(l, t, e);
    return c !== undefined && ok(c);
  }).map((e) => `(L ${l}, T ${t}, eps ${e})`));
  console.log(`\nWithin the floor on both metrics: ${safe.length} of ${cells.size} settings: ${safe.join(', ') || 'none'}.`);

  // Plots: one line per (L, T) against eps, bars from min to max over seeds.
  const series = (metric: (c: Cell) => Summary): LineSeries[] =>
    schedules.map(([l, t]) => ({
      label: `L ${l}, T ${t}`,
      dashed: t === Math.min(...schedules.map((s) => s[1])),
      points: epsValues.flatMap((e) => {
        const c = cell(l, t, e);
        if (!c) return [];
        const s = metric(c);
        return [{ x: e, y: s.mean, yLow: s.min, yHigh: s.max }];
      }),
    }));
  const img1 = writeSvg(
    args.imgDir,
    'ald-step-size-tv.svg',
    lineChart({
      title: 'Annealed Langevin, exact score: mode-weight TV (mean, min–max over seeds)',
      x: { label: 'eps (step size at σ_L)', log: true },
      y: { label: 'mode-weight TV', min: 0 },
      series: series((c) => c.tv),
      references: [
        { y: tvFloor.mean, label: `exact samples of p_${sigmaMin}` },
        { y: refTvAll.mean, label: 'ref (data vs data)' },
      ],
      width: 760,
    }),
  );
  const img2 = writeSvg(
    args.imgDir,
    'ald-step-size-mmd.svg',
    lineChart({
      title: 'Annealed Langevin, exact score: MMD² to the data (mean, min–max over seeds)',
      x: { label: 'eps (step size at σ_L)', log: true },
      // Unbiased MMD² can be slightly negative; a log axis only when every value is positive.
      y: { label: 'MMD²', log: [...cells.values()].every((c) => c.mmd.min > 0) && mmdFloor.mean > 0 },
      series: series((c) => c.mmd),
      references: [{ y: mmdFloor.mean, label: `exact samples of p_${sigmaMin}` }],
      width: 760,
    }),
  );
  for (const img of [img1, img2]) if (img) console.error(`wrote ${img}`);
}

runMain(main);
