export { type ScoreLoss, type Weighting, type JacobianMode } from './types';
export { type PerturbedBatch, perturb } from './noise';
export { type ScoreMatchingOptions, scoreMatching } from './score-matching';
export { type SlicedScoreMatchingOptions, slicedScoreMatching } from './sliced-score-matching';
export { type DenoisingScoreMatchingOptions, denoisingScoreMatching } from './denoising-score-matching';
export { type LossKind, createLoss } from './create-loss';
export { type ShortRunLangevinOptions, shortRunLangevin } from './short-run-langevin';
export { type Box, ReplayBuffer, uniformInBox } from './replay-buffer';
export {
  type EnergyModel,
  type ContrastiveDivergenceOptions,
  type ContrastiveDivergenceTerms,
  ContrastiveDivergence,
  contrastiveDivergenceSurrogate,
} from './contrastive-divergence';
