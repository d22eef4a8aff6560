/**
 * Reproduction 1, follow-up: at which noise levels do trained networks get the mode weights wrong?
 *
 *   npx tsx tools/results/ncsn-weights-levels.ts [--loss dsm] [--steps N] [--seeds 0,1,2] [--db runs/results.db]
 *
 * Trains the networks of experiments/ncsn-budget.yaml (the resolved config of that file, for one
 * objective and one budget train.steps = N, by default the largest) with the runner's own code
 * (@scorelab/pipeline buildRunModel + trainRunModel: same seed streams and training loop, so the
 * "network at every level" row reproduces the sweep's runs and the "exact at every level" row the
 * ald runs of ncsn-weights-exact-ald, which the script checks when --db holds the sweeps), then samples
 * annealed Langevin with a hybrid score: the exact score of p_sigma at some levels and the network
 * at the others. Every variant of one seed uses the same initial points and the same sampler noise,
 * so differences between variants come from the score alone. Prints w(5,5), the fraction of
 * samples in the 0.8 mode, per variant (mean ± sd over seeds and per seed). Does not write to the store.
 */
import * as tf from '@tensorflow/tfjs';
import { expandSweep, loadExperimentFile } from '@scorelab/config';
import { noiseFamily, selectBackend, type ScoreFn } from '@scorelab/core';
import { modeWeights } from '@scorelab/metrics';
import { SILENT_HOOKS, buildRunModel, runRngs, trainRunModel } from '@scorelab/pipeline';
import { createSampler, initialSamples, runSampler } from '@scorelab/samplers';
import { join } from 'node:path';
import { checkFlags, configValue, flag, openResults, REPO_ROOT, resolveSweep, runMain } from './store';
import { fixed, fmt, markdownTable, meanSd, summarize } from './table';

const USAGE = 'usage: npx tsx tools/results/ncsn-weights-levels.ts [--loss dsm] [--steps N] [--seeds 0,1,2] [--db runs/results.db]';

interface Variant {
  label: string;
  /** Which levels (indices into sigmas, largest first) use the exact score. */
  exact: (level: number) => boolean;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkFlags(argv, ['loss', 'steps', 'seeds', 'db'], USAGE);
  const lossKind = flag(argv, 'loss') ?? 'dsm';
  const seeds = (flag(argv, 'seeds') ?? '0,1,2').split(',').map(Number);
  const db = flag(argv, 'db');

  const file = join(REPO_ROOT, 'experiments/ncsn-budget.yaml');
  const ofLoss = [...expandSweep(loadExperimentFile(file))].filter((r) => r.config.loss?.kind === lossKind);
  const budgets = [...new Set(ofLoss.map((r) => r.config.train?.steps ?? 0))];
  const steps = flag(argv, 'steps') === undefined ? Math.max(...budgets) : Number(flag(argv, 'steps'));
  const runs = ofLoss.filter((r) => r.config.train?.steps === steps);
  if (runs.length === 0) throw new Error(`no run with loss.kind ${lossKind} and train.steps ${steps} in ${file} (budgets: ${budgets.join(', ')})`);
  const config = runs[0].config;
  const family = noiseFamily(config);
  const samplerSpec = config.sampler;
  if (config.model.kind !== 'mlp' || !config.train || !config.loss) throw new Error(`${file}: needs an mlp model with loss and train sections`);
  if (family.kind !== 'levels' || samplerSpec?.kind !== 'ald') throw new Error(`${file}: needs noise levels and an ald sampler`);
  const { sigmas } = family;
  const L = sigmas.length;

  const variants: Variant[] = [
    { label: 'network at every level', exact: () => false },
    ...[2, 4, 6, 8].map((k) => ({ label: `exact for σ ≥ ${fmt(sigmas[k - 1], 4)} (top ${k}), network below`, exact: (i: number) => i < k })),
    ...[2, 4, 6, 8].map((k) => ({ label: `network for σ ≥ ${fmt(sigmas[k - 1], 4)} (top ${k}), exact below`, exact: (i: number) => i >= k })),
    { label: 'exact at every level', exact: () => true },
  ];

