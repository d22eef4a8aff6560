/**
 * Checkpoints: the binary encoding (round trip, size, refusals), and the property they exist for — a run
 * stopped at a random step and resumed from its last checkpoint logs the same numbers as a run that was
 * never stopped, with no step logged twice; and a run started from another run's trained model samples
 * exactly what that run sampled.
 */
import { resolveRunConfig, type ResolvedRunConfig } from '@scorelab/config';
import { Rng, kernelsAvailable, selectBackend } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointByteLength, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint';
import { executeRun } from './execute-run';
import { RunStopped, type MetricRecord, type RunHooks } from './hooks';
import type { TrainingStart } from './model-checkpoints';
import { buildRunModel } from './run-model';
import { rngOrder } from './rngs';

beforeAll(async () => {
  await selectBackend('wasm');
});

function randomCheckpoint(rng: Rng, sizes: number[], adam: boolean, streams: number): Checkpoint {
  return {
    trainer: {
      steps: rng.int(100000),
      weights: sizes.map((n) => rng.normalArray(n)),
      adam: adam ? { t: sizes.map(() => rng.int(1000)), m: sizes.map((n) => Float64Array.from(rng.normalArray(n), (x) => x * Math.PI)), v: sizes.map((n) => Float64Array.from(rng.normalArray(n), (x) => x * x * Math.E)) } : null,
    },
    rngs: Array.from({ length: streams }, (_, i) => ({ ...new Rng(i + 1).state(), spareNormal: i % 2 ? rng.normal() : null })),
  };
}

describe('checkpoint encoding', () => {
  it('round-trips weights (float32), moments (float64), step counts and random streams exactly', () => {
    const rng = new Rng(1);
    for (const [sizes, adam] of [[[6, 3, 9, 1], true], [[5], false], [[], false]] as [number[], boolean][]) {
      const c = randomCheckpoint(rng, sizes, adam, 9);
      const bytes = encodeCheckpoint(c);
      expect(bytes.length).toBe(checkpointByteLength(sizes, adam, 9));
      expect(decodeCheckpoint(bytes)).toEqual(c);
      // A copy at an odd offset of a larger buffer (as a store may hand it back) decodes the same.
      const shifted = new Uint8Array(bytes.length + 3);
      shifted.set(bytes, 3);
      expect(decodeCheckpoint(shifted.subarray(3))).toEqual(c);
    }
  });

  it('round-trips a replay buffer (loss ml, persistent) after the streams, and is unchanged without one', () => {
    const rng = new Rng(2);
    const c = randomCheckpoint(rng, [6, 3], true, 9);
    const plain = encodeCheckpoint(c);
    const buffer = rng.normalArray(7 * 2);
    const withBuffer = encodeCheckpoint({ ...c, replayBuffer: buffer });
    expect(withBuffer.length).toBe(checkpointByteLength([6, 3], true, 9, 14));
    // u32 length, u32 0, 14 float32 (56 bytes, already a multiple of 8).
    expect(withBuffer.length).toBe(plain.length + 8 + 56);
    expect(decodeCheckpoint(withBuffer)).toEqual({ ...c, replayBuffer: buffer });
    expect(decodeCheckpoint(plain)).toEqual(c);
    expect(Array.from(encodeCheckpoint({ ...c, replayBuffer: null }))).toEqual(Array.from(plain));
    expect(() => decodeCheckpoint(withBuffer.subarray(0, withBuffer.length - 8))).toThrow(/bytes where its header says/);
  });

  it('is a small header, float32 weights and float64 moments: 91,208 bytes for the quickstart 64-64 MLP', () => {
    const quickstart = resolveRunConfig({
      dataset: { kind: 'mog2d-weighted' },
      model: { kind: 'mlp', hidden: [64, 64], activation: 'softplus', conditioning: 'embed' },
      noise: { schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 10 },
      loss: { kind: 'dsm' },
      train: { steps: 1500 },
    });
    const model = buildRunModel(quickstart, 0, 'tfjs');
    const sizes = model.network!.params.map((p) => p.size);
    const streams = rngOrder(model.rngs).length;
    model.dispose();
    // [x, log sigma] (3) -> 64 -> 64 -> 2: 256 + 4160 + 130 = 4546 weights.
    expect(sizes).toEqual([192, 64, 4096, 64, 128, 2]);
    const p = 4546;
    // header 24 + 6 sizes + 6 step counts = 72 (a multiple of 8), 4 P weights, 16 P moments, 24 per stream.
    expect(checkpointByteLength(sizes, true, streams)).toBe(72 + 4 * p + 16 * p + 24 * streams);
    expect(checkpointByteLength(sizes, true, 9)).toBe(91_208);
    expect(checkpointByteLength(sizes, false, 9)).toBe(48 + 4 * p + 24 * 9);
  });

  it('refuses bytes that are not a checkpoint, naming why', () => {
    const bytes = encodeCheckpoint(randomCheckpoint(new Rng(2), [4, 2], true, 3));
    expect(() => decodeCheckpoint(new TextEncoder().encode('hello world, not a checkpoint'))).toThrow(/does not begin with "SLCK"/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 10))).toThrow(/shorter than the header/);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 8))).toThrow(/bytes where its header says/);
    const future = bytes.slice();
    future[4] = 9;
    expect(() => decodeCheckpoint(future)).toThrow(/format version 9/);
  });
});

