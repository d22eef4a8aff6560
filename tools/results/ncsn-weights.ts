/**
 * Reproduction 1: NCSN relative mode weights (Song & Ermon 2019, section 3.2.2).
 *
 *   npx tsx tools/results/ncsn-weights.ts --db runs/results.db [--exact-sweep NAME|ID] [--trained-sweep NAME|ID] [--img DIR | --no-img]
 *
 * Reads the latest sweeps made from experiments/ncsn-weights-exact.yaml and
 * experiments/ncsn-weights-trained.yaml and prints (Markdown) the fraction of samples in the (5,5)
 * mode per sampler / objective over seeds, the score error per noise level relative to the size of
 * the true score, and how the two relate across runs. Writes docs/img/ncsn-weights.svg and
 * docs/img/ncsn-weights-fisher.svg.
 */
import type { ExportRecord } from '@scorelab/tracking';
import { selectBackend } from '@scorelab/core';
import { halfScoreNorm } from './exact';
import { checkFlags, commonArgs, configValue, datasetOf, finishedRuns, flag, groupBy, openResults, provenance, resolveSweep, runMain, writeSvg } from './store';
import { fixed, fmt, markdownTable, meanSd, pearson, range, ranks, summarize } from './table';
import { lineChart, PALETTE, type LineSeries } from './svg';

const USAGE = 'usage: npx tsx tools/results/ncsn-weights.ts [--db runs/results.db] [--exact-sweep NAME|ID] [--trained-sweep NAME|ID] [--img DIR | --no-img]';
/** Mode 1 of mog2d-weighted is N((5,5), I) with weight 0.8. */
const MODE_KEY = 'sample/mode_weight/1';
const TRUE_WEIGHT = 0.8;

/** Sampler label of a run of the exact sweep. */
function samplerLabel(r: ExportRecord): string {
  const kind = configValue(r, 'sampler.kind');
  return kind === 'ald' ? `ald (eps ${configValue(r, 'sampler.stepSize')}, T ${configValue(r, 'sampler.stepsPerLevel')})` : `langevin (eps ${configValue(r, 'sampler.stepSize')}, ${configValue(r, 'sampler.steps')} steps)`;
}

