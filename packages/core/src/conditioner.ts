/**
 * What a network sees of its condition (DESIGN.md section 2), shared by the score MLP and the energy MLP:
 * the extra input columns next to x (zero tangent) and the output scale [N, 1] the network divides by.
 * - noise levels (cond = sigma): none [x], no scale; sigma-scale [x], sigma; embed [x, log sigma], sigma;
 * - an sde (cond = t): [x, c, sin(2 pi w c), cos(2 pi w c)], s(t), with c = t or log s(t) and fixed
 *   Gaussian Fourier frequencies w ~ N(0, fourierScale^2) drawn from `rng` (the only draw here).
 */
import * as tf from '@tensorflow/tfjs';
import type { MlpModelSpec } from '@scorelab/config';
import type { NoiseFamily } from './noise-family';
import type { Rng } from './rng';
import type { Sde } from './sde/sde';

/** model.conditioning: how a noise-level network sees sigma. */
export type Conditioning = MlpModelSpec['conditioning'];
/** model.timeInput: what an sde network sees of t. */
export type TimeInput = NonNullable<MlpModelSpec['timeInput']>;

/** Defaults of the time-conditional network's keys (config fills them in resolved configs with an sde). */
export const TIME_DEFAULTS = { fourierFeatures: 8, fourierScale: 1, timeInput: 'time' } as const;

/** The network's layer sizes and condition, resolved from the model spec and the family. */
export type ScoreNetworkOptions = Pick<MlpModelSpec, 'hidden' | 'activation'> & { inputDim: number } & (
    | { condition: 'sigma'; conditioning: Conditioning }
    | { condition: 'time'; fourierFeatures: number; fourierScale: number; timeInput: TimeInput }
  );

/**
 * The condition of a network for data of dimension `dim` under `family` (its sde, if any, gives s(t)):
 * the resolved options and the conditioner. Draws the Fourier frequencies from `rng` (sde only).
 */
export function networkCondition(
  spec: Pick<MlpModelSpec, 'hidden' | 'activation' | 'conditioning' | 'fourierFeatures' | 'fourierScale' | 'timeInput'>,
  dim: number,
  family: NoiseFamily,
  rng: Rng,
): { options: ScoreNetworkOptions; conditioner: Conditioner } {
  const { hidden, activation } = spec;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`inputDim must be a positive integer, got ${dim}`);
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new Error('hidden must list positive layer widths');
  if (family.kind === 'sde') {
    const time = {
      fourierFeatures: spec.fourierFeatures ?? TIME_DEFAULTS.fourierFeatures,
      fourierScale: spec.fourierScale ?? TIME_DEFAULTS.fourierScale,
      timeInput: spec.timeInput ?? TIME_DEFAULTS.timeInput,
    };
    return {
      options: { inputDim: dim, hidden: hidden.slice(), activation, condition: 'time', ...time },
      conditioner: timeConditioner(family.sde, time.fourierFeatures, time.fourierScale, time.timeInput, rng),
    };
  }
  return {
    options: { inputDim: dim, hidden: hidden.slice(), activation, condition: 'sigma', conditioning: spec.conditioning },
    conditioner: sigmaConditioner(spec.conditioning),
  };
}

/** What the network sees of cond: extra input columns (zero tangent) and the output scale [N, 1] (or null). */
export interface Conditioner {
  readonly columns: number;
  readonly frequencies: readonly number[];
  features(x: tf.Tensor2D, cond: tf.Tensor1D | undefined): { input: tf.Tensor2D; scale: tf.Tensor2D | null };
  dispose(): void;
}

function checkCond(x: tf.Tensor2D, cond: tf.Tensor1D | undefined, what: string): tf.Tensor1D {
  if (cond === undefined) throw new Error(`${what} network needs its condition`);
  if (cond.rank !== 1 || cond.shape[0] !== x.shape[0]) throw new Error(`${what}: the condition has shape [${cond.shape}] for ${x.shape[0]} samples, expected [${x.shape[0]}]`);
  return cond;
}

export function sigmaConditioner(conditioning: Conditioning): Conditioner {
  return {
    columns: conditioning === 'embed' ? 1 : 0,
    frequencies: [],
    features(x, sigma) {
      if (conditioning === 'none') return { input: x, scale: null };
      const sig = tf.reshape(checkCond(x, sigma, `a '${conditioning}'-conditioned score`), [-1, 1]) as tf.Tensor2D;
      return { input: conditioning === 'embed' ? (tf.concat([x, tf.log(sig)], 1) as tf.Tensor2D) : x, scale: sig };
    },
    dispose() {},
  };
}

export function timeConditioner(sde: Sde, fourierFeatures: number, fourierScale: number, timeInput: TimeInput, rng: Rng): Conditioner {
  if (!Number.isInteger(fourierFeatures) || fourierFeatures < 0) throw new Error(`fourierFeatures must be a non-negative integer, got ${fourierFeatures}`);
  if (!(fourierScale > 0)) throw new Error(`fourierScale must be > 0, got ${fourierScale}`);
  const frequencies = Array.from(rng.normalArray(fourierFeatures, 0, fourierScale));
  // 2 pi w as a row [1, F], kept for the network's lifetime.
  const angular = fourierFeatures > 0 ? tf.tensor2d([frequencies.map((w) => 2 * Math.PI * w)], [1, fourierFeatures]) : null;
  return {
    columns: 1 + 2 * fourierFeatures,
    frequencies,
    features(x, cond) {
      const t = checkCond(x, cond, 'a time-conditional score');
      const std = tf.reshape(sde.marginal(t).std, [-1, 1]) as tf.Tensor2D; // s(t): [N, 1]
      const c = timeInput === 'time' ? (tf.reshape(t, [-1, 1]) as tf.Tensor2D) : (tf.log(std) as tf.Tensor2D);
      const columns: tf.Tensor2D[] = [x, c];
      if (angular) {
        const phase = tf.matMul(c, angular); // [N, F]
        columns.push(tf.sin(phase) as tf.Tensor2D, tf.cos(phase) as tf.Tensor2D);
      }
      return { input: tf.concat(columns, 1) as tf.Tensor2D, scale: std };
    },
    dispose: () => angular?.dispose(),
  };
}

/**
 * MLP weights for layer widths [w_0, ..., w_L], initialised like PyTorch's nn.Linear: W_l and b_l
 * ~ U(-1/sqrt(w_{l-1}), 1/sqrt(w_{l-1})), drawn from `rng` layer by layer (W_1, b_1, W_2, ...).
 */
export function initMlpWeights(widths: readonly number[], rng: Rng): tf.Variable[] {
  const params: tf.Variable[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const bound = 1 / Math.sqrt(widths[l]);
    // tidy: the initial values are copied into the variables and must not outlive them.
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([widths[l], widths[l + 1]], -bound, bound), true, undefined, 'float32')));
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([widths[l + 1]], -bound, bound), true, undefined, 'float32')));
  }
  return params;
}
