/**
 * Reproduction 3: score estimation error in low-density regions (Song & Ermon 2019, section 3.2.1).
 *
 *   npx tsx tools/results/low-density-error.ts [--steps 2000] [--seeds 0,1,2] [--objectives sm,ssm-vr,dsm]
 *                                              [--points 20000] [--box 10] [--img DIR | --no-img]
 *
 * Unlike the other result scripts this one does not read the store: the runner does not log an
 * error-by-density metric, so the script trains the networks itself with the packages (Trainer,
 * createScoreNetwork, createLoss, createDataset), on mog2d-weighted, in two setups:
 *
 * - single: one small noise level sigma = 0.1 (an unconditional network; every objective learns
 *   the score of p_0.1, which is what a single-scale model sampled by plain Langevin uses);
 * - annealed: the NCSN toy setup, sigma 20 -> 1 over 10 geometric levels, sigma-embedding network.
 *
 * Evaluation points are uniform on the box [-B, B]^2 (B = 10 covers the sampler's start box
 * [-8, 8]^2), so low-density regions are sampled as densely as the modes. At the smallest level of
 * each setup, points are binned by their true log p_sigma(x) relative to the maximum of
 * log p_sigma; per bin the script prints the share of the box, the share of the data mass (from
 * 200,000 samples of p_sigma), the mean of ||grad log p_sigma||^2 and, per objective, the mean
 * squared score error ||s(x, sigma) - grad log p_sigma(x)||^2 (mean ± sd over seeds). Per level it
 * prints the share of the box that is high-density and the error over the box relative to the size
 * of the true score. Writes docs/img/low-density-error.svg and docs/img/low-density-error-levels.svg.
 */
import * as tf from '@tensorflow/tfjs';
import { LOSS_KINDS, LossSchema, type LossKind } from '@scorelab/config';
import { Rng, Trainer, createScoreNetwork, geometricSigmas, levelsFamily, selectBackend, type ScoreNetwork } from '@scorelab/core';
import { createDataset, type Dataset } from '@scorelab/datasets';
import { createLoss } from '@scorelab/losses';
import { checkFlags, commonArgs, flag, runMain, writeSvg } from './store';
import { fixed, fmt, markdownTable, meanSd, summarize } from './table';
import { lineChart, PALETTE, type LineSeries } from './svg';

const USAGE =
  'usage: npx tsx tools/results/low-density-error.ts [--steps 2000] [--seeds 0,1,2] [--objectives sm,ssm-vr,dsm] [--points 20000] [--box 10] [--img DIR | --no-img]';

/** Bin edges on log p_sigma(x) - max_x log p_sigma(x) (so 0 is the density's peak), high to low. */
const EDGES = [0, -2, -5, -10, -20, -40, -Infinity];
const BIN_LABELS = EDGES.slice(0, -1).map((hi, i) => (EDGES[i + 1] === -Infinity ? `< ${hi}` : `[${EDGES[i + 1]}, ${hi})`));
/** A representative x position of each bin for the plot. */
const BIN_CENTERS = [-1, -3.5, -7.5, -15, -30, -60];

function binOf(rel: number): number {
  for (let b = 0; b + 1 < EDGES.length; b++) if (rel >= EDGES[b + 1]) return b;
  return EDGES.length - 2;
}

interface Setup {
  name: 'single' | 'annealed';
  title: string;
  sigmas: number[];
  conditioning: 'none' | 'embed';
  /** Levels at which to evaluate (a subset of sigmas, largest first). */
  evalSigmas: number[];
}

const SETUPS: Setup[] = [
  { name: 'single', title: 'single noise level σ = 0.1, unconditional network', sigmas: [0.1], conditioning: 'none', evalSigmas: [0.1] },
  ((): Setup => {
    const sigmas = geometricSigmas(20, 1, 10);
    return { name: 'annealed', title: 'annealed: σ 20 → 1, 10 geometric levels, σ-embedding network', sigmas, conditioning: 'embed', evalSigmas: sigmas };
  })(),
];

