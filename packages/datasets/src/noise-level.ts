import type * as tf from '@tensorflow/tfjs';

/**
 * The `sigma` argument of logDensity/score, resolved once: no noise, one sigma for every row,
 * or one sigma per row ([N]; rows with sigma = 0 get the clean density).
 */
export type NoiseLevel = { kind: 'clean' } | { kind: 'scalar'; sigma: number } | { kind: 'rows'; sigma: tf.Tensor1D };

/** Check x: [N, dim] and sigma, and classify sigma. */
export function resolveNoiseLevel(x: tf.Tensor, dim: number, sigma: number | tf.Tensor1D | undefined, caller: string): NoiseLevel {
  if (x.rank !== 2 || x.shape[1] !== dim) {
    throw new Error(`${caller}: x must have shape [N, ${dim}], got [${x.shape.join(', ')}]`);
  }
  if (sigma === undefined) return { kind: 'clean' };
  if (typeof sigma === 'number') {
    if (!Number.isFinite(sigma) || sigma < 0) throw new Error(`${caller}: sigma must be a finite number >= 0, got ${sigma}`);
    return sigma === 0 ? { kind: 'clean' } : { kind: 'scalar', sigma };
  }
  if (sigma.rank !== 1 || sigma.shape[0] !== x.shape[0]) {
    throw new Error(`${caller}: a sigma tensor must have shape [N] = [${x.shape[0]}], got [${sigma.shape.join(', ')}]`);
  }
  return { kind: 'rows', sigma };
}
