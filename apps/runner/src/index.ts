export { executeRun, evaluateFisher, analyticScore, sigmasOf, RunFailure, RunStopped, type RunHooks, type RunProgress, type RunPhase, type MetricRecord, type RunOutcome } from './execute-run';
export { executeSdeRun, fisherTimes, timeLabel, EXACT_DIVERGENCE_MAX_DIM } from './execute-sde-run';
export { twoDimensionalArtifacts, dataBounds, gridPoints, noiseScoreField, timeScoreField, type ArtifactPayload, type Grid, type ScoreField, type FieldFn } from './artifacts';
