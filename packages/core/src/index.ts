export { Rng } from './rng';
export { BACKEND_ORDER, type BackendName, isBackendName, selectBackend, currentBackend } from './backend';
export { installSecondOrderGradients } from './second-order-gradients';
export { type NoiseSchedule, geometricSigmas, linearSigmas, scheduleSigmas } from './schedules';
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
export { type Activation, type Conditioning, type MlpOptions, type ScoreNetwork, createMlpScoreNetwork } from './mlp-score-network';
export { type OptimizerKind, type TrainerOptions, type StepReport, Trainer } from './train';
export { JsAdam } from './adam';
export { installFastWasmMatMul } from './wasm-matmul';
export {
  type SdeKind,
  type Time,
  type AtTime,
  type TimeScoreFn,
  type TangentTimeScoreFn,
  type Marginal,
  type Discretization,
  type ReverseSde,
  type VeSde,
  type VpSde,
  type SubVpSde,
  type Sde,
  hasTimeTangents,
} from './sde/sde';
export { type VeSdeOptions, veSde } from './sde/ve-sde';
export { type VpSdeOptions, vpSde } from './sde/vp-sde';
export { type SubVpSdeOptions, subVpSde } from './sde/subvp-sde';
export { type SdeSpec, sdeFromSpec } from './sde/sde-from-spec';
export { type PerturbedScoreSource, type PerturbedDensitySource, analyticTimeScore, analyticTimeLogDensity } from './sde/analytic-time-score';
export { type TimeInput, type TimeMlpOptions, type TimeScoreNetwork, createTimeScoreNetwork } from './sde/time-score-network';
export { type OdeValue, type OdeFunction, type OdeMethod, type OdeOptions, type OdeSolverState, type OdeSolver, type OdeSolution } from './ode/ode';
export { euler } from './ode/euler';
export { rk4 } from './ode/rk4';
export { type DormandPrinceOptions, dormandPrince } from './ode/dormand-prince';
export { createOdeSolver, solveOde } from './ode/solve-ode';
export { fastSoftplus, fastTanh } from './activations';
