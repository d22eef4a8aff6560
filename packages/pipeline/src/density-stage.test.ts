/**
 * Learned 2-D densities through executeRun (eval.metrics density, and nll of an energy model): the exact
 * density of `model: analytic` scores the data's entropy and KL 0; an energy MLP trained by dsm on a
 * 3-component mixture gets close to the entropy and far below the best single Gaussian (4000 steps of
 * batch 256, measured: 0.12 nats above the entropy, KL 0.10; the best Gaussian is 1.04 above); a score MLP
 * gets the path-integral keys; the config rules say where these metrics apply.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, METRIC, resolveRunConfig, type RunConfigInput } from '@scorelab/config';
import { Rng, selectBackend } from '@scorelab/core';
import { createDensityDataset } from '@scorelab/datasets';
import type { ArtifactPayload } from './artifacts';
import { executeRun } from './execute-run';
import type { MetricRecord, RunHooks } from './hooks';

beforeAll(async () => {
  await selectBackend('wasm');
});

const MIXTURE: RunConfigInput['dataset'] = { kind: 'gmm', means: [[-2, 0], [2, 0], [0, 2.5]], stds: [0.5, 0.5, 0.5] };
const SIGMA = 0.1;

async function run(input: RunConfigInput, seed = 0) {
  const points: MetricRecord[] = [];
  const artifacts = new Map<string, { kind: string; content: ArtifactPayload }>();
  const hooks: RunHooks = {
    log: (p) => points.push(...p),
    progress: () => {},
    artifact: (name, kind, content) => artifacts.set(name, { kind, content }),
    shouldStop: () => false,
    yield: async () => {},
  };
  await executeRun(resolveRunConfig(input), seed, hooks);
  const series = (key: string) => points.filter((p) => p.key === key).map((p) => p.value);
  return { series, artifacts };
}

/** -E log p_sigma by Monte Carlo over n fresh points of the dataset at noise level sigma, with its standard error. */
function entropy(dataset: RunConfigInput['dataset'], sigma: number, n: number): { h: number; se: number } {
  const ds = createDensityDataset(resolveRunConfig({ dataset, model: { kind: 'analytic' } }).dataset);
  const rng = new Rng(12345);
  const t = tf.tidy(() => {
    const x = ds.sample(n, rng);
    const xs = sigma > 0 ? tf.add(x, tf.mul(rng.normalTensor([n, 2]), sigma)) : x;
    return ds.logDensity(xs as tf.Tensor2D, sigma);
  });
  const logp = Array.from(t.dataSync());
  t.dispose();
  const mean = logp.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(logp.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { h: -mean, se: sd / Math.sqrt(n) };
}

describe('learned 2-D densities in executeRun', () => {
  it('the exact density of an analytic model scores the entropy and KL 0', async () => {
    const heldOut = 2000;
    const { series, artifacts } = await run({ dataset: MIXTURE, model: { kind: 'analytic' }, eval: { metrics: ['density'], samples: heldOut } });
    const [nll] = series(METRIC.nll);
    const [kl] = series(METRIC.kl);
    const [logZError] = series(METRIC.logZError);
    const truth = entropy(MIXTURE, 0, 100_000);
    // eval/nll averages log p over `heldOut` points: its sd is about sd(log p) = truth.se * sqrt(1e5); 4 se of both plus the quadrature bound.
    const se = Math.hypot(truth.se * Math.sqrt(100_000 / heldOut), truth.se);
    expect(Math.abs(nll - truth.h)).toBeLessThan(4 * se + logZError);
    expect(kl).toBeGreaterThanOrEqual(0);
    expect(kl).toBeLessThan(1e-9);
    expect([...artifacts.keys()].sort()).toEqual(['learned-density', 'learned-density-true']);
  });

  it('an energy MLP trained by dsm on a 3-component mixture nears the entropy, far below the best single Gaussian', async () => {
    const { series, artifacts } = await run({
      dataset: MIXTURE,
      model: { kind: 'energy', hidden: [64, 64], activation: 'swish', conditioning: 'none' },
      noise: { schedule: 'custom', sigmas: [SIGMA] },
      loss: { kind: 'dsm' },
      train: { steps: 4000, batchSize: 256, lr: 0.002, logEvery: 100 },
      eval: { metrics: ['nll'], samples: 2000, every: 2000 },
    });
    const nll = series(METRIC.nll);
    const kl = series(METRIC.kl);
    expect(nll).toHaveLength(2);
    const truth = entropy(MIXTURE, SIGMA, 100_000);
    // The best single Gaussian of p_sigma: its covariance is the mixture's, NLL = log(2 pi e) + 1/2 log det Sigma.
    const w = 1 / 3;
    const mx = 0, my = (w * 2.5);
    const v = 0.25 + SIGMA ** 2;
    const sxx = v + w * (4 + 4) - mx ** 2;
    const syy = v + w * 2.5 ** 2 - my ** 2;
    const gaussianNll = Math.log(2 * Math.PI * Math.E) + 0.5 * Math.log(sxx * syy);
    const final = nll[nll.length - 1];
    console.log(`energy dsm 4000 steps: eval/nll ${final.toFixed(4)} (entropy ${truth.h.toFixed(4)}, best Gaussian ${gaussianNll.toFixed(4)}), eval/kl ${kl[kl.length - 1].toFixed(4)}`);
    expect(final - truth.h).toBeLessThan(0.3);
    expect(final).toBeLessThan(gaussianNll - 0.5);
    expect(kl[kl.length - 1]).toBeGreaterThanOrEqual(0);
    const learned = artifacts.get('learned-density')!.content;
    const exact = artifacts.get('learned-density-true')!.content;
    expect(learned.format === 'json' && exact.format === 'json').toBe(true);
  }, 240_000);

  it('a score MLP gets the curl and the path-integrated density', async () => {
    const { series } = await run({
      dataset: MIXTURE,
      model: { kind: 'mlp', hidden: [32, 32], conditioning: 'none' },
      noise: { schedule: 'custom', sigmas: [SIGMA] },
      loss: { kind: 'dsm' },
      train: { steps: 200, batchSize: 128, logEvery: 100 },
      eval: { metrics: ['density'], samples: 500 },
    });
    const [curl] = series(METRIC.curl);
    expect(curl).toBeGreaterThan(0);
    expect(curl).toBeLessThan(1);
    expect(series(METRIC.pathDependence)).toHaveLength(1);
    expect(series(METRIC.nll)).toHaveLength(0);
  });
});

describe('where the learned density applies (config rules)', () => {
  const energy = { kind: 'energy', hidden: [16], conditioning: 'none' } as const;
  const train = { steps: 10, batchSize: 16 };
  it('nll of a 2-D energy model needs no sde; of a score MLP it does', () => {
    expect(() => resolveRunConfig({ dataset: MIXTURE, model: energy, loss: { kind: 'dsm' }, noise: { schedule: 'custom', sigmas: [0.1] }, train, eval: { metrics: ['nll'] } })).not.toThrow();
    expect(() => resolveRunConfig({ dataset: MIXTURE, model: { kind: 'mlp', conditioning: 'none' }, loss: { kind: 'dsm' }, noise: { schedule: 'custom', sigmas: [0.1] }, train, eval: { metrics: ['nll'] } })).toThrow(/nll needs an sde section .* or a 2-D energy model/);
  });
  it('density is refused for data that are not 2-D', () => {
    let error: unknown;
    try {
      resolveRunConfig({ dataset: { kind: 'gaussian', dim: 3 }, model: { kind: 'analytic' }, eval: { metrics: ['density'] } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/eval\.metrics\[0\]: density normalises the learned density on a 2-D grid, and gaussian data have dimension 3/);
  });
});
