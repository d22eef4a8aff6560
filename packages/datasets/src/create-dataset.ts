import { checkerboardDataset } from './checkerboard';
import type { Dataset, DatasetSpec } from './dataset';
import { gaussianMixtureDataset, mixtureFromGaussianSpec, mixtureFromGmmSpec, validateMixture } from './gaussian-mixture';
import { eightGaussians, mog2dWeighted, moons, rings, swissroll, twentyFiveGaussians } from './toy2d';

/**
 * Build a dataset from its spec; bad specs throw errors that name the kind and the field.
 * Every kind except `gaussian` and `checkerboard` exposes its clean `mixture`.
 */
export function createDataset(spec: DatasetSpec): Dataset {
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
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown dataset kind '${String(unknownKind)}': expected one of mog2d-weighted, gaussian, gmm, 8gaussians, 25gaussians, rings, swissroll, moons, checkerboard`);
    }
  }
}

function toyScale(spec: { kind: string; scale?: number }): number {
  const scale = spec.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw new Error(`${spec.kind}: scale must be a finite number > 0, got ${String(scale)}`);
  return scale;
}
