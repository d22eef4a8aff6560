/**
 * Sampling throughput of annealed Langevin: score evaluations x samples per second, with the exact
 * score of mog2d-weighted and with an untrained MLP score network (the cost of a trained one) on the
 * tfjs engine and on the fused engine (the kernels' forward-only batch evaluation).
 * Usage: npx tsx tools/bench/sample-throughput.ts [--backend wasm] [--samples 1280] [--levels 10] [--steps-per-level 100]
 * Prints a table, then one JSON line.
 */
import type { AldSamplerSpec } from '@scorelab/config';
import { Rng, createFusedNetwork, createScoreNetwork, geometricSigmas, levelsFamily, selectBackend, type ScoreFn } from '@scorelab/core';
import { createDataset } from '@scorelab/datasets';
import { createSampler, initialSamples, runSampler } from '@scorelab/samplers';
import { numberFlag, stringFlag } from '../cli-args';

export async function benchSampling(opts: { backend?: string; samples: number; levels: number; stepsPerLevel: number; hidden: number }) {
  const backend = await selectBackend(opts.backend);
  const dataset = createDataset({ kind: 'mog2d-weighted' });
  const family = levelsFamily(geometricSigmas(20, 1, opts.levels));
  const net = createScoreNetwork({ hidden: [opts.hidden, opts.hidden], activation: 'softplus', conditioning: 'embed' }, 2, family, new Rng(0));
  const fused = createFusedNetwork(net, family);
  const scores: [string, ScoreFn][] = [
    ['analytic', (x, s) => dataset.score(x, s)],
    [`mlp 2-${opts.hidden}-${opts.hidden}-2, tfjs`, net.score],
    [`mlp 2-${opts.hidden}-${opts.hidden}-2, fused`, fused.score],
  ];
  // A complete (resolved) ald section: NCSN's step a_i = eps sigma_i^2 / sigma_L^2, the `half` Langevin step, no denoising.
  const spec: AldSamplerSpec = { kind: 'ald', stepSize: 0.1, stepsPerLevel: opts.stepsPerLevel, samples: opts.samples, init: { kind: 'uniform', low: -8, high: 8 }, denoise: false, convention: 'half' };
  const sampler = createSampler(spec, family);
  const warmUp = createSampler({ ...spec, stepsPerLevel: 5 }, levelsFamily([2, 1]));
  const results = [];
  for (const [name, score] of scores) {
    const rng = new Rng(1);
    const x0 = initialSamples(spec, family, 2, rng);
    runSampler(warmUp, score, x0, rng).samples.dispose(); // warm-up
    const t0 = performance.now();
    const { samples, scoreEvaluations } = runSampler(sampler, score, x0, rng);
    const seconds = (performance.now() - t0) / 1000;
    samples.dispose();
    x0.dispose();
    results.push({ score: name, seconds, scoreEvaluations, msPerStep: (seconds * 1000) / scoreEvaluations, sampleEvalsPerSec: (scoreEvaluations * opts.samples) / seconds });
  }
  fused.dispose();
  net.dispose();
  return { backend, samples: opts.samples, results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await benchSampling({
    backend: stringFlag('backend', 'wasm'),
    samples: numberFlag('samples', 1280),
    levels: numberFlag('levels', 10),
    stepsPerLevel: numberFlag('steps-per-level', 100),
    hidden: numberFlag('hidden', 128),
  });
  for (const r of out.results) {
    console.log(`${out.backend.padEnd(6)} ${r.score.padEnd(26)} ${r.seconds.toFixed(2).padStart(7)} s  ${r.msPerStep.toFixed(2).padStart(6)} ms/step  ${(r.sampleEvalsPerSec / 1e6).toFixed(2)} M sample-evals/s`);
  }
  console.log(JSON.stringify(out));
}
