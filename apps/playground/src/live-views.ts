/**
 * The playground's live pictures of a model while it trains (in the worker): the learned score next
 * to the exact one at a chosen noise level or time, an energy model's density next to the true one,
 * and samples with their annealed Langevin trajectory. Every random draw here comes from a view stream
 * of its own, never from the run's streams, so watching does not change the run's numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, evaluationPoints, type EvaluationPoint, type NoiseFamily } from '@scorelab/core';
import { createSampler, initialSamples, runSampler } from '@scorelab/samplers';
import { formatSigma, type Grid, type SamplerSpec } from '@scorelab/config';
import { dataBounds, gridPoints, trajectoryLabels, type RunModel } from '@scorelab/pipeline';
import type { DensityView, FieldView, SamplesView } from './protocol';

export const FIELD_SIZE = 21;
export const DENSITY_SIZE = 64;
/** Snapshots of at most this many samples are sent for the trajectory animation. */
export const TRAJECTORY_SAMPLES = 300;

/** A seed for the view streams, derived from the run's seed but distinct from every stream of runRngs. */
export function viewSeed(seed: number): number {
  return (Math.imul(seed ^ 0x5f3759df, 0x9e3779b1) ^ 0x7ea1) >>> 0;
}

export function pointLabel(p: EvaluationPoint, family: NoiseFamily): string {
  switch (family.kind) {
    case 'clean':
      return 'clean data';
    case 'levels':
      return `σ=${formatSigma(p.cond!)}`;
    case 'sde':
      return `t=${Number(p.cond!.toPrecision(2))} (std ${p.std.toPrecision(2)})`;
  }
}

/** The bounding box the views share: fresh data from the view stream, with a margin (dataBounds). */
export function viewBox(model: RunModel, rng: Rng): Omit<Grid, 'nx' | 'ny'> {
  const data = model.dataset.sample(2000, rng);
  try {
    return dataBounds(data);
  } finally {
    data.dispose();
  }
}

function condFor(p: EvaluationPoint, n: number): tf.Tensor1D | undefined {
  return p.cond === undefined ? undefined : (tf.fill([n], p.cond) as tf.Tensor1D);
}

/** The learned (forwardScore: the kernels on the fused engine, current between steps) and exact score on a grid, at every view point. */
export function fieldView(model: RunModel, box: Omit<Grid, 'nx' | 'ny'>, step: number): FieldView {
  const points = evaluationPoints(model.family);
  const grid: Grid = { ...box, nx: FIELD_SIZE, ny: FIELD_SIZE };
  const learned: Float32Array[] = [];
  const exact: Float32Array[] = [];
  tf.tidy(() => {
    const x = tf.tensor2d(gridPoints(grid));
    for (const p of points) {
      const cond = condFor(p, x.shape[0]);
      learned.push(model.forwardScore(x, cond).dataSync() as Float32Array);
      exact.push(model.exact(x, cond).dataSync() as Float32Array);
    }
  });
  return { step, levels: points.map((q) => pointLabel(q, model.family)), grid, model: learned, exact };
}

/**
 * An energy model's density exp(-E) normalised on the grid (log), beside the true log p_sigma at the same
 * level; null for score models. The grid normalisation is for the picture only (eval/kl is the quadrature's).
 */
export function densityView(model: RunModel, box: Omit<Grid, 'nx' | 'ny'>, level: number, step: number): DensityView | null {
  const network = model.network;
  if (network?.kind !== 'energy') return null;
  const points = evaluationPoints(model.family);
  const p = points[Math.max(0, Math.min(points.length - 1, level))];
  const grid: Grid = { ...box, nx: DENSITY_SIZE, ny: DENSITY_SIZE };
  const [learned, exact] = tf.tidy(() => {
    const x = tf.tensor2d(gridPoints(grid));
    const logq = tf.neg(network.energy(x, condFor(p, x.shape[0])));
    const normalise = (l: tf.Tensor1D) => tf.sub(l, tf.logSumExp(l));
    return [normalise(logq).dataSync() as Float32Array, normalise(model.dataset.logDensity(x, p.std)).dataSync() as Float32Array];
  });
  return { step, label: pointLabel(p, model.family), grid, learned, exact };
}

/** Samples of the current model with the run's sampler spec, from the view stream, with the trajectory's snapshots. */
export function liveSamples(model: RunModel, spec: SamplerSpec, rng: Rng, step: number): SamplesView {
  const sampler = createSampler(spec, model.family);
  const x0 = initialSamples(spec, model.family, 2, rng);
  let result: ReturnType<typeof runSampler>;
  try {
    result = runSampler(sampler, model.forwardScore, x0, rng, { recordTrajectory: true, progressEvery: 1_000_000 });
  } finally {
    x0.dispose();
  }
  const data = model.dataset.sample(spec.samples, rng);
  try {
    return {
      step,
      final: false,
      samples: result.samples.dataSync() as Float32Array,
      data: data.dataSync() as Float32Array,
      trajectory: result.trajectory ? { labels: trajectoryLabels(spec, model.family, result.snapshots ?? []), snapshots: result.trajectory.map(head) } : null,
    };
  } finally {
    data.dispose();
    result.samples.dispose();
    result.trajectory?.forEach((t) => t.dispose());
  }
}

function head(t: tf.Tensor2D): Float32Array {
  const m = Math.min(TRAJECTORY_SAMPLES, t.shape[0]);
  return (t.dataSync() as Float32Array).slice(0, 2 * m);
}
