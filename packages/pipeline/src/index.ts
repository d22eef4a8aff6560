export { type MetricRecord, type RunPhase, type RunProgress, type RunHooks, type RunOutcome, RunFailure, RunStopped } from './hooks';
export { type RunRngs, runRngs, heldOutRng, rngOrder, rngStates, restoreRngs } from './rngs';
export { type Checkpoint, checkpointByteLength, encodeCheckpoint, decodeCheckpoint, checkpointSteps } from './checkpoint';
export { type TrainingStart, type CheckpointedModel, checkpointing } from './model-checkpoints';
export { type TrainLoopOptions, trainLoop } from './train-loop';
export { EXACT_DIVERGENCE_MAX_DIM, evaluateFisher, evaluateNll } from './evaluate';
export { type SampleMetricRngs, type SamplerOutput, recordSamples, sampleMetricPoints } from './sample-metrics';
export { sampleAndMeasure, timeLabel, trajectoryLabels } from './sample-stage';
export {
  type ArtifactPayload,
  type FieldFn,
  type ScoreField,
  type ArtifactInputs,
  SCORE_FIELD_SIZE,
  DENSITY_GRID_SIZE,
  TRAJECTORY_POINTS,
  dataBounds,
  gridPoints,
  scoreFieldAt,
  twoDimensionalArtifacts,
} from './artifacts';
export {
  type RunModel,
  type DataRunModel,
  type AnyRunModel,
  type BuildRunModelOptions,
  type Engine,
  type EngineChoice,
  SILENT_HOOKS,
  buildRunModel,
  buildAnyRunModel,
  isDensityRunModel,
  trainRunModel,
  resolveEngine,
  defaultEngineChoice,
} from './run-model';
export { type ExecuteRunOptions, executeRun } from './execute-run';
export {
  type DensityModel,
  type DensityOptions,
  type DensityResult,
  type DensityEvaluation,
  type LearnedDensityArtifact,
  DENSITY_METRIC,
  densityArtifacts,
  densityCondition,
  exactEnergy,
  pointEnergyOf,
  pointFieldOf,
  prepareDensityEvaluation,
} from './density-eval';
export { type DensityStage, densityStage, wantsDensity } from './density-stage';
export {
  type HeldOutEvaluation,
  type HeldOutMetricName,
  type DataSampleMetricRngs,
  HELD_OUT_DEFAULT_POINTS,
  prepareHeldOutEvaluation,
  heldOutLossPoints,
  dataSampleMetricPoints,
} from './heldout-eval';
export { type DataArtifactInputs, IMAGE_ARTIFACT_IMAGES, dataArtifacts } from './data-artifacts';
