import * as tf from '@tensorflow/tfjs';
import type { LangevinSamplerSpec } from '@scorelab/config';
import { conditionColumn } from '../condition';
import type { LevelPoint } from '../grid';
import type { GridUpdate } from '../update';

/**
 * The two Langevin step conventions that papers and reference code disagree on (DESIGN.md section 2):
 * - `half`: x += (a/2) s(x) + sqrt(a) z   (the default; NCSN and its toy code)
 * - `full`: x += a s(x) + sqrt(2a) z      (the Euler-Maruyama step of dx = grad log p dt + sqrt(2) dW with dt = a)
 * A `full` step of size a is a `half` step of size 2a.
 */
export type LangevinConvention = LangevinSamplerSpec['convention'];

/** Coefficients (c_s, c_z) of x += c_s s + c_z z for step size a. */
export function langevinCoefficients(stepSize: number, convention: LangevinConvention): { drift: number; noise: number } {
  switch (convention) {
    case 'half':
      return { drift: stepSize / 2, noise: Math.sqrt(stepSize) };
    case 'full':
      return { drift: stepSize, noise: Math.sqrt(2 * stepSize) };
  }
}

/**
 * The Langevin corrector of a noise-level grid (score_sde's `ald` corrector): one unadjusted Langevin
 * step at level i with step size a_i = stepSizes[i],
 *   x' = x + c_s s(x, sigma_i) + c_z z,  z ~ N(0, I): [N, D],
 * with (c_s, c_z) from the convention. One score evaluation.
 */
export function langevinCorrector(stepSizes: readonly number[], convention: LangevinConvention): GridUpdate<LevelPoint> {
  // Computed once per level (not per step), so sqrt is not re-evaluated in the loop.
  const coefficients = stepSizes.map((a) => langevinCoefficients(a, convention));
  return (x, point, score, rng) => {
    const { drift, noise } = coefficients[point.level];
    const [n, d] = x.shape;
    return tf.tidy(() => {
      const s = score(x, conditionColumn(n, point.sigma));
      const z = rng.normalTensor([n, d]);
      return tf.add(x, tf.add(tf.mul(s, drift), tf.mul(z, noise))) as tf.Tensor2D;
    });
  };
}
