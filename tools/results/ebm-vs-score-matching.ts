/**
 * Results section 5: maximum likelihood (CD-k, PCD) against score matching (sm, ssm-vr, dsm) on one
 * energy network E(x), with the learned density exp(-E)/Z by quadrature (issue 15).
 *
 *   npx tsx tools/results/ebm-vs-score-matching.ts --db runs/results.db [--sweep NAME|ID] [--img DIR | --no-img]
 *
 * Reads the latest sweep made from experiments/ebm-vs-score-matching.yaml (or --sweep) and prints per
 * dataset and objective: the final eval/nll and eval/kl (mean ± sd over seeds) next to the entropy
 * H(p_sigma) that eval/nll approaches (the trapezoidal entropy of the run's `learned-density-true`
 * grid) and the NLL of the best single Gaussian; the convergence check of plateau.ts on eval/nll (the
 * trend over the last half of each run, |mean| + 2 se over seeds within 0.05 nats); the training time (from perf/steps_per_sec:
 * sum over the logged intervals of steps / rate, evaluation and sampling excluded); for 8gaussians
 * the total variation between the learned and the true density's mode masses; and eval/fisher,
 * sample/mmd and sample/swd beside their ref/ floors, train/energy_gap and train/neg_mmd of ml.
 * Writes docs/img/ebm-nll-<dataset>.svg, ebm-kl-<dataset>.svg (against training time),
 * ebm-density-<dataset>.svg (learned densities of the first seed next to the truth) and
 * ebm-negatives-<dataset>.svg (the ml negatives/<step> snapshots of the first seed over the data).
 */
import type { DensityArtifact } from '@scorelab/config';
import { createDensityDataset } from '@scorelab/datasets';
import type { ExportRecord, RunStore } from '@scorelab/tracking';
import { selectBackend } from '@scorelab/core';
import { exactSampleFloor } from './exact';
import { gaussianFitNll } from './gaussian-fit';
import { gridEntropy, modeMasses, totalVariation } from './grid-density';
import { changeBound, isPlateau, seedChange, trendChange } from './plateau';
import { trainingClock } from './training-clock';
import { heatmapImage, rasterPanels, type RasterPanel } from './raster';
import { checkFlags, commonArgs, configValue, datasetOf, finishedRuns, flag, groupBy, openResults, provenance, resolveSweep, runMain, writeSvg } from './store';
import { fmt, markdownTable, meanSd, summarize } from './table';
import { lineChart, type LineSeries } from './svg';

const USAGE = 'usage: npx tsx tools/results/ebm-vs-score-matching.ts [--db runs/results.db] [--sweep NAME|ID] [--img DIR | --no-img]';

/** Colour range of the density heatmaps: log p from its maximum down by this many nats. */
const HEATMAP_NATS = 10;
/**
 * Convergence (plateau.ts, the page's test along a run): the change of eval/nll that a straight-line
 * fit predicts over the last half of each run, over seeds: |mean| + 2 se at most this many nats, the
 * tolerance of the quadrature check (MAX_LOG_Z_ERROR of docs/numerics.md), below which a change of
 * eval/nll is not resolved.
 */
const CONVERGED_NATS = 0.05;
/** The part of each run's eval/nll curve the trend is fitted to. */
const TREND_FRACTION = 0.5;
/** Data points drawn under the negatives (a subsample keeps the SVG small). */
const DATA_POINTS_SHOWN = 300;
/** Mode masses are reported for mixtures of at most this many components (8gaussians, not moons' many-component mixture). */
const MAX_MODES = 25;

interface RunData {
  record: ExportRecord;
  objective: string;
  dataset: string;
  /** (training seconds, value) at each evaluation. */
  nll: { step: number; seconds: number; value: number }[];
  kl: { step: number; seconds: number; value: number }[];
  trainSeconds: number;
  learned?: DensityArtifact;
  truth?: DensityArtifact;
  negatives: { step: number; xy: Float32Array }[];
  data?: Float32Array;
}

