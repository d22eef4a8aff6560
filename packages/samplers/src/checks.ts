import type * as tf from '@tensorflow/tfjs';
import type { Sde } from '@scorelab/core';

/** Step counts (steps, stepsPerLevel, ODE steps) are positive integers, as the config requires. */
export function checkSteps(steps: number, name: string): void {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`${name} must be a positive integer, got ${steps}`);
}

/** A Langevin step size (a, or ald's eps) is a positive finite number. */
export function checkStepSize(stepSize: number, name = 'stepSize'): void {
  if (!(stepSize > 0) || !Number.isFinite(stepSize)) throw new Error(`${name} must be a positive number, got ${stepSize}`);
}

/** The samples a chain starts from are [N, D]. */
export function checkStart(x0: tf.Tensor, kind: string): void {
  if (x0.rank !== 2) throw new Error(`${kind}: x0 must be [N, D], got shape [${x0.shape.join(', ')}]`);
}

/** The final time of an SDE sampler: `eps`, or the SDE's sampling eps; inside (0, T). */
export function resolveEps(sde: Sde, eps: number | undefined, kind: string): number {
  const e = eps ?? sde.eps;
  if (!(Number.isFinite(e) && e > 0 && e < sde.T)) throw new Error(`${kind}: eps must be in (0, T = ${sde.T}), got ${e}`);
  return e;
}
