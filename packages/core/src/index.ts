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
