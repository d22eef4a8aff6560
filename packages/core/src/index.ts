export { type RngState, Rng } from './rng';
export { BACKEND_ORDER, type BackendName, isBackendName, selectBackend, currentBackend } from './backend';
export { installSecondOrderGradients } from './second-order-gradients';
export { geometricSigmas, linearSigmas, scheduleSigmas } from './schedules';
export { type ScoreFn, type TangentScoreFn, hasTangents } from './score';
export {
  type VectorField,
  type Projection,
  drawProjections,
  exactDivergence,
  jacobian,
  vectorJacobianProduct,
  projectedJacobian,
  hutchinsonDivergence,
} from './autodiff';
export { type Conditioning, type TimeInput, type ScoreNetworkOptions, type ScoreNetwork, createScoreNetwork } from './score-network';
export { type EnergyFn, type EnergyNetwork, createEnergyNetwork } from './energy-network';
export { energyMlp } from './energy-mlp';
export { type Network, createNetwork } from './network';
export {
  type NoiseFamily,
  type Condition,
  type LossWeighting,
  type NoiseDraw,
  type EvaluationPoint,
  CLEAN,
  noiseFamily,
  levelsFamily,
  conditionOf,
  drawNoise,
  perturbRows,
  evaluationPoints,
  exactScore,
} from './noise-family';
export { type OptimizerKind, type TrainerOptions, type StepReport, Trainer } from './train';
export { type AdamState, JsAdam } from './adam';
export { type TrainerState, type ResumableTrainer, isResumableTrainer } from './trainer-state';
export { installFastWasmMatMul } from './wasm-matmul';
export {
  type SdeKind,
  type Time,
  type AtTime,
  type Marginal,
  type Discretization,
  type ReverseSde,
  type VeSde,
  type VpSde,
  type SubVpSde,
  type Sde,
} from './sde/sde';
export { type VeSdeOptions, veSde } from './sde/ve-sde';
export { type VpSdeOptions, vpSde } from './sde/vp-sde';
export { type SubVpSdeOptions, subVpSde } from './sde/subvp-sde';
export { sdeFromSpec } from './sde/sde-from-spec';
export { type PerturbedScoreSource, type PerturbedDensitySource, analyticTimeScore, analyticTimeLogDensity } from './sde/analytic-time-score';
export { type OdeValue, type OdeFunction, type OdeMethod, type OdeOptions, type OdeSolverState, type OdeSolver, type OdeSolution } from './ode/ode';
export { euler } from './ode/euler';
export { rk4 } from './ode/rk4';
export { type DormandPrinceOptions, dormandPrince } from './ode/dormand-prince';
export { createOdeSolver, solveOde } from './ode/solve-ode';
export { type Activation, activate, activateWithCurvature, fastSoftplus, fastTanh } from './activations';
export { type FusedInputs, type FusedNetwork, createFusedNetwork, fusedInputs, kernelsAvailable } from './fused-network';
export { type StepTrainer, type FusedTrainerOptions, FusedTrainer, projectionArrays } from './fused-trainer';
