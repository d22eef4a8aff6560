/**
 * Reproduction 1, follow-up: at which noise levels do trained networks get the mode weights wrong?
 *
 *   npx tsx tools/results/ncsn-weights-levels.ts [--loss dsm] [--seeds 0,1,2] [--db runs/results.db]
 *
 * Trains the networks of experiments/ncsn-weights-trained.yaml (the resolved config of that file,
 * for one objective) exactly as the runner does (same seed streams, so the "network at every level"
 * row reproduces the sweep's runs, which the script checks when --db holds the sweep), then samples
 * annealed Langevin with a hybrid score: the exact score of p_sigma at some levels and the network
 * at the others. Every variant of one seed uses the same initial points and the same sampler noise,
 * so differences between variants come from the score alone. Prints w(5,5), the fraction of
 * samples in the 0.8 mode, per variant (mean ± sd over seeds and per seed). Does not write to the store.
 */
import * as tf from '@tensorflow/tfjs';
import { expandSweep, loadExperimentFile, type ResolvedRunConfig } from '@scorelab/config';
import { Rng, Trainer, createMlpScoreNetwork, scheduleSigmas, selectBackend, type ScoreFn, type ScoreNetwork } from '@scorelab/core';
import { createDataset, type Dataset, type DatasetSpec } from '@scorelab/datasets';
import { createLoss, type LossSpec } from '@scorelab/losses';
import { modeWeights } from '@scorelab/metrics';
import { createSampler, initialSamples, runSampler, type SamplerSpec } from '@scorelab/samplers';
import { join } from 'node:path';
import { checkFlags, configValue, flag, openResults, REPO_ROOT, resolveSweep, runMain } from './store';
import { fixed, fmt, markdownTable, meanSd, summarize } from './table';

const USAGE = 'usage: npx tsx tools/results/ncsn-weights-levels.ts [--loss dsm] [--seeds 0,1,2] [--db runs/results.db]';

/** The runner's seed streams (apps/runner execute-run.ts): split in this order from Rng(seed). */
function streams(seed: number) {
  const root = new Rng(seed);
  return { init: root.split(), data: root.split(), loss: root.split(), eval: root.split(), sample: root.split(), metrics: root.split() };
}

function trainLikeRunner(config: ResolvedRunConfig, seed: number, dataset: Dataset, sigmas: number[]): ScoreNetwork {
  const rngs = streams(seed);
  if (config.model.kind !== 'mlp' || !config.train || !config.loss) throw new Error('needs an mlp model with loss and train sections');
  const net = createMlpScoreNetwork({ inputDim: dataset.dim, hidden: config.model.hidden, activation: config.model.activation, conditioning: config.model.conditioning }, rngs.init);
  const loss = createLoss(config.loss as LossSpec, sigmas);
  const spec = config.train;
  const trainer = new Trainer({ params: net.params, objective: () => loss(net.score, dataset.sample(spec.batchSize, rngs.data), rngs.loss), optimizer: spec.optimizer, lr: spec.lr });
  for (let step = 1; step <= spec.steps; step++) trainer.step(step % spec.logEvery === 0 || step === spec.steps);
  trainer.dispose();
  return net;
}

