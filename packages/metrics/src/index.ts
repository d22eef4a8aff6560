export { type FisherDivergenceOptions, type FisherDivergence, fisherDivergence } from './fisher';
export { type MmdOptions, MMD_BANDWIDTH_MULTIPLIERS, defaultBandwidths, mmd } from './mmd';
export { type MmdPermutationTest, type MmdPermutationTestOptions, MMD_PERMUTATIONS, mmdPermutationTest } from './mmd-permutation-test';
export { type SlicedWassersteinOptions, slicedWasserstein, wasserstein2Squared1d } from './sliced-wasserstein';
export { type GaussianMixture, type ModeWeights, modeWeights, modeWeightTvFloor } from './mode-weights';
export {
  type LikelihoodDivergence,
  type ProbabilityFlowLikelihoodOptions,
  type ProbabilityFlowLikelihood,
  probabilityFlowLogLikelihood,
} from './probability-flow-likelihood';