  // The sweeps' own w(5,5) for the same seeds, to check that "network at every level" and "exact at
  // every level" reproduce them.
  const fromSweep = new Map<number, number>();
  const fromExact = new Map<number, number>();
  if (db) {
    const store = await openResults(db);
    const sweep = await resolveSweep(store, 'ncsn-budget', undefined, db);
    for (const r of await store.exportRuns({ sweep: sweep.id })) {
      if (r.status === 'finished' && configValue(r, 'loss.kind') === lossKind && configValue(r, 'train.steps') === steps) fromSweep.set(r.seed, r.metrics['sample/mode_weight/1']);
    }
    const exactSweep = await resolveSweep(store, 'ncsn-weights-exact-ald', undefined, db);
    for (const r of await store.exportRuns({ sweep: exactSweep.id })) {
      if (r.status === 'finished' && configValue(r, 'sampler.kind') === 'ald') fromExact.set(r.seed, r.metrics['sample/mode_weight/1']);
    }
    await store.close();
  }

  const backend = await selectBackend('wasm');
  const t0 = performance.now();
  console.log(`<!-- ncsn-weights-levels: backend ${backend}, ${new Date().toISOString().slice(0, 16)} UTC, loss ${lossKind}, ${steps} steps, seeds ${seeds.join(',')}, config of ${file.slice(REPO_ROOT.length + 1)} -->\n`);
  const w = variants.map((): number[] => []);
  for (const seed of seeds) {
    // The run's network, built and trained by the pipeline exactly as the runner trains it (its init,
    // data and loss streams; evaluation during a run draws from its own stream and does not change it).
    const model = buildRunModel(config, seed);
    try {
      const { network, dataset, exact } = model;
      if (!network || !dataset.mixture) throw new Error(`${file}: needs a trained network and a Gaussian-mixture dataset`);
      await trainRunModel(model, SILENT_HOOKS);
      const mixture = dataset.mixture;
      variants.forEach((v, vi) => {
        // Level of a call: the sigma of its rows (annealed Langevin passes one sigma for all rows).
        const score: ScoreFn = (x, sigma) => {
          if (!sigma) throw new Error('annealed Langevin called the score without a sigma');
          const s = sigma.dataSync()[0];
          const level = sigmas.findIndex((t) => Math.abs(t - s) <= 1e-6 * t);
          if (level < 0) throw new Error(`sigma ${s} is not a level of the schedule`);
          return v.exact(level) ? exact(x, sigma) : network.score(x, sigma);
        };
        // A fresh copy of the runner's sample stream for every variant: same start points, same noise.
        const rng = runRngs(seed).sample;
        const x0 = initialSamples(samplerSpec, model.family, dataset.dim, rng);
        const result = runSampler(createSampler(samplerSpec, model.family), score, x0, rng);
        x0.dispose();
        w[vi].push(modeWeights(result.samples, mixture).fractions[1]);
        result.samples.dispose();
        result.trajectory?.forEach((t) => t.dispose());
      });
    } finally {
      model.dispose();
    }
  }

  console.log(
    `Annealed Langevin (eps ${samplerSpec.stepSize}, T ${samplerSpec.stepsPerLevel}, ${L} levels ${fmt(sigmas[0])} → ${fmt(sigmas[L - 1])}) ` +
      `with networks trained by ${lossKind} (${config.train.steps} steps); w(5,5) = fraction of samples in the 0.8 mode.\n`,
  );
  const rows = variants.map((v, vi) => [v.label, meanSd(summarize(w[vi]), (x) => fixed(x, 3)), ...w[vi].map((x) => fixed(x, 3))]);
  console.log(markdownTable(['score used by the sampler', 'w(5,5) mean ± sd', ...seeds.map((s) => `seed ${s}`)], rows));
  if (fromSweep.size > 0) {
    const check = seeds.map((s, i) => `seed ${s}: ${fixed(w[0][i], 3)} here, ${fromSweep.has(s) ? fixed(fromSweep.get(s)!, 3) : '—'} in the sweep`);
    console.log(`\nNetwork at every level vs the ncsn-budget runs with the same seed: ${check.join('; ')}.`);
  }
  if (fromExact.size > 0) {
    const last = variants.length - 1;
    const check = seeds.map((s, i) => `seed ${s}: ${fixed(w[last][i], 3)} here, ${fromExact.has(s) ? fixed(fromExact.get(s)!, 3) : '—'} in the sweep`);
    console.log(`\nExact at every level vs the ald runs of ncsn-weights-exact-ald with the same seed: ${check.join('; ')}.`);
  }
  console.error(`took ${((performance.now() - t0) / 1000).toFixed(0)} s; tensors alive ${tf.memory().numTensors}`);
}

runMain(main);
