// @scorelab/kernels: the wasm module's exports (see packages/kernels/README.md for the calling convention).
export { tiledProduct, dotProduct, transpose } from './matmul';
export { addBias, activateForward, activateBackward, columnSums, basisTangents, basisGradient, divideRows } from './layers';
export { lossDsm, lossSm, lossSsm } from './losses';
export { adam, sgd } from './optimizers';

/** First free byte after the module's static data: the JS side lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}