/** Per-point squared error ||s - s*||^2 of a score at one sigma. x: [N, 2] -> Float32Array [N]. */
function squaredError(score: (x: tf.Tensor2D, sigma: tf.Tensor1D) => tf.Tensor2D, dataset: Dataset, x: tf.Tensor2D, sigma: number): Float32Array {
  return tf.tidy(() => {
    const s = tf.fill([x.shape[0]], sigma) as tf.Tensor1D;
    return tf.sum(tf.square(tf.sub(score(x, s), dataset.score(x, sigma))), 1).dataSync() as Float32Array;
  });
}

function train(setup: Setup, objective: LossKind, seed: number, steps: number, dataset: Dataset): { net: ScoreNetwork; seconds: number } {
  const root = new Rng(seed);
  const rngs = { init: root.split(), data: root.split(), loss: root.split() };
  const family = levelsFamily(setup.sigmas);
  const net = createScoreNetwork({ hidden: [64, 64], activation: 'softplus', conditioning: setup.conditioning }, dataset.dim, family, rngs.init);
  // The schema fills the loss defaults: weighting sigma2, one rademacher projection.
  const loss = createLoss(LossSchema.parse({ kind: objective }), family);
  const trainer = new Trainer({ params: net.params, objective: () => loss(net.score, dataset.sample(128, rngs.data), rngs.loss), optimizer: 'adam', lr: 1e-3 });
  const t0 = performance.now();
  for (let step = 1; step <= steps; step++) {
    const report = trainer.step(step % 500 === 0 || step === steps);
    if (report && !Number.isFinite(report.loss)) throw new Error(`${setup.name} ${objective} seed ${seed}: loss ${report.loss} at step ${step}`);
  }
  trainer.dispose();
  return { net, seconds: (performance.now() - t0) / 1000 };
}

