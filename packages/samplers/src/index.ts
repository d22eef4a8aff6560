// The sampler shape and its one loop.
export { type SamplerKind, type ChainPosition, type SamplerState, type Sampler } from './sampler';
export { type SamplerProgress, type Snapshot, type SampleResult, type RunSamplerOptions, type SamplerCheckpoint, runSampler } from './run-sampler';
// The one factory and the initial samples it expects.
export { createSampler } from './create-sampler';
export { initialSamples } from './initial-samples';
// The six kinds.
export { type LangevinOptions, langevin } from './kinds/langevin';
export { type AnnealedLangevinOptions, annealedLangevin, annealedStepSizes } from './kinds/annealed-langevin';
export { type SdeSamplerOptions } from './kinds/sde-grid-sampler';
export { type EulerMaruyamaOptions, eulerMaruyama } from './kinds/euler-maruyama';
export { type ReverseDiffusionOptions, reverseDiffusion } from './kinds/reverse-diffusion';
export { type PredictorKind, type PredictorCorrectorSdeOptions, predictorCorrector } from './kinds/predictor-corrector';
export { type ProbabilityFlowOptions, probabilityFlow, probabilityFlowOde } from './kinds/probability-flow';
// The pieces they are built from.
export { type PredictorCorrectorOptions, predictorCorrectorSampler } from './predictor-corrector';
export { type LevelPoint, type TimePoint, type SamplerGrid, levelGrid, singleLevelGrid, timeGrid } from './grid';
export { type GridUpdate } from './update';
export { type LangevinConvention, langevinCoefficients, langevinCorrector } from './correctors/langevin-corrector';
export { snrLangevinCorrector } from './correctors/snr-langevin-corrector';
export { eulerMaruyamaPredictor } from './predictors/euler-maruyama-predictor';
export { reverseDiffusionPredictor } from './predictors/reverse-diffusion-predictor';
export { tweedieDenoise } from './tweedie';