/** The objective's label: ml by its negatives (CD-k from the data, PCD from a replay buffer), else the loss kind. */
function objectiveOf(r: ExportRecord): string {
  const kind = String(configValue(r, 'loss.kind'));
  if (kind !== 'ml') return kind;
  const init = String(configValue(r, 'loss.negatives.init'));
  const steps = String(configValue(r, 'loss.negatives.steps'));
  return init === 'persistent' ? `ml PCD-${steps}` : init === 'data' ? `ml CD-${steps}` : `ml ${init}-${steps}`;
}

async function readRun(store: RunStore, record: ExportRecord, withArtifacts: boolean): Promise<RunData> {
  const clock = trainingClock((await store.metricSeries(record.id, 'perf/steps_per_sec')).points);
  const series = async (key: string) => (await store.metricSeries(record.id, key)).points.map((p) => ({ step: p.step, seconds: clock(p.step), value: p.value }));
  const run: RunData = {
    record,
    objective: objectiveOf(record),
    dataset: String(configValue(record, 'dataset.kind')),
    nll: await series('eval/nll'),
    kl: await series('eval/kl'),
    trainSeconds: clock(Number(configValue(record, 'train.steps'))),
    negatives: [],
  };
  const json = async (name: string) => {
    const a = await store.getArtifact(record.id, name);
    return a?.content.format === 'json' ? (a.content.value as DensityArtifact) : undefined;
  };
  const floats = async (name: string) => {
    const a = await store.getArtifact(record.id, name);
    return a?.content.format === 'float32' ? a.content.data : undefined;
  };
  run.truth = await json('learned-density-true');
  run.learned = await json('learned-density');
  if (withArtifacts) {
    run.data = await floats('data-samples');
    for (const info of await store.listArtifacts(record.id)) {
      const m = /^negatives\/(\d+)$/.exec(info.name);
      const xy = m ? await floats(info.name) : undefined;
      if (m && xy) run.negatives.push({ step: Number(m[1]), xy });
    }
    run.negatives.sort((a, b) => a.step - b.step);
  }
  return run;
}

