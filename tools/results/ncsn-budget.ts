/**
 * Reproduction 1b: relative mode weights of annealed Langevin with trained networks, against the
 * training budget, and whether each (objective, budget) has converged.
 *
 *   npx tsx tools/results/ncsn-budget.ts --db runs/results.db [--sweep NAME|ID] [--exact-sweep NAME|ID] [--img DIR | --no-img]
 *
 * Reads the latest sweep made from experiments/ncsn-budget.yaml (train.steps x loss.kind x seeds)
 * and the one made from experiments/ncsn-weights-exact-ald.yaml (the same annealed Langevin with the
 * exact score, same seeds: same start points and sampler noise). Prints per objective and budget the
 * fraction w(5,5) of samples in the 0.8 mode, its difference from the exact-score run of the same
 * seed, the sample metrics beside their ref/ floors, eval/fisher, and the plateau checks of
 * ./plateau.ts. Writes docs/img/ncsn-budget-tv.svg and docs/img/ncsn-budget-fisher.svg.
 */
import type { ExportRecord } from '@scorelab/tracking';
import { selectBackend } from '@scorelab/core';
import { halfScoreNorm } from './exact';
import { changeBound, isPlateau, pairedChange, seedChange, trendChange, type Change, type CurvePoint } from './plateau';
import { checkFlags, commonArgs, configValue, datasetOf, finishedRuns, flag, groupBy, openResults, provenance, resolveSweep, runMain, writeSvg } from './store';
import { fixed, fmt, markdownTable, meanSd, median, summarize } from './table';
import { lineChart, type LineSeries } from './svg';

const USAGE = 'usage: npx tsx tools/results/ncsn-budget.ts [--db runs/results.db] [--sweep NAME|ID] [--exact-sweep NAME|ID] [--img DIR | --no-img]';
/** Mode 1 of mog2d-weighted is N((5,5), I) with weight 0.8. */
const MODE_KEY = 'sample/mode_weight/1';
const TRUE_WEIGHT = 0.8;
/** Plateau tolerances: eval/fisher may still change by 10% of its value, w(5,5) by 0.02 (see docs/results.md). */
const FISHER_TOLERANCE = 0.1;
const WEIGHT_TOLERANCE = 0.02;
/** The along-the-run check fits the last half of each eval/fisher curve. */
const TAIL = 0.5;

const lossOf = (r: ExportRecord) => String(configValue(r, 'loss.kind'));
const stepsOf = (r: ExportRecord) => Number(configValue(r, 'train.steps'));
const bySeed = (runs: readonly ExportRecord[], value: (r: ExportRecord) => number) => new Map(runs.map((r) => [r.seed, value(r)]));
const pm = (c: Change, format: (x: number) => string = (x) => fmt(x, 2)) => (c.n === 0 ? '—' : `${format(c.mean)} ± ${format(c.se)}`);
const yes = (ok: boolean) => (ok ? 'yes' : 'no');

