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
export {
  type PointEnergyFn,
  type PointFieldFn,
  type DensityBox,
  type QuadratureGrid,
  DENSITY_QUADRATURE_CELLS,
  DENSITY_BOX_MARGIN,
  boxAroundData,
  cellSides,
  gridNodes,
  nodesPerSide,
  strideGrid,
  strideRows,
} from './density/grid';
export { type LogPartition, MAX_OUTER_MASS, MAX_LOG_Z_ERROR, logPartition, partitionProblem, trapezoidLogWeights } from './density/quadrature';
export { type GridKl, gridKl } from './density/grid-kl';
export { type LearnedDensity, energyDensity, energyNll } from './density/energy-density';
export { type ScorePathDensity, integrateScore, scorePathLogDensityAt } from './density/score-path';
export { relativeCurl, pathDependence } from './density/curl';
export { type HeldOutLossOptions, type HeldOutLoss, HELD_OUT_CHUNK_ROWS, heldOutDenoisingLoss, heldOutSlicedScoreMatching } from './held-out-losses';
export { type NearestNeighbours, nearestNeighbours, nearestNeighbourDistances, meanNearestNeighbourDistance } from './nearest-neighbour';
