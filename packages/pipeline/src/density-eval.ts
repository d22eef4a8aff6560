/**
 * Learned densities of 2-D models (docs/numerics.md, "Learned densities in 2-D"): for an energy model
 * log p̂ = -E - log Z with Z by quadrature, for a score model log p̂ = ∫ s · dl - log Z by line integrals
 * of the score; eval/nll on held-out points and eval/kl = KL(p_sigma || p̂) on the quadrature grid, and
 * for scores how far the field is from a gradient field (eval/curl, eval/path_dependence).
 *
 * The held-out set, the box and the true log-density on the grid are fixed once per run
 * (prepareDensityEvaluation), so the curves over training steps are not data noise.
 */
import * as tf from '@tensorflow/tfjs';
import type { NoiseFamily, Rng, ScoreFn } from '@scorelab/core';
import type { Dataset } from '@scorelab/datasets';
import {
  DENSITY_BOX_MARGIN,
  DENSITY_QUADRATURE_CELLS,
  boxAroundData,
  energyDensity,
  energyNll,
  gridKl,
  gridNodes,
  integrateScore,
  logPartition,
  nodesPerSide,
  partitionProblem,
  pathDependence,
  relativeCurl,
  scorePathLogDensityAt,
  strideGrid,
  strideRows,
  type PointEnergyFn,
  type QuadratureGrid,
  type PointFieldFn,
} from '@scorelab/metrics';
import { METRIC, type DensityArtifact } from '@scorelab/config';
import type { MetricRecord } from './hooks';

/**
 * The keys this module logs (config METRIC). eval/nll is the key of the
 * probability-flow NLL too: same meaning (nats per held-out point); for a 2-D energy model this one
 * applies and the probability-flow one must not run (see docs/numerics.md).
 */
export const DENSITY_METRIC = {
  nll: METRIC.nll,
  kl: METRIC.kl,
  logZError: METRIC.logZError,
  outerMass: METRIC.boxOuterMass,
  curl: METRIC.curl,
  pathDependence: METRIC.pathDependence,
  nllPath: METRIC.nllPath,
  klPath: METRIC.klPath,
} as const;

/** Rows per tfjs call when a tensor model is evaluated on the grid (bounds the memory of one call). */
export const DENSITY_CHUNK_ROWS = 8192;
/** Data points that measure the box. */
export const DENSITY_BOX_SAMPLES = 4000;
/** Held-out points of eval/nll when the caller does not say. */
export const DENSITY_HELD_OUT = 2000;
/** Largest number of nodes per side of the learned-density artifacts (the grid is subsampled to fit). */
export const DENSITY_ARTIFACT_NODES = 81;

/** The model whose density is measured, at its noise coordinate, as a plain function. */
export type DensityModel = { kind: 'energy'; energy: PointEnergyFn } | { kind: 'score'; score: PointFieldFn };

export interface DensityOptions {
  /** The noise level of the density the model represents (sigma_L of a noise-level model); 0 (default) for the clean one. */
  sigma?: number;
  heldOut?: number;
  cells?: number;
  margin?: number;
}

export interface DensityResult {
  records: MetricRecord[];
  /** Why eval/nll and eval/kl (or their _path versions) were not logged, or null. */
  problem: string | null;
  /** log p̂ at the grid nodes, normalised on the box: [(G + 1)^2] (for densityArtifacts). */
  logDensity: Float64Array;
}

export interface DensityEvaluation {
  readonly grid: QuadratureGrid;
  readonly sigma: number;
  /** Held-out points x ~ p_sigma, [N, 2] row-major. */
  readonly heldOut: Float64Array;
  readonly heldOutCount: number;
  /** log p_sigma at the grid nodes (the dataset's exact log-density, float32 precision): [(G + 1)^2]. */
  readonly trueLogDensity: Float64Array;
  measure(model: DensityModel, step: number): DensityResult;
}

/** The learned and true log-densities as two `density` artifacts on one grid (every stride-th node of the quadrature grid). */
export type LearnedDensityArtifact = { name: 'learned-density' | 'learned-density-true'; kind: 'density'; content: { format: 'json'; value: DensityArtifact } };