function heatmapRange(truth: DensityArtifact): [number, number] {
  const hi = Math.max(...truth.logDensity.flat().filter((v): v is number => v !== null));
  return [hi - HEATMAP_NATS, hi];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['db', 'img', 'no-img', 'sweep'], USAGE);
  const args = commonArgs(argv);
  const store = await openResults(args.db);
  const sweep = await finishedRuns(store, await resolveSweep(store, 'ebm-vs-score-matching', flag(argv, 'sweep'), args.db));
  const firstSeed = Math.min(...sweep.records.map((r) => r.seed));
  const runs: RunData[] = [];
  for (const r of sweep.records) runs.push(await readRun(store, r, r.seed === firstSeed));
  await store.close();
  await selectBackend('wasm');
  console.log(`<!-- ${provenance(sweep)} -->\n`);

  const r0 = sweep.records[0];
  const sigma = (configValue(r0, 'noise.sigmas') as number[])[0];
  const seeds = [...new Set(sweep.records.map((r) => r.seed))];
  console.log(
    `Energy MLP ${configValue(r0, 'model.hidden')} ${configValue(r0, 'model.activation')}; ${configValue(r0, 'train.steps')} Adam steps, batch ${configValue(r0, 'train.batchSize')}, ` +
      `lr ${configValue(r0, 'train.lr')}; every objective at σ = ${sigma} (target p_σ); eval every ${configValue(r0, 'eval.every')} steps; seeds ${seeds.join(', ')}. ` +
      `Samples: ${configValue(r0, 'sampler.samples')} chains of plain Langevin, ${configValue(r0, 'sampler.steps')} steps of size ${configValue(r0, 'sampler.stepSize')} from uniform noise.\n`,
  );

  for (const [dataset, dsRuns] of groupBy(runs, (r) => r.dataset)) {
    const byObjective = groupBy(dsRuns, (r) => r.objective);
    const entropy = summarize(dsRuns.flatMap((r) => (r.truth ? [gridEntropy(r.truth)] : [])));
    const firstWithData = dsRuns.find((r) => r.data);
    const gaussNll = firstWithData?.data ? gaussianFitNll(firstWithData.data, sigma) : NaN;
    const spec = datasetOf(dsRuns[0].record);
    const mixture = createDensityDataset(spec).mixture;
    const modes = mixture && mixture.means.length <= MAX_MODES ? mixture : undefined;
    const modeTv = (r: RunData): number => {
      if (!modes || !r.learned || !r.truth) return NaN;
      return totalVariation(modeMasses(r.learned, modes.means), modeMasses(r.truth, modes.means));
    };

    const steps = Number(configValue(dsRuns[0].record, 'train.steps'));
    const at = (points: { step: number; value: number }[], step: number) => points.find((p) => p.step === step)?.value ?? NaN;
    console.log(`### ${dataset}\n`);
    console.log(
      `Entropy H(p_σ) = ${fmt(entropy.mean, 4)} nats (trapezoidal rule on the ${dsRuns[0].truth?.grid.nx ?? '?'}² grid of learned-density-true), the floor of eval/nll; ` +
        `best single Gaussian ${fmt(gaussNll, 4)}. eval/nll and eval/kl at step ${steps} (n = runs that have it: an evaluation whose quadrature check fails logs none); ` +
        `trend = the change of eval/nll over steps ${steps * (1 - TREND_FRACTION)}–${steps} that a least-squares line through each run's evaluations predicts, mean ± se over seeds; ` +
        `converged when |mean| + 2 se ≤ ${CONVERGED_NATS} nats (the quadrature's own tolerance).` +
        `${modes ? ` Mode TV: total variation between the ${modes.means.length} mode masses (nearest-mean cells of the grid) of the learned density and of p_σ (mean ± sd over seeds).` : ''}\n`,
    );
    const densityRows = [...byObjective].map(([objective, rs]) => {
      const final = summarize(rs.map((r) => at(r.nll, steps)));
      const trend = seedChange(rs.map((r) => trendChange(r.nll, TREND_FRACTION)));
      return [
        objective,
        meanSd(final, (x) => fmt(x, 3)),
        meanSd(summarize(rs.map((r) => at(r.kl, steps))), (x) => fmt(x, 2)),
        `${final.n}/${rs.length}`,
        `${fmt(trend.mean, 2)} ± ${fmt(trend.se, 2)}`,
        trend.n === rs.length && isPlateau(trend, CONVERGED_NATS) ? 'yes' : `no (${fmt(changeBound(trend), 2)})`,
        ...(modes ? [meanSd(summarize(rs.map(modeTv)), (x) => fmt(x, 2))] : []),
        meanSd(summarize(rs.map((r) => r.trainSeconds)), (x) => fmt(x, 2)),
        fmt(summarize(rs.map((r) => r.record.metrics['eval/log_z_error'] + r.record.metrics['eval/box_outer_mass'])).max, 2),
      ];
    });
    console.log(
      markdownTable(['objective', 'eval/nll', 'eval/kl', 'n', 'trend', 'converged (bound)', ...(modes ? ['mode TV'] : []), 'train s', 'quadrature bound (max)'], densityRows),
    );
    const sampleRows = [...byObjective].map(([objective, rs]) => {
      const m = (key: string, digits = 2) => meanSd(summarize(rs.map((r) => r.record.metrics[key] ?? NaN)), (x) => fmt(x, digits));
      return [objective, m('eval/fisher'), m('sample/mmd'), m('ref/mmd'), m('sample/swd'), m('ref/swd'), m('train/energy_gap'), m('train/neg_mmd')];
    });
    const n = Number(configValue(dsRuns[0].record, 'sampler.samples'));
    const floor = summarize(exactSampleFloor(spec, sigma, n, n, 10, 99).mmd);
    console.log(
      `\nScore error and samples (mean ± sd over seeds), each sample metric beside its ref/ floor (two sets of ${n} data points); ` +
        `the samples target p_σ, whose own floor (10 draws of ${n} exact samples of p_σ against ${n} data points) is MMD² ${meanSd(floor, (x) => fmt(x, 2))}; train/* at the last step of ml:\n`,
    );
    console.log(markdownTable(['objective', 'eval/fisher', 'sample/mmd', 'ref/mmd', 'sample/swd', 'ref/swd', 'train/energy_gap', 'train/neg_mmd'], sampleRows));
    console.log('');

    // eval/nll and eval/kl against training time: mean over seeds at each evaluation step, min–max bars.
    for (const [key, pick, log] of [
      ['nll', (r: RunData) => r.nll, false],
      ['kl', (r: RunData) => r.kl, true],
    ] as const) {
      const series: LineSeries[] = [...byObjective].map(([objective, rs]) => {
        const steps = [...new Set(rs.flatMap((r) => pick(r).map((p) => p.step)))].sort((a, b) => a - b);
        return {
          label: objective,
          points: steps.map((step) => {
            const at = rs.flatMap((r) => pick(r).filter((p) => p.step === step));
            const v = summarize(at.map((p) => p.value));
            return { x: summarize(at.map((p) => p.seconds)).mean, y: v.mean, yLow: v.min, yHigh: v.max };
          }),
        };
      });
      const img = writeSvg(
        args.imgDir,
        `ebm-${key}-${dataset}.svg`,
        lineChart({
          title: `${dataset}: eval/${key} against training time (mean, min–max over ${seeds.length} seeds)`,
          x: { label: 'training time, s (perf/steps_per_sec; evaluation excluded)', min: 0 },
          y: { label: key === 'nll' ? 'eval/nll, nats per held-out point' : 'eval/kl = KL(p_σ ‖ p̂), nats', log },
          series,
          references: key === 'nll' ? [{ y: entropy.mean, label: `H(p_σ) = ${fmt(entropy.mean, 3)}` }] : [],
        }),
      );
      if (img) console.error(`wrote ${img}`);
    }

    // Learned densities of the first seed next to the truth, one colour scale.
    const truthRun = dsRuns.find((r) => r.truth && r.learned);
    if (truthRun?.truth) {
      const [lo, hi] = heatmapRange(truthRun.truth);
      const scale = Math.max(1, Math.floor(200 / truthRun.truth.grid.nx));
      const panels: RasterPanel[] = [{ label: 'true log p_σ', image: heatmapImage(truthRun.truth.logDensity, lo, hi, scale) }];
      for (const [objective, rs] of byObjective) {
        const r = rs.find((x) => x.learned);
        if (r?.learned) panels.push({ label: `${objective} (KL ${fmt(r.record.metrics['eval/kl'], 2)})`, image: heatmapImage(r.learned.logDensity, lo, hi, scale) });
      }
      const img = writeSvg(
        args.imgDir,
        `ebm-density-${dataset}.svg`,
        rasterPanels({ title: `${dataset}: learned log p̂ = −E − log Z after training (seed ${firstSeed}) and the truth`, panels, columns: 3, colorBar: { lo, hi, label: 'log density' } }),
      );
      if (img) console.error(`wrote ${img}`);

      // The ml negatives over the data: one row per ml objective, one panel per snapshot step.
      const g = truthRun.truth.grid;
      const box = { xmin: g.xmin, xmax: g.xmax, ymin: g.ymin, ymax: g.ymax };
      const blank = { width: g.nx * scale, height: g.ny * scale, rgb: new Uint8Array(g.nx * scale * g.ny * scale * 3).fill(255) };
      const negPanels: RasterPanel[] = [];
      let perRow = 1;
      for (const [objective, rs] of byObjective) {
        const r = rs.find((x) => x.negatives.length > 0);
        if (!r) continue;
        perRow = Math.max(perRow, r.negatives.length);
        for (const snap of r.negatives) {
          negPanels.push({
            label: `${objective}, step ${snap.step}`,
            image: blank,
            box,
            points: [
              { xy: (r.data ?? new Float32Array(0)).subarray(0, 2 * DATA_POINTS_SHOWN), color: '#9a9a9a', radius: 1.2, opacity: 0.6 },
              { xy: snap.xy, color: '#e15759', radius: 2, opacity: 0.9 },
            ],
          });
        }
      }
      if (negPanels.length) {
        const img2 = writeSvg(
          args.imgDir,
          `ebm-negatives-${dataset}.svg`,
          rasterPanels({ title: `${dataset}: ml negatives (red, the batch's Langevin chains) over data samples (grey), seed ${firstSeed}`, panels: negPanels, columns: perRow }),
        );
        if (img2) console.error(`wrote ${img2}`);
      }
    }
  }
}

runMain(main);
