export { type ScoreLoss, type Weighting, type JacobianMode } from './types';
export { type ScoreMatchingOptions, scoreMatching } from './score-matching';
export { type SlicedScoreMatchingOptions, slicedScoreMatching } from './sliced-score-matching';
export { type DenoisingScoreMatchingOptions, denoisingScoreMatching } from './denoising-score-matching';
export { type LossSpec, type LossKind, createLoss } from './create-loss';
export { type SdeScoreLoss, type SdeWeighting } from './sde-perturb';
export { type SdeDenoisingScoreMatchingOptions, sdeDenoisingScoreMatching } from './sde-denoising-score-matching';
export { type SdeSlicedScoreMatchingOptions, sdeSlicedScoreMatching } from './sde-sliced-score-matching';
export { type SdeLossSpec, createSdeLoss } from './create-sde-loss';
