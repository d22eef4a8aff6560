/**
 * Reproduction 1a: NCSN relative mode weights with the exact score (Song & Ermon 2019, section 3.2.2).
 *
 *   npx tsx tools/results/ncsn-weights.ts --db runs/results.db [--exact-sweep NAME|ID] [--ald-sweep NAME|ID] [--img DIR | --no-img]
 *
 * Reads the latest sweeps made from experiments/ncsn-weights-exact.yaml (plain Langevin with the
 * clean data score, the paper's experiment) and experiments/ncsn-weights-exact-ald.yaml (annealed
 * Langevin, and plain Langevin with the score of p_1) and prints (Markdown) the fraction of samples
 * in the (5,5) mode per sampler over seeds, with every sample metric beside its ref/ floor. Writes
 * docs/img/ncsn-weights.svg. The trained networks are in ncsn-budget.ts.
 */
import type { ExportRecord } from '@scorelab/tracking';
import { checkFlags, commonArgs, configValue, finishedRuns, flag, groupBy, openResults, provenance, resolveSweep, runMain, writeSvg } from './store';
import { fixed, fmt, markdownTable, meanSd, median, range, summarize } from './table';
import { lineChart, PALETTE, type LineSeries } from './svg';

const USAGE = 'usage: npx tsx tools/results/ncsn-weights.ts [--db runs/results.db] [--exact-sweep NAME|ID] [--ald-sweep NAME|ID] [--img DIR | --no-img]';
/** Mode 1 of mog2d-weighted is N((5,5), I) with weight 0.8. */
const MODE_KEY = 'sample/mode_weight/1';
const TRUE_WEIGHT = 0.8;

/** Sampler and score of a run: plain Langevin without noise levels uses the clean score, with them the smallest level's. */
function samplerLabel(r: ExportRecord): string {
  const eps = configValue(r, 'sampler.stepSize');
  if (configValue(r, 'sampler.kind') === 'ald') return `ald (eps ${eps}, T ${configValue(r, 'sampler.stepsPerLevel')}), score of p_σ`;
  const sigmaMin = configValue(r, 'noise.sigmaMin');
  const score = sigmaMin === undefined ? 'clean score ∇log p (paper)' : `score of p_${sigmaMin} (variant)`;
  return `langevin (eps ${eps}, ${configValue(r, 'sampler.steps')} steps), ${score}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['db', 'img', 'no-img', 'exact-sweep', 'ald-sweep'], USAGE);
  const args = commonArgs(argv);
  const store = await openResults(args.db);
  const clean = await finishedRuns(store, await resolveSweep(store, 'ncsn-weights-exact', flag(argv, 'exact-sweep'), args.db));
  const annealed = await finishedRuns(store, await resolveSweep(store, 'ncsn-weights-exact-ald', flag(argv, 'ald-sweep'), args.db));
  await store.close();

  console.log(`<!-- ${provenance(clean)} -->`);
  console.log(`<!-- ${provenance(annealed)} -->\n`);

  const records = [...clean.records, ...annealed.records];
  if (records.length === 0) throw new Error('the exact-score sweeps have no finished runs');
  const n = Number(configValue(records[0], 'sampler.samples'));
  const binomialSd = Math.sqrt((TRUE_WEIGHT * (1 - TRUE_WEIGHT)) / n);
  const bySampler = groupBy(records, samplerLabel);
  const metric = (runs: readonly ExportRecord[], key: string) => summarize(runs.map((r) => r.metrics[key]));
  const rows = [...bySampler].map(([label, runs]) => {
    const w = metric(runs, MODE_KEY);
    return [
      label,
      String(w.n),
      meanSd(w, (x) => fixed(x, 3)),
      range(w, (x) => fixed(x, 3)),
      meanSd(metric(runs, 'sample/mode_weight_tv'), (x) => fixed(x, 3)),
      fixed(metric(runs, 'ref/mode_weight_tv').mean, 3),
      meanSd(metric(runs, 'sample/mmd'), (x) => fmt(x, 2)),
      fmt(metric(runs, 'ref/mmd').mean, 2),
      fmt(median(runs.map((r) => r.metrics['sample/mmd_p'])), 2),
    ];
  });
  console.log(
    `**Exact score** (\`model: analytic\`), ${n} samples per run, uniform start on [-8,8]^2; true weight of the (5,5) mode ${TRUE_WEIGHT}; ` +
      `binomial noise alone gives the fraction a standard deviation of ${fixed(binomialSd, 4)}. ` +
      `Each sample metric has its floor beside it (ref: the same metric between two independent sets of ${n} data samples, mean over the seeds); ` +
      `MMD² is against fresh data from p, which p_1 is not, so the annealed sampler cannot reach its ref. mmd_p is the permutation-test p-value against the data (median over seeds).\n`,
  );
  console.log(markdownTable(['sampler and score', 'seeds', 'w(5,5) mean ± sd', 'min – max', 'mode-weight TV', 'TV ref', 'MMD²', 'MMD² ref', 'mmd_p'], rows, ['left']));

  const settings = [...bySampler];
  // Short names for the plot: the sampler and which score it used.
  const short = (label: string) => (label.startsWith('ald') ? 'ald, score of p_σ' : label.includes('clean') ? 'langevin, clean score (paper)' : 'langevin, score of p_1 (variant)');
  const strip: LineSeries[] = settings.map(([label, runs], i) => ({
    label: short(label),
    line: false,
    color: PALETTE[i % PALETTE.length],
    // Spread the seeds a little sideways so equal values stay visible.
    points: runs.map((r, k) => ({ x: i + (k - (runs.length - 1) / 2) * 0.04, y: r.metrics[MODE_KEY] })),
  }));
  const img = writeSvg(
    args.imgDir,
    'ncsn-weights.svg',
    lineChart({
      title: 'Exact score: fraction of samples in the (5,5) mode, one dot per seed',
      x: { label: 'sampler', min: -0.6, max: settings.length - 0.4, ticks: strip.map((s, i) => ({ value: i, label: s.label.split(' (')[0] })) },
      y: { label: 'w(5,5)', min: 0.4, max: 1.0 },
      series: strip,
      references: [{ y: TRUE_WEIGHT, label: 'true weight 0.8' }],
      width: 800,
    }),
  );
  if (img) console.error(`wrote ${img}`);
}

runMain(main);
