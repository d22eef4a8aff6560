export { type LangevinConvention, type StepInfo, type SamplerState, type Sampler, langevinCoefficients } from './sampler';
export { type LangevinOptions, langevin } from './langevin';
export { type AnnealedLangevinOptions, annealedLangevin } from './annealed-langevin';
export { type SamplerProgress, type SampleResult, type RunSamplerOptions, runSampler } from './run-sampler';
export { type InitSpec, initialSamples } from './init';
export { type SamplerSpec, createSampler } from './spec';