interface Logged {
  points: MetricRecord[];
  checkpoints: { step: number; bytes: Uint8Array; final: boolean }[];
}

/** executeRun with hooks that keep every point and checkpoint; stops before step stopAfter + 1 when given. */
async function run(config: ResolvedRunConfig, seed: number, start: TrainingStart | null = null, stopAfter: number | null = null): Promise<Logged & { stopped: boolean }> {
  const logged: Logged = { points: [], checkpoints: [] };
  let checks = 0;
  const hooks: RunHooks = {
    log: (points) => logged.points.push(...points),
    progress: () => {},
    artifact: () => {},
    // Called once before each training step: the (stopAfter + 1)-th call is before step stopAfter + 1.
    shouldStop: () => stopAfter !== null && ++checks > stopAfter - (start ? decodeCheckpoint(start.checkpoint).trainer.steps : 0),
    yield: async () => {},
    checkpoint: (step, bytes, final) => void logged.checkpoints.push({ step, bytes, final }),
  };
  try {
    await executeRun(config, seed, hooks, { start });
    return { ...logged, stopped: false };
  } catch (e) {
    if (!(e instanceof RunStopped)) throw e;
    return { ...logged, stopped: true };
  }
}

const comparable = (points: MetricRecord[]) =>
  points
    .filter((p) => !p.key.startsWith('perf/'))
    .map((p) => `${p.key}@${p.step}`)
    .sort();

function expectSameNumbers(actual: MetricRecord[], expected: MetricRecord[]): void {
  expect(comparable(actual)).toEqual(comparable(expected));
  const byKey = new Map(expected.map((p) => [`${p.key}@${p.step}`, p.value]));
  for (const p of actual) {
    if (p.key.startsWith('perf/')) continue;
    const want = byKey.get(`${p.key}@${p.step}`)!;
    // float32 round-off (on one backend the numbers are in fact identical).
    expect(Math.abs(p.value - want), `${p.key}@${p.step}: ${p.value} vs ${want}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
  }
}

const engines = kernelsAvailable() ? (['tfjs', 'fused'] as const) : (['tfjs'] as const);

describe.each(engines)('resume on the %s engine', (engine) => {
  const config = resolveRunConfig({
    dataset: { kind: 'mog2d-weighted' },
    model: { kind: 'mlp', hidden: [16, 16], engine },
    noise: { schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 3 },
    loss: { kind: 'ssm-vr' },
    train: { steps: 60, batchSize: 32, logEvery: 5, checkpointEvery: 10 },
    sampler: { kind: 'ald', stepSize: 0.1, stepsPerLevel: 10, samples: 200, init: { kind: 'uniform', low: -8, high: 8 } },
    eval: { every: 15, metrics: ['fisher', 'mmd', 'swd', 'modeWeights'], samples: 200 },
  });
  let straight: Logged;
  beforeAll(async () => {
    straight = await run(config, 4);
  });

  it('checkpoints every train.checkpointEvery steps and at the end', () => {
    // Both trainers are resumable (core Trainer and FusedTrainer implement state()/restore()).
    const every = [10, 20, 30, 40, 50];
    expect(straight.checkpoints.map((c) => [c.step, c.final])).toEqual([...every.map((s) => [s, false]), [60, true]]);
    const final = decodeCheckpoint(straight.checkpoints.at(-1)!.bytes);
    expect(final.trainer.steps).toBe(60);
    expect(final.trainer.adam).not.toBeNull();
  });

  it('stopped at a random step and resumed from its last checkpoint, it logs what an uninterrupted run logs, each step once', async () => {
    const k = 1 + Math.floor(Math.random() * 58); // stopped after k steps, 1 <= k <= 58
    const first = await run(config, 4, null, k);
    expect(first.stopped, `k = ${k}`).toBe(true);
    const last = first.checkpoints.at(-1);
    const from = last?.step ?? 0;
    expect(from).toBe(Math.floor(k / 10) * 10);
    // What the store keeps on resume: the points up to the checkpoint's step.
    const kept = first.points.filter((p) => p.step <= from);
    const second = await run(config, 4, last ? { checkpoint: last.bytes, kind: 'resume' } : null);
    const trainSteps = second.points.filter((p) => p.key === 'train/loss').map((p) => p.step);
    expect(Math.min(...trainSteps), `k = ${k}`).toBeGreaterThan(from);
    expect(new Set(trainSteps).size).toBe(trainSteps.length);
    expectSameNumbers([...kept, ...second.points], straight.points);
  });

  it("a run started from another run's trained model samples exactly what that run sampled, without training", async () => {
    // Another sampler step size and eval schedule: the same training hash.
    const other = resolveRunConfig({ ...config, eval: { ...config.eval!, every: 60 } });
    const final = straight.checkpoints.at(-1)!.bytes;
    const reused = await run(other, 4, { checkpoint: final, kind: 'trained' });
    expect(reused.points.filter((p) => p.key.startsWith('train/'))).toEqual([]);
    expect(reused.checkpoints).toEqual([]);
    const samples = (ps: MetricRecord[]) => ps.filter((p) => p.key.startsWith('sample/'));
    expect(samples(reused.points).length).toBeGreaterThan(3);
    expectSameNumbers(samples(reused.points), samples(straight.points));
    // Its own evaluation at the final step.
    expect(reused.points.filter((p) => p.key === 'eval/fisher').map((p) => p.step)).toEqual([60]);
  });
});