interface Variant {
  label: string;
  /** Which levels (indices into sigmas, largest first) use the exact score. */
  exact: (level: number) => boolean;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['loss', 'seeds', 'db'], USAGE);
  const lossKind = flag(argv, 'loss') ?? 'dsm';
  const seeds = (flag(argv, 'seeds') ?? '0,1,2').split(',').map(Number);
  const db = flag(argv, 'db');

  const file = join(REPO_ROOT, 'experiments/ncsn-weights-trained.yaml');
  const runs = [...expandSweep(loadExperimentFile(file))].filter((r) => r.config.loss?.kind === lossKind);
  if (runs.length === 0) throw new Error(`no run with loss.kind ${lossKind} in ${file}`);
  const config = runs[0].config;
  const sigmas = scheduleSigmas(config.noise!);
  const dataset = createDataset(config.dataset as DatasetSpec);
  const exactScore: ScoreFn = (x, sigma) => dataset.score(x, sigma);
  const L = sigmas.length;
  const samplerSpec = config.sampler as SamplerSpec;

  const variants: Variant[] = [
    { label: 'network at every level', exact: () => false },
    ...[2, 4, 6, 8].map((k) => ({ label: `exact for σ ≥ ${fmt(sigmas[k - 1], 4)} (top ${k}), network below`, exact: (i: number) => i < k })),
    ...[2, 4, 6, 8].map((k) => ({ label: `network for σ ≥ ${fmt(sigmas[k - 1], 4)} (top ${k}), exact below`, exact: (i: number) => i >= k })),
    { label: 'exact at every level', exact: () => true },
  ];

  // The sweep's own w(5,5) for the same seeds, to check that "network at every level" reproduces it.
  const fromSweep = new Map<number, number>();
  if (db) {
    const store = await openResults(db);
    const sweep = await resolveSweep(store, 'ncsn-weights-trained', undefined, db);
    for (const r of await store.exportRuns({ sweep: sweep.id })) {
      if (r.status === 'finished' && configValue(r, 'loss.kind') === lossKind) fromSweep.set(r.seed, r.metrics['sample/mode_weight/1']);
    }
    await store.close();
  }

  const backend = await selectBackend('wasm');
  const t0 = performance.now();
  console.log(`<!-- ncsn-weights-levels: backend ${backend}, ${new Date().toISOString().slice(0, 16)} UTC, loss ${lossKind}, seeds ${seeds.join(',')}, config of ${file.slice(REPO_ROOT.length + 1)} -->\n`);
  const w = variants.map(() => [] as number[]);
  for (const seed of seeds) {
    const net = trainLikeRunner(config, seed, dataset, sigmas);
    variants.forEach((v, vi) => {
      // Level of a call: the sigma of its rows (annealed Langevin passes one sigma for all rows).
      const score: ScoreFn = (x, sigma) => {
        const s = sigma!.dataSync()[0];
        const level = sigmas.findIndex((t) => Math.abs(t - s) <= 1e-6 * t);
        if (level < 0) throw new Error(`sigma ${s} is not a level of the schedule`);
        return v.exact(level) ? exactScore(x, sigma) : net.score(x, sigma);
      };
      // A fresh copy of the runner's sample stream for every variant: same start points, same noise.
      const rng = streams(seed).sample;
      const x0 = initialSamples(samplerSpec.init, samplerSpec.samples, dataset.dim, rng);
      const result = runSampler(createSampler(samplerSpec, sigmas), score, x0, rng);
      x0.dispose();
      w[vi].push(modeWeights(result.samples, dataset.mixture!).fractions[1]);
      result.samples.dispose();
      result.trajectory?.forEach((t) => t.dispose());
    });
    net.dispose();
  }

  console.log(
    `Annealed Langevin (eps ${samplerSpec.stepSize}, T ${samplerSpec.kind === 'ald' ? samplerSpec.stepsPerLevel : '—'}, ${L} levels ${fmt(sigmas[0])} → ${fmt(sigmas[L - 1])}) ` +
      `with networks trained by ${lossKind} (${config.train!.steps} steps); w(5,5) = fraction of samples in the 0.8 mode.\n`,
  );
  const rows = variants.map((v, vi) => [v.label, meanSd(summarize(w[vi]), (x) => fixed(x, 3)), ...w[vi].map((x) => fixed(x, 3))]);
  console.log(markdownTable(['score used by the sampler', 'w(5,5) mean ± sd', ...seeds.map((s) => `seed ${s}`)], rows));
  if (fromSweep.size > 0) {
    const check = seeds.map((s, i) => `seed ${s}: ${fixed(w[0][i], 3)} here, ${fromSweep.has(s) ? fixed(fromSweep.get(s)!, 3) : '—'} in the sweep`);
    console.log(`\nNetwork at every level vs the sweep's runs with the same seed: ${check.join('; ')}.`);
  }
  console.error(`took ${((performance.now() - t0) / 1000).toFixed(0)} s; tensors alive ${tf.memory().numTensors}`);
}

runMain(main);