/** eval/fisher@<sigma> keys of a run, largest sigma first. */
function fisherLevels(records: readonly ExportRecord[]): { sigma: number; key: string }[] {
  const keys = new Set(records.flatMap((r) => Object.keys(r.metrics).filter((k) => k.startsWith('eval/fisher@'))));
  return [...keys].map((key) => ({ key, sigma: Number(key.slice('eval/fisher@'.length)) })).sort((a, b) => b.sigma - a.sigma);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['db', 'img', 'no-img', 'exact-sweep', 'trained-sweep'], USAGE);
  const args = commonArgs(argv);
  const store = await openResults(args.db);
  const exact = await finishedRuns(store, await resolveSweep(store, 'ncsn-weights-exact', flag(argv, 'exact-sweep'), args.db));
  const trained = await finishedRuns(store, await resolveSweep(store, 'ncsn-weights-trained', flag(argv, 'trained-sweep'), args.db));
  await store.close();

  console.log(`<!-- ${provenance(exact)} -->`);
  console.log(`<!-- ${provenance(trained)} -->\n`);

  // --- Exact score: plain vs annealed Langevin.
  const n = Number(configValue(exact.records[0], 'sampler.samples'));
  const binomialSd = Math.sqrt((TRUE_WEIGHT * (1 - TRUE_WEIGHT)) / n);
  const bySampler = groupBy(exact.records, samplerLabel);
  const exactRows = [...bySampler].map(([label, runs]) => {
    const w = summarize(runs.map((r) => r.metrics[MODE_KEY]));
    return [label, String(w.n), meanSd(w, (x) => fixed(x, 3)), range(w, (x) => fixed(x, 3)), meanSd(summarize(runs.map((r) => r.metrics['sample/mode_weight_tv'])), (x) => fixed(x, 3)), meanSd(summarize(runs.map((r) => r.metrics['sample/mmd'])))];
  });
  console.log(`**Exact score** (\`model: analytic\`), ${n} samples per run, uniform start on [-8,8]^2; true weight of the (5,5) mode ${TRUE_WEIGHT}. ` + `Binomial noise alone gives a standard deviation of ${fixed(binomialSd, 4)} for the fraction.\n`);
  console.log(markdownTable(['sampler', 'seeds', 'w(5,5) mean ± sd', 'min – max', 'mode-weight TV', 'MMD²'], exactRows));

  // --- Trained networks, sampled with ald.
  const levels = fisherLevels(trained.records);
  const spec = datasetOf(trained.records[0]);
  await selectBackend('wasm');
  // 1/2 E ||grad log p_sigma||^2 by Monte Carlo (200k samples: relative standard error well under 1%).
  const scale = halfScoreNorm(spec, levels.map((l) => l.sigma), 200_000, 12345);
  const relative = (r: ExportRecord, i: number) => r.metrics[levels[i].key] / scale[i];

  const byLoss = groupBy(trained.records, (r) => String(configValue(r, 'loss.kind')));
  const aldRuns = bySampler.get([...bySampler.keys()].find((k) => k.startsWith('ald')) ?? '') ?? [];
  const aldSd = summarize(aldRuns.map((r) => r.metrics[MODE_KEY])).sd;
  const trainedRows = [...byLoss].map(([loss, runs]) => {
    const w = summarize(runs.map((r) => r.metrics[MODE_KEY]));
    return [
      loss,
      String(w.n),
      meanSd(w, (x) => fixed(x, 3)),
      range(w, (x) => fixed(x, 3)),
      meanSd(summarize(runs.map((r) => Math.abs(r.metrics[MODE_KEY] - TRUE_WEIGHT))), (x) => fixed(x, 3)),
      meanSd(summarize(runs.map((r) => r.metrics['eval/fisher']))),
      meanSd(summarize(runs.map((r) => r.metrics['sample/mmd']))),
    ];
  });
  const t0 = trained.records[0];
  console.log(
    `\n**Trained networks**, sampled with the same annealed Langevin (${configValue(t0, 'model.hidden')} ${configValue(t0, 'model.activation')} MLP, ` +
      `${configValue(t0, 'train.steps')} Adam steps of batch ${configValue(t0, 'train.batchSize')}, lr ${configValue(t0, 'train.lr')}). ` +
      `For comparison, the exact-score ald runs above have a seed-to-seed sd of ${fixed(aldSd, 3)}.\n`,
  );
  console.log(markdownTable(['objective', 'seeds', 'w(5,5) mean ± sd', 'min – max', '|w − 0.8| mean ± sd', 'eval/fisher', 'MMD²'], trainedRows));

  // --- Fisher divergence per level, relative to the size of the true score.
  const losses = [...byLoss.keys()];
  const relRows = levels.map((l, i) => [
    fmt(l.sigma, 4),
    fmt(scale[i], 3),
    ...losses.flatMap((loss) => {
      const runs = byLoss.get(loss)!;
      return [meanSd(summarize(runs.map((r) => r.metrics[l.key])), (x) => fmt(x, 2)), meanSd(summarize(runs.map((r) => relative(r, i))), (x) => fmt(x, 2))];
    }),
  ]);
  console.log(
    `\n**Score error per noise level**: F(σ) = eval/fisher@σ = ½ E_{p_σ}‖s(x, σ) − ∇log p_σ(x)‖² (mean ± sd over seeds) ` +
      `and F(σ) / (½ E_{p_σ}‖∇log p_σ‖²), the error relative to the size of the true score (the denominator, second column, by Monte Carlo with 200,000 samples).\n`,
  );
  console.log(markdownTable(['σ', '½E‖∇log p_σ‖²', ...losses.flatMap((loss) => [`${loss} F(σ)`, `${loss} relative`])], relRows));

  // --- Which levels' error goes with a wrong weight? Spearman rank correlation across all trained runs.
  const err = trained.records.map((r) => Math.abs(r.metrics[MODE_KEY] - TRUE_WEIGHT));
  const corrRows = [
    ...levels.map((l, i) => {
      const rel = trained.records.map((r) => relative(r, i));
      return [`relative F(${fmt(l.sigma, 4)})`, fixed(pearson(ranks(rel), ranks(err)), 2)];
    }),
    ['eval/fisher (σ²-weighted mean over levels)', fixed(pearson(ranks(trained.records.map((r) => r.metrics['eval/fisher'])), ranks(err)), 2)],
  ];
  console.log(`\n**Spearman rank correlation** between |w(5,5) − 0.8| and the score error, over all ${trained.records.length} trained runs (with n = ${trained.records.length}, |ρ| < ${fixed(1.96 / Math.sqrt(trained.records.length - 1), 2)} is within the 95% band of no correlation).\n`);
  console.log(markdownTable(['score error', 'ρ'], corrRows));

  // --- Per run.
  const pick = [0, Math.floor((levels.length - 1) / 3), Math.floor((2 * (levels.length - 1)) / 3), levels.length - 1].filter((v, i, a) => a.indexOf(v) === i);
  const runRows = trained.records.map((r) => [
    String(configValue(r, 'loss.kind')),
    String(r.seed),
    fixed(r.metrics[MODE_KEY], 3),
    fmt(r.metrics['eval/fisher'], 3),
    ...pick.map((i) => fmt(relative(r, i), 2)),
  ]);
  console.log(`\n**Per run** (relative F at four of the levels):\n`);
  console.log(markdownTable(['objective', 'seed', 'w(5,5)', 'eval/fisher', ...pick.map((i) => `rel. F(${fmt(levels[i].sigma, 4)})`)], runRows));

  // --- Plots.
  const settings: { label: string; runs: ExportRecord[] }[] = [
    ...[...bySampler].map(([label, runs]) => ({ label: `exact, ${label.split(' ')[0]}`, runs })),
    ...[...byLoss].map(([loss, runs]) => ({ label: `${loss}, ald`, runs })),
  ];
  const strip: LineSeries[] = settings.map((s, i) => ({
    label: s.label,
    line: false,
    color: PALETTE[i % PALETTE.length],
    // Spread the seeds a little sideways so equal values stay visible.
    points: s.runs.map((r, k) => ({ x: i + (k - (s.runs.length - 1) / 2) * 0.06, y: r.metrics[MODE_KEY] })),
  }));
  const img1 = writeSvg(
    args.imgDir,
    'ncsn-weights.svg',
    lineChart({
      title: 'Fraction of samples in the (5,5) mode, one dot per seed',
      x: { label: 'score and sampler', min: -0.6, max: settings.length - 0.4, ticks: settings.map((s, i) => ({ value: i, label: s.label })) },
      y: { label: 'w(5,5)', min: 0.4, max: 1.0 },
      series: strip,
      references: [{ y: TRUE_WEIGHT, label: 'true weight 0.8' }],
      width: 760,
    }),
  );
  const fisherSeries: LineSeries[] = losses.map((loss) => {
    const runs = byLoss.get(loss)!;
    return {
      label: loss,
      points: levels.map((l, i) => {
        const s = summarize(runs.map((r) => relative(r, i)));
        return { x: l.sigma, y: s.mean, yLow: s.min, yHigh: s.max };
      }),
    };
  });
  const img2 = writeSvg(
    args.imgDir,
    'ncsn-weights-fisher.svg',
    lineChart({
      title: 'Score error relative to the true score, per noise level (mean, min–max over seeds)',
      x: { label: 'σ', log: true },
      y: { label: 'F(σ) / ½E‖∇log p_σ‖²', log: true },
      series: fisherSeries,
      width: 760,
    }),
  );
  for (const img of [img1, img2]) if (img) console.error(`wrote ${img}`);
}

runMain(main);
