import type { NetworkModelSpec } from '@scorelab/config';
import { createEnergyNetwork, type EnergyNetwork } from './energy-network';
import type { NoiseFamily } from './noise-family';
import type { Rng } from './rng';
import { createScoreNetwork, type ScoreNetwork } from './score-network';

/** A trained network of a run: the score MLP or the energy network, both with a TangentScoreFn `score`. */
export type Network = ScoreNetwork | EnergyNetwork;

/** The one network builder of a model spec: model.kind mlp -> createScoreNetwork, energy -> createEnergyNetwork. */
export function createNetwork(spec: NetworkModelSpec, dim: number, family: NoiseFamily, rng: Rng): Network {
  switch (spec.kind) {
    case 'mlp':
      return createScoreNetwork(spec, dim, family, rng);
    case 'energy':
      return createEnergyNetwork(spec, dim, family, rng);
  }
}
