export { type MetricRecord, type RunPhase, type RunProgress, type RunHooks, type RunOutcome, RunFailure, RunStopped } from './hooks';
export { type RunRngs, runRngs } from './rngs';
export { type TrainLoopOptions, trainLoop } from './train-loop';
export { EXACT_DIVERGENCE_MAX_DIM, evaluateFisher, evaluateNll } from './evaluate';
export { type SamplerOutput, recordSamples } from './sample-metrics';
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
export { type RunModel, SILENT_HOOKS, buildRunModel, trainRunModel } from './run-model';
export { executeRun } from './execute-run';