/**
 * Where a run's model is read as a density, and the true density it is compared with: noise levels at the
 * smallest sigma_L (cond sigma_L, against p_sigma_L: the density the model is trained to represent there);
 * an sde at t = trainEps (cond t, against the clean p: p_eps differs from it by O(eps)); clean: unconditional.
 */
export function densityCondition(family: NoiseFamily): { cond: number | undefined; sigma: number } {
  switch (family.kind) {
    case 'clean':
      return { cond: undefined, sigma: 0 };
    case 'levels': {
      const sigmaL = family.sigmas[family.sigmas.length - 1];
      return { cond: sigmaL, sigma: sigmaL };
    }
    case 'sde':
      return { cond: family.sde.trainEps, sigma: 0 };
  }
}

function toTensorRows(points: Float64Array, start: number, rows: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(points.subarray(2 * start, 2 * (start + rows))), [rows, 2]);
}

/** A tfjs energy E(x: [N, 2], cond?: [N]) -> [N] with its noise coordinate fixed (undefined: unconditional), as a PointEnergyFn. */
export function pointEnergyOf(energy: (x: tf.Tensor2D, cond?: tf.Tensor1D) => tf.Tensor1D, cond?: number): PointEnergyFn {
  return (points, n) => {
    const out = new Float64Array(n);
    for (let start = 0; start < n; start += DENSITY_CHUNK_ROWS) {
      const rows = Math.min(DENSITY_CHUNK_ROWS, n - start);
      const values = tf.tidy(() => energy(toTensorRows(points, start, rows), cond === undefined ? undefined : (tf.fill([rows], cond) as tf.Tensor1D)).dataSync());
      out.set(values, start);
    }
    return out;
  };
}

/** A score s(x, cond) with its noise coordinate fixed, as a PointFieldFn. */
export function pointFieldOf(score: ScoreFn, cond?: number): PointFieldFn {
  return (points, n) => {
    const out = new Float64Array(2 * n);
    for (let start = 0; start < n; start += DENSITY_CHUNK_ROWS) {
      const rows = Math.min(DENSITY_CHUNK_ROWS, n - start);
      const values = tf.tidy(() => score(toTensorRows(points, start, rows), cond === undefined ? undefined : (tf.fill([rows], cond) as tf.Tensor1D)).dataSync());
      out.set(values, 2 * start);
    }
    return out;
  };
}

/** E = -log p_sigma of the dataset: the energy of `model: analytic` (its eval/nll is the entropy of p_sigma, its eval/kl 0). */
export function exactEnergy(dataset: Dataset, sigma = 0): PointEnergyFn {
  return pointEnergyOf((x) => tf.neg(dataset.logDensity(x, sigma)), undefined);
}

function drawPoints(dataset: Dataset, n: number, sigma: number, rng: Rng): Float64Array {
  const values = tf.tidy(() => {
    const x = dataset.sample(n, rng);
    return (sigma > 0 ? tf.add(x, tf.mul(rng.normalTensor([n, 2]), sigma)) : x).dataSync();
  });
  return Float64Array.from(values);
}

/** Why the values cannot be logged (one is NaN or infinite: e.g. p̂ = 0 where the data have mass), or null. */
function nonFinite(values: Record<string, number>): string | null {
  const bad = Object.entries(values).filter(([, v]) => !Number.isFinite(v));
  return bad.length === 0 ? null : `the learned density gives ${bad.map(([k, v]) => `${k} = ${v}`).join(', ')} (p̂ = 0 where the data have mass, or a NaN energy)`;
}

/**
 * Draws from `rng`, in order: DENSITY_BOX_SAMPLES points of p_sigma for the box (their range plus
 * `margin` standard deviations per axis), then the held-out points. Evaluates log p_sigma on the grid.
 */
