// Analytic-model and tiny trained SDE runs in process: eval/nll against the closed-form log-density of
// Gaussian data pushed through the SDE, perf/nfe of every SDE sampler, and a trained time network.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '@scorelab/config';
import { evaluationPoints, exactScore, sdeFromSpec, selectBackend, type ScoreFn } from '@scorelab/core';
import { createDensityDataset } from '@scorelab/datasets';
import { probabilityFlowLogLikelihood } from '@scorelab/metrics';
import type { ArtifactPayload } from './artifacts';
import { executeRun } from './execute-run';
import type { MetricRecord, RunHooks } from './hooks';
import { runRngs } from './rngs';
import { timeLabel } from './sample-stage';

/** Hooks that keep everything a run reports. */
function collector(): RunHooks & { points: MetricRecord[]; artifacts: Map<string, ArtifactPayload>; latest(key: string): number } {
  const points: MetricRecord[] = [];
  const artifacts = new Map<string, ArtifactPayload>();
  return {
    points,
    artifacts,
    log: (p) => points.push(...p),
    progress: () => undefined,
    artifact: (name, _kind, content) => artifacts.set(name, content),
    shouldStop: () => false,
    latest(key) {
      const found = points.filter((p) => p.key === key);
      if (found.length === 0) throw new Error(`no metric ${key}`);
      return found[found.length - 1].value;
    },
  };
}

/**
 * -mean log p_eps(x) in float64 for Gaussian data N(mu, std^2 I) under a linear SDE:
 * p_eps = N(m mu, (m^2 std^2 + s^2) I) with (m, s) = marginal(eps).
 */
function gaussianNll(x: number[][], mu: number[], std: number, m: number, s: number): number {
  const v = m * m * std * std + s * s;
  let total = 0;
  for (const row of x) {
    let q = 0;
    row.forEach((xi, i) => (q += (xi - m * mu[i]) ** 2));
    total += 0.5 * row.length * Math.log(2 * Math.PI * v) + q / (2 * v);
  }
  return total / x.length;
}

