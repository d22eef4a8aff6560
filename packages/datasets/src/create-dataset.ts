import { checkerboardDataset } from './checkerboard';
import type { DataPoints } from './data-points';
import { type AnyDataset, type Dataset, type DatasetSpec, type DensityDatasetSpec, type FileDatasetSpec, hasExactDensity } from './dataset';
import { digitsDataset } from './digits';
import { empiricalDataset } from './empirical-dataset';
import { splitPoints } from './file-split';
import { gaussianMixtureDataset, mixtureFromGaussianSpec, mixtureFromGmmSpec, validateMixture } from './gaussian-mixture';
import { eightGaussians, mog2dWeighted, moons, rings, swissroll, twentyFiveGaussians } from './toy2d';

/**
 * Build a dataset from its spec; bad specs throw errors that name the kind and the field.
 * Every kind except `gaussian` and `checkerboard` exposes its clean `mixture`. digits and file are
 * EmpiricalDatasets (no known density); file needs `points`, the file's rows as the runner read them
 * (loadFileDataset in apps/runner), split by spec.split.
 */
export function createDataset(spec: DensityDatasetSpec): Dataset;
export function createDataset(spec: DatasetSpec, points?: DataPoints): AnyDataset;
export function createDataset(spec: DatasetSpec, points?: DataPoints): AnyDataset {
  if (spec === null || typeof spec !== 'object') throw new Error(`dataset spec must be an object with a kind, got ${String(spec)}`);
  const kind = spec.kind;
  switch (kind) {
    case 'mog2d-weighted':
      return gaussianMixtureDataset(spec, validateMixture(mog2dWeighted(), kind), true);
    case 'gaussian':
      // A single Gaussian has no modes to weigh, so no `mixture` (metrics would report a trivial 0).
      return gaussianMixtureDataset(spec, mixtureFromGaussianSpec(spec), false);
    case 'gmm':
      return gaussianMixtureDataset(spec, mixtureFromGmmSpec(spec), true);
    case '8gaussians':
      return gaussianMixtureDataset(spec, validateMixture(eightGaussians(toyScale(spec)), kind), true);
    case '25gaussians':
      return gaussianMixtureDataset(spec, validateMixture(twentyFiveGaussians(toyScale(spec)), kind), true);
    case 'rings':
      return gaussianMixtureDataset(spec, validateMixture(rings(toyScale(spec)), kind), true);
    case 'swissroll':
      return gaussianMixtureDataset(spec, validateMixture(swissroll(toyScale(spec)), kind), true);
    case 'moons':
      return gaussianMixtureDataset(spec, validateMixture(moons(toyScale(spec)), kind), true);
    case 'checkerboard':
      return checkerboardDataset(spec, toyScale(spec));
    case 'digits':
      return digitsDataset(spec);
    case 'file':
      return fileDataset(spec, points);
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown dataset kind '${String(unknownKind)}': expected one of mog2d-weighted, gaussian, gmm, 8gaussians, 25gaussians, rings, swissroll, moons, checkerboard, digits, file`);
    }
  }
}

function toyScale(spec: { kind: string; scale?: number }): number {
  const scale = spec.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw new Error(`${spec.kind}: scale must be a finite number > 0, got ${String(scale)}`);
  return scale;
}

function fileDataset(spec: FileDatasetSpec, points: DataPoints | undefined) {
  if (!points) throw new Error(`dataset kind file (${spec.path}): the file's points must be loaded first (the runner reads the file; createDataset(spec, points))`);
  const split = splitPoints(points, spec.split.test, spec.split.seed);
  return empiricalDataset(spec, split.train, split.test);
}

/**
 * createDataset for callers that need the exact density or score (the analytic model, eval/fisher, tools
 * on toy data): a dataset without a known density (digits, file) is refused, naming the kind.
 */
export function createDensityDataset(spec: DatasetSpec, need = 'this needs an exact density and score'): Dataset {
  const refuse = () => new Error(`dataset kind ${spec.kind} has no known density: ${need}`);
  if (spec.kind === 'digits' || spec.kind === 'file') throw refuse();
  const dataset = createDataset(spec);
  if (!hasExactDensity(dataset)) throw refuse();
  return dataset;
}
