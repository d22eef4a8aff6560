export { type KernelExports, kernelModule, instantiateKernels, kernelsSupported } from './kernel-module';
export {
  type Activation,
  type FusedMlpSpec,
  type FusedObjective,
  type FusedBatch,
  type FusedOptimizer,
  type FusedStepResult,
  FusedMlp,
} from './fused-mlp';