describe('analytic SDE runs (in process)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([
    ['vp, exact divergence (D = 2)', { kind: 'vp', betaMax: 40 }, 2],
    ['subvp, exact divergence (D = 3)', { kind: 'subvp', betaMax: 40 }, 3],
    ['vp, Hutchinson (D = 9)', { kind: 'vp', betaMax: 40 }, 9],
  ] as const)('eval/nll equals the closed form: %s', async (_name, sdeSpec, dim) => {
    const mean = Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? 1 : -1));
    const config = resolveRunConfig({ dataset: { kind: 'gaussian', dim, mean, std: 0.5 }, model: { kind: 'analytic' }, sde: sdeSpec, eval: { metrics: ['nll', 'fisher'], samples: 200 } });
    const hooks = collector();
    const before = tf.memory().numTensors;
    await executeRun(config, 7, hooks);
    expect(tf.memory().numTensors).toBe(before);
    // The held-out set: 200 points from the run's likelihood stream, drawn first.
    const dataset = createDensityDataset(config.dataset);
    const likelihoodRng = runRngs(7).likelihood;
    const heldOut = dataset.sample(200, likelihoodRng);
    const x = heldOut.arraySync();
    const sde = sdeFromSpec(config.sde!);
    // perf/nll_nfe counts score forward passes: the same likelihood (same points, same Hutchinson probes)
    // with a counting exact score makes D calls per ODE evaluation with the exact divergence, 1 with Hutchinson.
    const exact = exactScore(dataset, { kind: 'sde', sde });
    let calls = 0;
    const counted: ScoreFn = (xx, t) => {
      calls++;
      return exact(xx, t);
    };
    const replay = probabilityFlowLogLikelihood(counted, sde, heldOut, { divergence: dim <= 8 ? 'exact' : 'hutchinson', rng: likelihoodRng, eps: sde.trainEps });
    heldOut.dispose();
    expect(hooks.latest('perf/nll_nfe')).toBe(calls);
    expect(calls).toBe((dim <= 8 ? dim : 1) * replay.rhsEvaluations);
    // eval/nll is -log p at the training and likelihood eps (1e-5), not the sampling eps (1e-3): for VP (betaMax 40)
    // the two differ by about (D / 2) s(1e-3)^2 / 0.25 = 2.4e-4 D nats, above the 3e-4 tolerance below for D = 2 and 9.
    expect(sde.trainEps).toBe(1e-5);
    const { mean: m, std: s } = sde.marginal(sde.trainEps);
    // The likelihood replaces log p_1(x_1) by the prior's log N(x_1; 0, I). With p_1 = N(m(1) mu, ~I), each
    // point is off by about m(1) mu . z, z ~ N(0, I): for betaMax 20, m(1) = 0.0066 and that is 1e-3 nats
    // (std of the mean over 200 points) in D = 9, so betaMax 40 (m(1) = 4.5e-5) leaves < 1e-5. What remains
    // is rk45's error at rtol = atol = 1e-5, observed ~1e-5 nats. For isotropic Gaussian data the drift's
    // Jacobian is c I, so Hutchinson's v^T J v = c D (Rademacher v) is exact as well.
    expect(Math.abs(hooks.latest('eval/nll') - gaussianNll(x, mean, 0.5, m, s))).toBeLessThan(3e-4);
    // The exact model has no Fisher divergence to the exact score.
    expect(hooks.latest('eval/fisher')).toBe(0);
    expect(hooks.points.filter((p) => p.key.startsWith('eval/fisher@t=')).map((p) => p.key)).toEqual(evaluationPoints({ kind: 'sde', sde }).map((p) => `eval/fisher@t=${Number(p.cond!.toPrecision(4))}`));
    expect(hooks.points.every((p) => p.step === 0)).toBe(true);
  });

  it.each([
    ['euler-maruyama', { kind: 'euler-maruyama', steps: 12, samples: 50 }, 12],
    ['reverse-diffusion with denoising', { kind: 'reverse-diffusion', steps: 12, samples: 50, denoise: true }, 13],
    ['pc with 2 corrector steps and denoising', { kind: 'pc', steps: 10, correctorSteps: 2, samples: 50, denoise: true }, 31],
    ['ode with rk4', { kind: 'ode', method: 'rk4', steps: 5, samples: 50 }, 20],
  ] as const)('perf/nfe of %s', async (_name, sampler, nfe) => {
    const config = resolveRunConfig({ dataset: { kind: 'gaussian', dim: 3 }, model: { kind: 'analytic' }, sde: { kind: 'subvp' }, sampler, eval: { metrics: ['mmd'], samples: 50 } });
    const hooks = collector();
    await executeRun(config, 0, hooks);
    expect(hooks.latest('perf/nfe')).toBe(nfe);
    expect(hooks.latest('sample/mmd')).toBeLessThan(0.2);
    expect(hooks.artifacts.size).toBe(0); // artifacts are for 2-D data only
  });

  it('trains the time network with continuous-time ssm-vr and log-std time input, with flat tensor counts', async () => {
    const config = resolveRunConfig({
      dataset: { kind: 'moons' },
      model: { kind: 'mlp', hidden: [8], timeInput: 'log-std', fourierFeatures: 2 },
      sde: { kind: 've', sigmaMax: 5 },
      loss: { kind: 'ssm-vr', weighting: 'likelihood' },
      train: { steps: 6, batchSize: 16, logEvery: 3 },
      sampler: { kind: 'euler-maruyama', steps: 10, samples: 20 },
      eval: { metrics: ['fisher', 'swd'], samples: 20 },
    });
    const hooks = collector();
    const before = tf.memory().numTensors;
    const outcome = await executeRun(config, 1, hooks);
    expect(tf.memory().numTensors).toBe(before);
    // 2 + 1 + 2*2 inputs -> 8 -> 2: (7 * 8 + 8) + (8 * 2 + 2).
    expect(outcome).toEqual({ trainSteps: 6, parameterCount: 82, engine: 'fused' });
    expect(hooks.points.filter((p) => p.key === 'train/loss').map((p) => p.step)).toEqual([3, 6]);
    expect(Number.isFinite(hooks.latest('train/loss'))).toBe(true);
    // VE with eps 1e-5: the fisher times are eps, 0.1, ..., 1; the snapshots go down to t = eps.
    expect(hooks.points.filter((p) => p.key.startsWith('eval/fisher@t=')).map((p) => p.key)[0]).toBe('eval/fisher@t=0.00001');
    const trajectory = hooks.artifacts.get('trajectory') as { format: 'json'; value: { labels: string[] } };
    expect(trajectory.value.labels.at(-1)).toBe('t=0.00001');
    expect(timeLabel(0.5)).toBe('t=0.50');
  });
});