export function prepareDensityEvaluation(dataset: Dataset, rng: Rng, options: DensityOptions = {}): DensityEvaluation {
  if (dataset.dim !== 2) throw new Error(`learned densities need 2-D data, the dataset '${dataset.spec.kind}' has dimension ${dataset.dim}`);
  const sigma = options.sigma ?? 0;
  if (!(sigma >= 0 && Number.isFinite(sigma))) throw new Error(`prepareDensityEvaluation: sigma must be finite and >= 0, got ${sigma}`);
  const heldOutCount = options.heldOut ?? DENSITY_HELD_OUT;
  const box = boxAroundData(drawPoints(dataset, DENSITY_BOX_SAMPLES, sigma, rng), DENSITY_BOX_SAMPLES, options.margin ?? DENSITY_BOX_MARGIN);
  const grid: QuadratureGrid = { box, cells: options.cells ?? DENSITY_QUADRATURE_CELLS };
  const heldOut = drawPoints(dataset, heldOutCount, sigma, rng);
  const trueLogDensity = Float64Array.from(tf.tidy(() => dataset.logDensity(tf.tensor2d(Float32Array.from(gridNodes(grid)), [nodesPerSide(grid) ** 2, 2]), sigma).dataSync()));
  return {
    grid,
    sigma,
    heldOut,
    heldOutCount,
    trueLogDensity,
    measure: (model, step) => (model.kind === 'energy' ? measureEnergy(model.energy, step) : measureScore(model.score, step)),
  };

  function measureEnergy(energy: PointEnergyFn, step: number): DensityResult {
    const learned = energyDensity(energy, grid);
    const { partition } = learned;
    const records: MetricRecord[] = [];
    if (Number.isFinite(partition.logZ)) {
      records.push({ key: DENSITY_METRIC.logZError, step, value: partition.logZError }, { key: DENSITY_METRIC.outerMass, step, value: partition.outerMass });
    }
    let problem = partitionProblem(partition);
    if (problem === null) {
      const nll = energyNll(energy, partition.logZ, heldOut, heldOutCount);
      const { kl } = gridKl(trueLogDensity, learned.logDensity, grid);
      problem = nonFinite({ nll, kl });
      if (problem === null) records.push({ key: DENSITY_METRIC.nll, step, value: nll }, { key: DENSITY_METRIC.kl, step, value: kl });
    }
    return { records, problem, logDensity: learned.logDensity };
  }

  function measureScore(score: PointFieldFn, step: number): DensityResult {
    const path = integrateScore(score, grid);
    const records: MetricRecord[] = [
      { key: DENSITY_METRIC.curl, step, value: relativeCurl(path.field, trueLogDensity, grid) },
      { key: DENSITY_METRIC.pathDependence, step, value: pathDependence(path.xFirst, path.yFirst, trueLogDensity, grid) },
    ];
    const partition = logPartition(path.logUnnormalised, grid);
    if (Number.isFinite(partition.logZ)) {
      records.push({ key: DENSITY_METRIC.logZError, step, value: partition.logZError }, { key: DENSITY_METRIC.outerMass, step, value: partition.outerMass });
    }
    const logDensity = path.logUnnormalised.map((v) => v - partition.logZ);
    let problem = partitionProblem(partition);
    if (problem === null) {
      const at = scorePathLogDensityAt(path, score, heldOut, heldOutCount);
      let sum = 0;
      for (const v of at) sum += v;
      if (sum === -Infinity) problem = 'a held-out point lies outside the box, where the path-integrated density is not defined';
      else {
        const nll = -sum / heldOutCount + partition.logZ;
        const { kl } = gridKl(trueLogDensity, logDensity, grid);
        problem = nonFinite({ nll, kl });
        if (problem === null) records.push({ key: DENSITY_METRIC.nllPath, step, value: nll }, { key: DENSITY_METRIC.klPath, step, value: kl });
      }
    }
    return { records, problem, logDensity };
  }
}

/**
 * The `learned-density` (log p̂) and `learned-density-true` (log p_sigma) artifacts for the dashboard
 * heatmap, on the same grid: every stride-th node of the quadrature grid, at most DENSITY_ARTIFACT_NODES per side.
 */
export function densityArtifacts(evaluation: DensityEvaluation, result: DensityResult): LearnedDensityArtifact[] {
  const { grid, sigma } = evaluation;
  let stride = 1;
  while (grid.cells / stride + 1 > DENSITY_ARTIFACT_NODES && grid.cells % (2 * stride) === 0) stride *= 2;
  const artifactGrid = strideGrid(grid, stride);
  const artifact = (name: LearnedDensityArtifact['name'], values: Float64Array): LearnedDensityArtifact => ({
    name,
    kind: 'density',
    content: { format: 'json', value: { grid: artifactGrid, sigma, logDensity: strideRows(values, grid, stride) } },
  });
  return [artifact('learned-density', result.logDensity), artifact('learned-density-true', evaluation.trueLogDensity)];
}
