/**
 * The experiment-file schema (DESIGN.md section 3): one zod schema per section, a description
 * and (where one makes sense) a default on every key. Objects are strict, so a misspelt key is an
 * error. Rules that involve more than one key live next to the section they constrain; rules that
 * span sections are in `runConfigRules` (schema/run-config.ts). One file per section in schema/.
 */
export {
  MIXTURE_DATASET_KINDS, TOY_DATASET_KINDS, DATASET_KINDS, DATA_DATASET_KINDS, DENSITY_DATASET_KINDS, DIGITS_DIM,
  DATA_FILE_FORMATS, FILE_SPLIT_DEFAULTS, hasKnownDensity, fileFormatOf, Mog2dWeightedDatasetSchema, GaussianDatasetSchema,
  GmmDatasetSchema, ToyDatasetSchema, DigitsDatasetSchema, FileDatasetSchema, FileSplitSchema, DatasetSchema,
  type DatasetKind, type Mog2dWeightedDatasetSpec, type GaussianDatasetSpec, type GmmDatasetSpec, type ToyDatasetSpec,
  type DigitsDatasetSpec, type FileDatasetSpec, type DensityDatasetSpec, type DataDatasetSpec, type DatasetSpec,
} from './schema/dataset';
export {
  ACTIVATIONS, CONDITIONINGS, TIME_INPUTS, TIME_NETWORK_DEFAULTS, MlpModelSchema, AnalyticModelSchema,
  EnergyModelSchema, ModelSchema, type MlpModelSpec, type EnergyModelSpec, type NetworkModelSpec, type AnalyticModelSpec, type ModelSpec,
} from './schema/model';
export { RangeNoiseSchema, CustomNoiseSchema, NoiseSchema, noiseLevels, type NoiseSpec } from './schema/noise';
export {
  SDE_KINDS, VeSdeSchema, VpSdeSchema, SubVpSdeSchema, SdeSchema, type SdeKind, type VeSdeSpec,
  type VpSdeSpec, type SubVpSdeSpec, type SdeSpec,
} from './schema/sde';
export {
  LOSS_KINDS, PROJECTIONS, LOSS_WEIGHTINGS, NEGATIVE_INITS, NEGATIVES_DEFAULTS, NegativesSchema, LossSchema,
  type LossKind, type LossSpec, type NegativesSpec, type NegativeInit,
} from './schema/loss';
export { TrainSchema, type TrainSpec } from './schema/train';
export {
  InitSchema, LangevinSamplerSchema, AldSamplerSchema, NOISE_SAMPLER_KINDS, SDE_SAMPLER_KINDS, ODE_METHODS,
  PREDICTORS, EulerMaruyamaSamplerSchema, ReverseDiffusionSamplerSchema, PcSamplerSchema, OdeSamplerSchema,
  SamplerSchema, type SamplerInit, type LangevinSamplerSpec, type AldSamplerSpec,
  type EulerMaruyamaSamplerSpec, type ReverseDiffusionSamplerSpec, type PcSamplerSpec, type OdeSamplerSpec,
  type SamplerSpec, type NoiseSamplerSpec, type SdeSamplerSpec,
} from './schema/sampler';
export { EvalSchema, type EvalSpec } from './schema/eval';
export { METRICS, SAMPLE_METRICS, type MetricName } from './metric-names';
export {
  RunConfigObjectSchema, RunConfigSchema, type ResolvedRunConfig, type RunConfigInput,
} from './schema/run-config';
export {
  NAME_PATTERN, DistributionSchema, ValuesSchema, ParameterValuesSchema, experimentShape, type JsonValue,
  type DistributionSpec, type ParameterValues, type ExperimentFile,
} from './schema/experiment';