interface Verdict {
  fisherStep: Change | null;
  weightStep: Change | null;
  trend: Change;
  fisherTol: number;
  fisherStepOk: boolean;
  weightStepOk: boolean;
  trendOk: boolean;
  converged: boolean;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['db', 'img', 'no-img', 'sweep', 'exact-sweep'], USAGE);
  const args = commonArgs(argv);
  const store = await openResults(args.db);
  const budget = await finishedRuns(store, await resolveSweep(store, 'ncsn-budget', flag(argv, 'sweep'), args.db));
  const exact = await finishedRuns(store, await resolveSweep(store, 'ncsn-weights-exact-ald', flag(argv, 'exact-sweep'), args.db));
  // A run that sampled a model another run trained (same training hash, e.g. an earlier sweep in the
  // same store) has no training series of its own: its eval curve and training time are the source run's.
  const curves = new Map<number, CurvePoint[]>();
  const trainSeconds = new Map<number, number>();
  for (const summary of budget.summaries) {
    const model = summary.modelId === null ? undefined : await store.getModel(summary.modelId);
    const source = model && model.sourceRunId !== summary.id ? await store.getRun(model.sourceRunId) : summary;
    const id = source?.id ?? summary.id;
    curves.set(summary.id, (await store.metricSeries(id, 'eval/fisher')).points.map((p) => ({ step: p.step, value: p.value })));
    trainSeconds.set(summary.id, (source?.durationMs ?? NaN) / 1000);
  }
  await store.close();
  if (budget.records.length === 0) throw new Error(`sweep ${budget.sweep.name} has no finished runs`);

  console.log(`<!-- ${provenance(budget)} -->`);
  console.log(`<!-- ${provenance(exact)} -->\n`);

  const aldExact = exact.records.filter((r) => configValue(r, 'sampler.kind') === 'ald');
  const exactW = bySeed(aldExact, (r) => r.metrics[MODE_KEY]);
  const losses = [...groupBy(budget.records, lossOf).keys()];
  const budgets = [...new Set(budget.records.map(stepsOf))].sort((a, b) => a - b);
  const cells = groupBy(budget.records, (r) => `${lossOf(r)}@${stepsOf(r)}`);
  const runsOf = (loss: string, steps: number) => cells.get(`${loss}@${steps}`) ?? [];
  const r0 = budget.records[0];

  // --- What the runs measured, per objective and budget.
  const exactWs = summarize([...exactW.values()]);
  const exactTv = summarize(aldExact.map((r) => r.metrics['sample/mode_weight_tv']));
  console.log(
    `Annealed Langevin (eps ${configValue(r0, 'sampler.stepSize')}, T ${configValue(r0, 'sampler.stepsPerLevel')}, ${configValue(r0, 'noise.levels')} levels ` +
      `${configValue(r0, 'noise.sigmaMax')} → ${configValue(r0, 'noise.sigmaMin')}, ${configValue(r0, 'sampler.samples')} samples) with ${configValue(r0, 'model.hidden')} ` +
      `${configValue(r0, 'model.activation')} MLPs (σ embedded) trained for the given number of Adam steps (batch ${configValue(r0, 'train.batchSize')}, lr ${configValue(r0, 'train.lr')}). ` +
      `The same sampler with the exact score, same seeds: w(5,5) ${meanSd(exactWs, (x) => fixed(x, 3))} (${exactWs.n} seeds), mode-weight TV ${meanSd(exactTv, (x) => fixed(x, 3))}. ` +
      `"w − exact" is w(5,5) minus that of the exact-score run with the same seed (same start points and sampler noise), mean ± se over seeds. ` +
      `Each sample metric has its floor beside it (ref: the same metric between two independent sets of data samples of the same size, mean over seeds); ` +
      `for two modes the mode-weight TV is |w(5,5) − ${TRUE_WEIGHT}|. "s per run" is the wall time of the run that trained the model (training, evaluation, sampling), which depends on the load of the machine.\n`,
  );
  const seSummary = (xs: number[]) => {
    const s = summarize(xs);
    return { n: s.n, mean: s.mean, se: s.n < 2 ? NaN : s.sd / Math.sqrt(s.n) };
  };
  const rows = losses.flatMap((loss) =>
    budgets.map((steps) => {
      const runs = runsOf(loss, steps);
      const w = summarize(runs.map((r) => r.metrics[MODE_KEY]));
      const vsExact = pairedChange(exactW, bySeed(runs, (r) => r.metrics[MODE_KEY]));
      const metric = (key: string) => summarize(runs.map((r) => r.metrics[key]));
      return [
        loss,
        String(steps),
        String(w.n),
        meanSd(w, (x) => fixed(x, 3)),
        pm(vsExact, (x) => fixed(x, 3)),
        meanSd(metric('sample/mode_weight_tv'), (x) => fixed(x, 3)),
        fixed(metric('ref/mode_weight_tv').mean, 3),
        pm(seSummary(runs.map((r) => r.metrics['eval/fisher'])), (x) => fmt(x, 2)),
        meanSd(metric('sample/mmd'), (x) => fmt(x, 2)),
        fmt(metric('ref/mmd').mean, 2),
        fmt(median(runs.map((r) => r.metrics['sample/mmd_p'])), 2),
        fmt(summarize(runs.map((r) => trainSeconds.get(r.id) ?? NaN)).mean, 2),
      ];
    }),
  );
  console.log(
    markdownTable(
      ['objective', 'steps', 'seeds', 'w(5,5) mean ± sd', 'w − exact (± se)', 'mode-weight TV', 'TV ref', 'eval/fisher (± se)', 'MMD²', 'MMD² ref', 'mmd_p (median)', 's per run'],
      rows,
    ),
  );

  // --- Plateau checks.
  const verdicts = new Map<string, Verdict>();
  for (const loss of losses) {
    budgets.forEach((steps, k) => {
      const runs = runsOf(loss, steps);
      const fisher = bySeed(runs, (r) => r.metrics['eval/fisher']);
      const fisherTol = FISHER_TOLERANCE * summarize([...fisher.values()]).mean;
      const prev = k > 0 ? runsOf(loss, budgets[k - 1]) : null;
      const fisherStep = prev ? pairedChange(bySeed(prev, (r) => r.metrics['eval/fisher']), fisher) : null;
      const weightStep = prev ? pairedChange(bySeed(prev, (r) => r.metrics[MODE_KEY]), bySeed(runs, (r) => r.metrics[MODE_KEY])) : null;
      const trend = seedChange(runs.map((r) => trendChange(curves.get(r.id) ?? [], TAIL)));
      const fisherStepOk = fisherStep !== null && isPlateau(fisherStep, fisherTol);
      const weightStepOk = weightStep !== null && isPlateau(weightStep, WEIGHT_TOLERANCE);
      const trendOk = isPlateau(trend, fisherTol);
      verdicts.set(`${loss}@${steps}`, { fisherStep, weightStep, trend, fisherTol, fisherStepOk, weightStepOk, trendOk, converged: fisherStepOk && weightStepOk && trendOk });
    });
  }
  console.log(
    `\n**Plateau checks.** Each compares the 95% bound of a change, |mean| + 2 se over seeds, with a tolerance: ` +
      `(a) eval/fisher after this budget minus after the previous one, per seed, within ${FISHER_TOLERANCE * 100}% of this budget's mean eval/fisher; ` +
      `(b) the same for w(5,5), within ${WEIGHT_TOLERANCE}; (c) along each run, the least-squares trend of its eval/fisher curve (eval.every ${configValue(r0, 'eval.every')}) ` +
      `over the last ${TAIL * 100}% of its steps, times that span, within the same ${FISHER_TOLERANCE * 100}%. ` +
      `Converged = (a), (b) and (c) hold; the first budget has no (a) or (b) and is never called converged.\n`,
  );
  const plateauRows = losses.flatMap((loss) =>
    budgets.map((steps) => {
      const v = verdicts.get(`${loss}@${steps}`)!;
      return [
        loss,
        String(steps),
        v.fisherStep ? pm(v.fisherStep) : '—',
        v.fisherStep ? `${fmt(changeBound(v.fisherStep), 2)} ≤ ${fmt(v.fisherTol, 2)}: ${yes(v.fisherStepOk)}` : '—',
        v.weightStep ? pm(v.weightStep, (x) => fixed(x, 3)) : '—',
        v.weightStep ? `${fixed(changeBound(v.weightStep), 3)} ≤ ${WEIGHT_TOLERANCE}: ${yes(v.weightStepOk)}` : '—',
        pm(v.trend),
        `${fmt(changeBound(v.trend), 2)} ≤ ${fmt(v.fisherTol, 2)}: ${yes(v.trendOk)}`,
        yes(v.converged),
      ];
    }),
  );
  console.log(
    markdownTable(
      ['objective', 'steps', '(a) Δ eval/fisher', '(a) bound ≤ tol', '(b) Δ w(5,5)', '(b) bound ≤ tol', '(c) trend of eval/fisher', '(c) bound ≤ tol', 'converged'],
      plateauRows,
      ['left', 'right', 'right', 'left', 'right', 'left', 'right', 'left', 'left'],
    ),
  );

  // --- Training is deterministic given the seed: the longer run passes through the shorter run's model,
  // so its eval curve at the shorter budget repeats that run's final eval/fisher (what makes (a) paired).
  let same = 0;
  let compared = 0;
  for (const loss of losses) {
    budgets.slice(1).forEach((steps, k) => {
      const shorter = bySeed(runsOf(loss, budgets[k]), (r) => r.metrics['eval/fisher']);
      for (const r of runsOf(loss, steps)) {
        const atShorter = curves.get(r.id)?.find((p) => p.step === budgets[k])?.value;
        if (atShorter === undefined || !shorter.has(r.seed)) continue;
        compared++;
        if (atShorter === shorter.get(r.seed)) same++;
      }
    });
  }
  console.log(`\nCheck: the eval/fisher curve of a run at the previous budget's step equals that run's final eval/fisher in ${same} of ${compared} (objective, budget, seed) pairs.`);

  // --- What can be concluded: the converged cells' weight bias against the exact score.
  const conclusions = losses.flatMap((loss) =>
    budgets
      .filter((steps) => verdicts.get(`${loss}@${steps}`)!.converged)
      .map((steps) => {
        const c = pairedChange(exactW, bySeed(runsOf(loss, steps), (r) => r.metrics[MODE_KEY]));
        const z = c.mean / c.se;
        return `${loss} at ${steps} steps: w − exact = ${pm(c, (x) => fixed(x, 3))} (${Math.abs(z) > 2 ? `${fixed(Math.abs(z), 1)} se from 0: a bias` : `within 2 se of 0: no bias detected`})`;
      }),
  );
  console.log(`\nConverged cells and their mode-weight bias against the exact score: ${conclusions.length ? conclusions.join('; ') : 'none'}.`);

  // --- Score error per noise level, relative to the size of the true score, smallest and largest budget.
  const levelKeys = [...new Set(budget.records.flatMap((r) => Object.keys(r.metrics).filter((k) => k.startsWith('eval/fisher@'))))]
    .map((key) => ({ key, sigma: Number(key.slice('eval/fisher@'.length)) }))
    .sort((a, b) => b.sigma - a.sigma);
  if (levelKeys.length > 0) {
    await selectBackend('wasm');
    // 1/2 E ||grad log p_sigma||^2 by Monte Carlo (200k samples: relative standard error well under 1%).
    const scale = halfScoreNorm(datasetOf(r0), levelKeys.map((l) => l.sigma), 200_000, 12345);
    const ends = [budgets[0], budgets[budgets.length - 1]];
    const levelRows = levelKeys.map((l, i) => [
      fmt(l.sigma, 4),
      fmt(scale[i], 3),
      ...losses.flatMap((loss) => ends.map((steps) => meanSd(summarize(runsOf(loss, steps).map((r) => r.metrics[l.key] / scale[i])), (x) => fmt(x, 2)))),
    ]);
    console.log(
      `\n**Relative score error per noise level**, F(σ) / (½ E_{p_σ}‖∇log p_σ‖²) with F(σ) = eval/fisher@σ = ½ E_{p_σ}‖s(x, σ) − ∇log p_σ(x)‖² ` +
        `(mean ± sd over seeds; the denominator, second column, by Monte Carlo with 200,000 samples), after ${ends[0]} and ${ends[1]} steps:\n`,
    );
    console.log(markdownTable(['σ', '½E‖∇log p_σ‖²', ...losses.flatMap((loss) => ends.map((steps) => `${loss} ${steps}`))], levelRows));
  }

  // --- Plots: one line per objective against the budget, band = min–max over seeds.
  const series = (value: (r: ExportRecord) => number): LineSeries[] =>
    losses.map((loss) => ({
      label: loss,
      band: true,
      points: budgets.map((steps) => {
        const s = summarize(runsOf(loss, steps).map(value));
        return { x: steps, y: s.mean, yLow: s.min, yHigh: s.max };
      }),
    }));
  const xAxis = { label: 'training steps (Adam, batch 128)', log: true, ticks: budgets.map((b) => ({ value: b, label: String(b) })) };
  const refTv = summarize(budget.records.map((r) => r.metrics['ref/mode_weight_tv'])).mean;
  const img1 = writeSvg(
    args.imgDir,
    'ncsn-budget-tv.svg',
    lineChart({
      title: 'Mode-weight TV = |w(5,5) − 0.8| against the training budget (mean, band min–max over seeds)',
      x: xAxis,
      y: { label: 'mode-weight TV', min: 0 },
      series: [
        ...series((r) => r.metrics['sample/mode_weight_tv']),
        { label: 'exact score, same sampler', dashed: true, color: '#555555', points: budgets.map((steps) => ({ x: steps, y: exactTv.mean })) },
      ],
      references: [{ y: refTv, label: `ref (data vs data) ${fixed(refTv, 3)}` }],
      width: 800,
    }),
  );
  const img2 = writeSvg(
    args.imgDir,
    'ncsn-budget-fisher.svg',
    lineChart({
      title: 'eval/fisher against the training budget (mean, band min–max over seeds)',
      x: xAxis,
      y: { label: 'eval/fisher (σ²-weighted, 10 levels)', log: true },
      series: series((r) => r.metrics['eval/fisher']),
      width: 800,
    }),
  );
  for (const img of [img1, img2]) if (img) console.error(`wrote ${img}`);
}

runMain(main);
