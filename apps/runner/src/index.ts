export { executeRun, evaluateFisher, analyticScore, sigmasOf, formatSigma, RunFailure, RunStopped, type RunHooks, type RunProgress, type RunPhase, type MetricRecord, type RunOutcome } from './execute-run';
export { METRIC, fisherAtKey } from './metric-names';
export { twoDimensionalArtifacts, dataBounds, gridPoints, type ArtifactPayload, type Grid } from './artifacts';