function lossKind(name: string): LossKind {
  const kind = LOSS_KINDS.find((k) => k === name);
  if (!kind) throw new Error(`--objectives: unknown loss ${name} (one of ${LOSS_KINDS.join(', ')})\n${USAGE}`);
  return kind;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['steps', 'seeds', 'objectives', 'points', 'box', 'img', 'no-img'], USAGE);
  const { imgDir } = commonArgs(argv);
  const steps = Number(flag(argv, 'steps') ?? 2000);
  const seeds = (flag(argv, 'seeds') ?? '0,1,2').split(',').map(Number);
  const objectives = (flag(argv, 'objectives') ?? 'sm,ssm-vr,dsm').split(',').map(lossKind);
  const nPoints = Number(flag(argv, 'points') ?? 20000);
  const box = Number(flag(argv, 'box') ?? 10);
  if (!(steps >= 1) || seeds.some((s) => !Number.isInteger(s)) || !(nPoints >= 100) || !(box > 0)) throw new Error(USAGE);

  const backend = await selectBackend('wasm');
  const dataset = createDataset({ kind: 'mog2d-weighted' });
  const evalRng = new Rng(777);
  const points = evalRng.uniformTensor([nPoints, 2], -box, box) as tf.Tensor2D;
  const started = new Date();
  console.log(
    `<!-- low-density-error: backend ${backend}, ${new Date().toISOString().slice(0, 16)} UTC, ${steps} Adam steps (batch 128, lr 0.001, 64-64 softplus MLP), ` +
      `seeds ${seeds.join(',')}, ${nPoints} points uniform on [-${box},${box}]^2 -->\n`,
  );

  // Peak of log p_sigma: on a fine grid around both means (the modes sit at the means here).
  const grid = tf.tidy(() => {
    const lin = tf.linspace(-box, box, 401);
    const [gx, gy] = tf.meshgrid(lin, lin);
    return tf.stack([tf.reshape(gx, [-1]), tf.reshape(gy, [-1])], 1) as tf.Tensor2D;
  });

  // Per-point errors, trained once per (setup, objective, seed): errors[setup][sigma][objective] = [per seed].
  const binPlot: LineSeries[] = [];
  const levelPlot: LineSeries[] = [];
  for (const setup of SETUPS) {
    const errors = new Map<number, Map<string, Float32Array[]>>(setup.evalSigmas.map((s) => [s, new Map(objectives.map((o) => [o, []]))]));
    const seconds = new Map<string, number[]>(objectives.map((o) => [o, []]));
    for (const objective of objectives) {
      for (const seed of seeds) {
        const { net, seconds: t } = train(setup, objective, seed, steps, dataset);
        seconds.get(objective)!.push(t);
        for (const sigma of setup.evalSigmas) errors.get(sigma)!.get(objective)!.push(squaredError(net.score, dataset, points, sigma));
        net.dispose();
      }
    }
    console.log(`### ${setup.title}\n`);
    console.log(`Training time per run (s): ${objectives.map((o) => `${o} ${meanSd(summarize(seconds.get(o)!), (x) => fmt(x, 2))}`).join(', ')}.\n`);

    const levels = setup.evalSigmas.map((sigma) => analyzeLevel(dataset, points, grid, sigma, objectives, errors.get(sigma)!));
    // The full binned table at the smallest level (the one a sampler ends on).
    const last = levels[levels.length - 1];
    console.log(`**σ = ${fmt(last.sigma, 4)}**, evaluation points binned by log p_σ(x) − max log p_σ; error columns: mean ± sd over seeds of the bin mean of ‖s(x, σ) − ∇log p_σ(x)‖²:\n`);
    console.log(markdownTable(['log p_σ − max', 'box %', 'data mass %', 'mean ‖∇log p_σ‖²', ...objectives.map((o) => `${o}`)], last.rows));
    console.log(`\nError weighted by the data mass per bin (≈ E_{p_σ}): ${objectives.map((o) => `${o} ${fmt(last.dataWeighted.get(o)!, 2)}`).join(', ')}; mean over the box: ${objectives.map((o) => `${o} ${meanSd(last.boxMean.get(o)!, (x) => fmt(x, 2))}`).join(', ')}.\n`);
    objectives.forEach((o, oi) => {
      binPlot.push({
        label: `${o}, ${setup.name} (σ = ${fmt(last.sigma, 3)})`,
        color: PALETTE[oi % PALETTE.length],
        dashed: setup.name === 'annealed',
        points: last.present.map((b) => ({ x: -BIN_CENTERS[b], y: last.binMeans.get(o)![b] })).filter((p) => Number.isFinite(p.y) && p.y > 0),
      });
    });
    // Per level: how much of the box is high-density, and the error relative to the true score over the box.
    console.log(`Over the whole box, per noise level: share of the box with log p_σ − max ≥ −5, and the relative error E_box‖s − ∇log p_σ‖² / E_box‖∇log p_σ‖² (mean ± sd over seeds):\n`);
    console.log(
      markdownTable(
        ['σ', 'box % with log p_σ − max ≥ −5', ...objectives],
        levels.map((l) => [fmt(l.sigma, 4), fixed(l.highDensityShare * 100, 1), ...objectives.map((o) => meanSd(l.boxRelative.get(o)!, (x) => fmt(x, 2)))]),
      ),
    );
    console.log('');
    objectives.forEach((o, oi) => {
      levelPlot.push({
        label: `${o}, ${setup.name}`,
        color: PALETTE[oi % PALETTE.length],
        line: setup.name === 'annealed',
        points: levels.map((l) => ({ x: l.sigma, y: l.boxRelative.get(o)!.mean, yLow: l.boxRelative.get(o)!.min, yHigh: l.boxRelative.get(o)!.max })),
      });
    });
  }
  points.dispose();
  grid.dispose();
  const img1 = writeSvg(
    imgDir,
    'low-density-error.svg',
    lineChart({
      title: 'Squared score error by true log-density at the smallest σ (mean over seeds)',
      x: { label: 'max log p_σ − log p_σ(x)  (bin centre; larger = lower density)', log: true },
      y: { label: 'mean ‖s − ∇log p_σ‖² in the bin', log: true },
      series: binPlot,
      width: 820,
    }),
  );
  const img2 = writeSvg(
    imgDir,
    'low-density-error-levels.svg',
    lineChart({
      title: `Relative score error over the box [-${box},${box}]² per noise level (mean, min–max over seeds)`,
      x: { label: 'σ', log: true },
      y: { label: 'E_box‖s − ∇log p_σ‖² / E_box‖∇log p_σ‖²', log: true },
      series: levelPlot,
      width: 820,
    }),
  );
  for (const img of [img1, img2]) if (img) console.error(`wrote ${img}`);
  console.error(`took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
}

interface LevelAnalysis {
  sigma: number;
  rows: string[][];
  /** Bins that hold box points or data mass. */
  present: number[];
  /** objective -> per bin: mean over seeds of the bin's mean error (NaN for a bin without box points). */
  binMeans: Map<string, number[]>;
  /** objective -> data-mass-weighted mean of binMeans (an estimate of E_{p_sigma} of the error). */
  dataWeighted: Map<string, number>;
  /** objective -> summary over seeds of the box mean of the error. */
  boxMean: Map<string, ReturnType<typeof summarize>>;
  /** objective -> summary over seeds of E_box ||s - s*||^2 / E_box ||s*||^2. */
  boxRelative: Map<string, ReturnType<typeof summarize>>;
  /** Share of the box points with log p_sigma - max >= -5. */
  highDensityShare: number;
}

function analyzeLevel(dataset: Dataset, points: tf.Tensor2D, grid: tf.Tensor2D, sigma: number, objectives: string[], errors: Map<string, Float32Array[]>): LevelAnalysis {
  const nPoints = points.shape[0];
  // Peak of log p_sigma on a fine grid over the box (the modes of this mixture sit near its means).
  const peak = tf.tidy(() => tf.max(dataset.logDensity(grid, sigma)).dataSync()[0]);
  const { rel, trueSq } = tf.tidy(() => ({
    rel: Array.from(dataset.logDensity(points, sigma).dataSync(), (v) => v - peak),
    trueSq: Array.from(tf.sum(tf.square(dataset.score(points, sigma)), 1).dataSync()),
  }));
  const bins = rel.map(binOf);
  // Data mass per bin: 200,000 samples of p_sigma binned the same way.
  const massCounts = new Array<number>(BIN_LABELS.length).fill(0);
  const massRng = new Rng(4242);
  const nMass = 200_000;
  for (let done = 0; done < nMass; done += 20_000) {
    const lp = tf.tidy(() => {
      const x = tf.add(dataset.sample(20_000, massRng), tf.mul(massRng.normalTensor([20_000, 2]), sigma)) as tf.Tensor2D;
      return dataset.logDensity(x, sigma).dataSync();
    });
    for (const v of lp) massCounts[binOf(v - peak)]++;
  }
  const binMeans = new Map<string, number[]>(objectives.map((o) => [o, []]));
  const present: number[] = [];
  const rows: string[][] = [];
  for (let b = 0; b < BIN_LABELS.length; b++) {
    const idx = bins.flatMap((bb, i) => (bb === b ? [i] : []));
    const cells = objectives.map((o) => {
      const perSeed = errors.get(o)!.map((e) => (idx.length ? idx.reduce((a, i) => a + e[i], 0) / idx.length : NaN));
      const s = summarize(perSeed);
      binMeans.get(o)![b] = s.mean;
      return idx.length ? meanSd(s, (x) => fmt(x, 2)) : '—';
    });
    if (idx.length === 0 && massCounts[b] === 0) continue;
    present.push(b);
    const meanTrue = idx.length ? idx.reduce((a, i) => a + trueSq[i], 0) / idx.length : NaN;
    rows.push([BIN_LABELS[b], fixed((100 * idx.length) / nPoints, 1), fixed((100 * massCounts[b]) / nMass, 2), idx.length ? fmt(meanTrue, 3) : '—', ...cells]);
  }
  const trueBoxMean = trueSq.reduce((a, v) => a + v, 0) / nPoints;
  const boxMean = new Map(objectives.map((o) => [o, summarize(errors.get(o)!.map((e) => e.reduce((a, v) => a + v, 0) / nPoints))]));
  const boxRelative = new Map(objectives.map((o) => [o, summarize(errors.get(o)!.map((e) => e.reduce((a, v) => a + v, 0) / nPoints / trueBoxMean))]));
  const dataWeighted = new Map(
    objectives.map((o) => {
      let acc = 0;
      let mass = 0;
      binMeans.get(o)!.forEach((m, b) => {
        if (Number.isFinite(m)) {
          acc += m * massCounts[b];
          mass += massCounts[b];
        }
      });
      return [o, acc / mass];
    }),
  );
  return { sigma, rows, present, binMeans, dataWeighted, boxMean, boxRelative, highDensityShare: rel.filter((v) => v >= -5).length / nPoints };
}

runMain(main);
