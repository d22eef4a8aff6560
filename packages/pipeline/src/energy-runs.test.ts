/**
 * Energy networks through the real pipeline (executeRun): trained by dsm, sm and ml (CD-k and PCD) their
 * eval/fisher falls; ml logs its energies and negatives every logEvery steps and keeps snapshots of the
 * negatives; a stopped and resumed ml run (PCD: replay buffer, chain stream, Adam) logs what an uninterrupted one logs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC, resolveRunConfig, type ResolvedRunConfig, type RunConfigInput } from '@scorelab/config';
import * as tf from '@tensorflow/tfjs';
import { CLEAN, Rng, createEnergyNetwork, selectBackend } from '@scorelab/core';
import type { ArtifactPayload } from './artifacts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint';
import { executeRun } from './execute-run';
import { RunStopped, type MetricRecord, type RunHooks } from './hooks';
import { trainingDivergenceAdvice } from './divergence';
import { MaximumLikelihoodTrainer, negativeSnapshotSteps, negativesArtifactName } from './ml-training';
import type { TrainingStart } from './model-checkpoints';
import { SILENT_HOOKS, resolveEngine } from './run-model';

beforeAll(async () => {
  await selectBackend('wasm');
});

const DATASET: RunConfigInput['dataset'] = { kind: 'gmm', means: [[-2, 0], [2, 0]], stds: [0.7, 0.7] };
const ENERGY = { kind: 'energy', hidden: [32, 32], activation: 'swish', conditioning: 'none' } satisfies RunConfigInput['model'];
const TRAIN = { steps: 300, batchSize: 128, logEvery: 50, lr: 0.003 };
const EVAL: RunConfigInput['eval'] = { metrics: ['fisher'], samples: 1000, every: 50 };

interface Logged {
  points: MetricRecord[];
  artifacts: Map<string, { kind: string; content: ArtifactPayload }>;
  checkpoints: { step: number; bytes: Uint8Array; final: boolean }[];
  engine: string | null;
  stopped: boolean;
}

async function run(config: ResolvedRunConfig, seed: number, start: TrainingStart | null = null, stopAfter: number | null = null): Promise<Logged> {
  const logged: Logged = { points: [], artifacts: new Map(), checkpoints: [], engine: null, stopped: false };
  let checks = 0;
  const hooks: RunHooks = {
    log: (p) => logged.points.push(...p),
    progress: () => {},
    artifact: (name, kind, content) => logged.artifacts.set(name, { kind, content }),
    // Called once before each training step.
    shouldStop: () => stopAfter !== null && ++checks > stopAfter - (start ? decodeCheckpoint(start.checkpoint).trainer.steps : 0),
    yield: async () => {},
    checkpoint: (step, bytes, final) => void logged.checkpoints.push({ step, bytes, final }),
  };
  try {
    logged.engine = (await executeRun(config, seed, hooks, { start })).engine;
  } catch (e) {
    if (!(e instanceof RunStopped)) throw e;
    logged.stopped = true;
  }
  return logged;
}

const series = (l: Logged, key: string) => l.points.filter((p) => p.key === key).map((p) => p.value);

describe('energy networks trained through executeRun', () => {
  const cases: [string, RunConfigInput][] = [
    ['dsm (noise levels, embed: E = f([x, log sigma]) / sigma)', { dataset: DATASET, model: { ...ENERGY, conditioning: 'embed' }, noise: { schedule: 'geometric', sigmaMax: 2, sigmaMin: 0.1, levels: 3 }, loss: { kind: 'dsm' }, train: TRAIN, eval: EVAL }],
    ['sm (exact trace of -H through forward-over-reverse tangents)', { dataset: DATASET, model: ENERGY, loss: { kind: 'sm' }, train: TRAIN, eval: EVAL }],
    ['ml, CD-k (negatives from the batch)', { dataset: DATASET, model: ENERGY, loss: { kind: 'ml', negatives: { init: 'data', steps: 20, stepSize: 0.02 } }, train: TRAIN, eval: EVAL }],
    ['ml at one noise level (x+ = x + sigma z, E(x, sigma) = f([x, log sigma]) / sigma)', { dataset: DATASET, model: { ...ENERGY, conditioning: 'embed' }, noise: { schedule: 'custom', sigmas: [0.3] }, loss: { kind: 'ml', negatives: { init: 'data', steps: 20, stepSize: 0.02 } }, train: TRAIN, eval: EVAL }],
    ['ml, PCD (replay buffer)', { dataset: DATASET, model: ENERGY, loss: { kind: 'ml', negatives: { init: 'persistent', steps: 20, stepSize: 0.02, bufferSize: 1000 } }, train: TRAIN, eval: EVAL }],
  ];
  for (const [name, input] of cases) {
    it(`${name}: eval/fisher falls to under half its first value, on the tfjs engine`, async () => {
      const config = resolveRunConfig(input);
      expect(resolveEngine(config, 'auto')).toBe('tfjs');
      const l = await run(config, 0);
      expect(l.engine).toBe('tfjs');
      const fisher = series(l, METRIC.fisher);
      expect(fisher.length).toBe(TRAIN.steps / 50);
      expect(fisher.at(-1)!).toBeLessThan(0.5 * fisher[0]);
      expect(fisher.every(Number.isFinite)).toBe(true);
      if (config.loss!.kind !== 'ml') expect(series(l, METRIC.energyPos)).toEqual([]);
    });
  }

  it('ml logs energy_pos, energy_neg, their gap and neg_mmd every logEvery steps, and snapshots of the negatives', async () => {
    const config = resolveRunConfig({ dataset: DATASET, model: ENERGY, loss: { kind: 'ml', negatives: { init: 'noise', steps: 10, stepSize: 0.02 } }, train: { ...TRAIN, steps: 100, logEvery: 10 } });
    const l = await run(config, 1);
    const steps = (key: string) => l.points.filter((p) => p.key === key).map((p) => p.step);
    for (const key of [METRIC.energyPos, METRIC.energyNeg, METRIC.energyGap, METRIC.negMmd]) expect(steps(key)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    const pos = series(l, METRIC.energyPos);
    const neg = series(l, METRIC.energyNeg);
    series(l, METRIC.energyGap).forEach((g, i) => expect(g).toBeCloseTo(pos[i] - neg[i], 6));
    // The data ends below the negatives in energy once training has started (what contrastive divergence pushes for).
    expect(series(l, METRIC.energyGap).at(-1)!).toBeLessThan(0);
    const snapshots = [...negativeSnapshotSteps(config.train!)].sort((a, b) => a - b);
    expect(snapshots).toEqual([30, 60, 90, 100]);
    for (const s of snapshots) {
      const a = l.artifacts.get(negativesArtifactName(s));
      expect(a?.kind).toBe('samples');
      expect(a?.content.format === 'float32' && a.content.shape).toEqual([128, 2]);
    }
  });
});

describe('resume of an ml run (PCD)', () => {
  const config = resolveRunConfig({
    dataset: DATASET,
    model: ENERGY,
    loss: { kind: 'ml', negatives: { init: 'persistent', steps: 5, stepSize: 0.02, bufferSize: 200, reinit: 0.1 }, alpha: 0.01 },
    train: { steps: 40, batchSize: 32, logEvery: 5, checkpointEvery: 10, clipGradNorm: 1 },
    eval: { metrics: ['fisher'], samples: 200, every: 20 },
  });
  let straight: Logged;
  beforeAll(async () => {
    straight = await run(config, 3);
  });

  it('its checkpoints hold the replay buffer', () => {
    expect(straight.checkpoints.map((c) => c.step)).toEqual([10, 20, 30, 40]);
    for (const c of straight.checkpoints) expect(decodeCheckpoint(c.bytes).replayBuffer?.length).toBe(200 * 2);
  });

  for (const k of [13, 27]) {
    it(`stopped after ${k} steps and resumed from its last checkpoint, it logs exactly what an uninterrupted run logs`, async () => {
      const first = await run(config, 3, null, k);
      expect(first.stopped).toBe(true);
      const last = first.checkpoints.at(-1)!;
      expect(last.step).toBe(Math.floor(k / 10) * 10);
      const second = await run(config, 3, { checkpoint: last.bytes, kind: 'resume' });
      const merged = [...first.points.filter((p) => p.step <= last.step), ...second.points].filter((p) => !p.key.startsWith('perf/'));
      const want = straight.points.filter((p) => !p.key.startsWith('perf/'));
      const key = (p: MetricRecord) => `${p.key}@${p.step}`;
      expect(merged.map(key).sort()).toEqual(want.map(key).sort());
      const byKey = new Map(want.map((p) => [key(p), p.value]));
      for (const p of merged) expect(p.value, key(p)).toBe(byKey.get(key(p)));
      // The buffer matters: resumed from the same checkpoint without it, the chains restart from noise and the numbers differ.
      const { replayBuffer, ...rest } = decodeCheckpoint(last.bytes);
      expect(replayBuffer).toBeTruthy();
      const without = await run(config, 3, { checkpoint: encodeCheckpoint(rest), kind: 'resume' });
      expect(series(without, METRIC.energyNeg)).not.toEqual(series(second, METRIC.energyNeg));
    });
  }
});

describe('MaximumLikelihoodTrainer', () => {
  it('keeps tf.memory().numTensors flat over many steps (every init, logging steps included)', () => {
    for (const init of ['data', 'noise', 'persistent'] as const) {
      const network = createEnergyNetwork({ hidden: [8], activation: 'softplus', conditioning: 'none' }, 2, CLEAN, new Rng(1));
      const data = new Rng(2);
      const config = resolveRunConfig({ dataset: DATASET, model: ENERGY, loss: { kind: 'ml', negatives: { init, steps: 3, bufferSize: 64 } }, train: { steps: 40, batchSize: 16, logEvery: 4 } });
      const trainer = new MaximumLikelihoodTrainer({
        network,
        family: CLEAN,
        loss: config.loss!,
        train: config.train!,
        sample: () => data.normalTensor([16, 2]) as tf.Tensor2D,
        rng: new Rng(3),
        box: { low: [-3, -3], high: [3, 3] },
        hooks: SILENT_HOOKS,
      });
      for (let i = 0; i < 4; i++) trainer.step(i % 2 === 0);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 24; i++) trainer.step(i % 4 === 3);
      expect(tf.memory().numTensors, init).toBe(before);
      trainer.dispose();
      network.dispose();
    }
  });

  it('a diverged ml run is advised to shorten the Langevin step of its negatives first', () => {
    const ml = resolveRunConfig({ dataset: DATASET, model: ENERGY, loss: { kind: 'ml' }, train: TRAIN });
    const box = { low: [-3, -2], high: [3, 2] };
    expect(trainingDivergenceAdvice(ml, CLEAN, box)).toMatch(/^try a smaller loss\.negatives\.stepSize/);
    const sm = resolveRunConfig({ dataset: DATASET, model: ENERGY, loss: { kind: 'sm' }, train: TRAIN });
    expect(trainingDivergenceAdvice(sm, CLEAN, box)).toBe('try a smaller train.lr');
  });
});
