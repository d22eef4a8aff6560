import * as tf from '@tensorflow/tfjs';

/** The score's condition (sigma or t) repeated for every row: [N]; undefined for an unconditional score. */
export function conditionColumn(n: number, cond: number): tf.Tensor1D;
export function conditionColumn(n: number, cond: number | undefined): tf.Tensor1D | undefined;
export function conditionColumn(n: number, cond: number | undefined): tf.Tensor1D | undefined {
  return cond === undefined ? undefined : tf.fill([n], cond);
}
