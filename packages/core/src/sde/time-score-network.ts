import * as tf from '@tensorflow/tfjs';
import { mlpForward } from '../mlp-forward';
import type { Activation } from '../mlp-score-network';
import type { Rng } from '../rng';
import type { Sde, TangentTimeScoreFn } from './sde';

/** What the network sees of t: t itself, or log s(t) (NCSN++ feeds log sigma for VE, which is affine in t there). */
export type TimeInput = 'time' | 'log-std';

export interface TimeMlpOptions {
  inputDim: number;
  hidden: number[];
  activation: Activation;
  /** F: number of Gaussian Fourier frequencies; the embedding has 1 + 2F columns (default 8). */
  fourierFeatures?: number;
  /** Std of the fixed random frequencies w_k ~ N(0, scale^2) (default 1; NCSN++ uses 16 on log sigma). */
  fourierScale?: number;
  /** Default `time`. */
  timeInput?: TimeInput;
}

export interface TimeScoreNetwork {
  readonly options: Required<TimeMlpOptions>;
  /** Trainable weights, in layer order [W1, b1, W2, b2, ...]; the Fourier frequencies are fixed, not trained. */
  readonly params: tf.Variable[];
  /** The fixed frequencies w_k. */
  readonly frequencies: readonly number[];
  /** s(x, t) with forward-mode Jacobian-vector products in x. */
  readonly score: TangentTimeScoreFn;
  parameterCount(): number;
  dispose(): void;
}


/**
 * A time-conditional MLP score network (score_sde's recipe, for toy data):
 *   s(x, t) = net([x, c, sin(2 pi w c), cos(2 pi w c)]) / s(t),  c = t or log s(t),
 * with F fixed Gaussian Fourier frequencies w ~ N(0, fourierScale^2) and s(t) the SDE's marginal std, so the
 * output has the 1/s(t) scale of the true score near the data (score_sde divides by the marginal std too).
 * Weights are initialised like PyTorch's nn.Linear. Random draws from `rng`: the F frequencies, then the weights.
 * The embedding has zero tangent, so forward-mode J v uses only the x rows of the first weight matrix.
 */
export function createTimeScoreNetwork(options: TimeMlpOptions, sde: Sde, rng: Rng): TimeScoreNetwork {
  const opts: Required<TimeMlpOptions> = {
    inputDim: options.inputDim,
    hidden: options.hidden.slice(),
    activation: options.activation,
    fourierFeatures: options.fourierFeatures ?? 8,
    fourierScale: options.fourierScale ?? 1,
    timeInput: options.timeInput ?? 'time',
  };
  const { inputDim, hidden, activation, fourierFeatures, fourierScale, timeInput } = opts;
  if (!Number.isInteger(inputDim) || inputDim < 1) throw new Error(`inputDim must be a positive integer, got ${inputDim}`);
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new Error('hidden must list positive layer widths');
  if (!Number.isInteger(fourierFeatures) || fourierFeatures < 0) throw new Error(`fourierFeatures must be a non-negative integer, got ${fourierFeatures}`);
  if (!(fourierScale > 0)) throw new Error(`fourierScale must be > 0, got ${fourierScale}`);

  const frequencies = Array.from(rng.normalArray(fourierFeatures, 0, fourierScale));
  const embedWidth = 1 + 2 * fourierFeatures;
  const widths = [inputDim + embedWidth, ...hidden, inputDim];
  const params: tf.Variable[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const bound = 1 / Math.sqrt(widths[l]);
    // tf.tidy frees the initial values (a variable keeps its own reference to the data).
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([widths[l], widths[l + 1]], -bound, bound), true, undefined, 'float32')));
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([widths[l + 1]], -bound, bound), true, undefined, 'float32')));
  }
  // 2 pi w as a row [1, F], kept for the network's lifetime.
  const angular = fourierFeatures > 0 ? tf.tensor2d([frequencies.map((w) => 2 * Math.PI * w)], [1, fourierFeatures]) : null;

  const run = (x: tf.Tensor2D, t: tf.Tensor1D, tangents: tf.Tensor2D[]) => {
    if (x.rank !== 2 || x.shape[1] !== inputDim) throw new Error(`expected x of shape [N, ${inputDim}], got [${x.shape}]`);
    if (t.rank !== 1 || t.shape[0] !== x.shape[0]) throw new Error(`t must have shape [${x.shape[0]}], got [${t.shape}]`);
    const std = tf.reshape(sde.marginal(t).std, [-1, 1]) as tf.Tensor2D; // s(t): [N, 1]
    const c = timeInput === 'time' ? (tf.reshape(t, [-1, 1]) as tf.Tensor2D) : (tf.log(std) as tf.Tensor2D);
    const columns: tf.Tensor2D[] = [x, c];
    if (angular) {
      const phase = tf.matMul(c, angular); // [N, F]
      columns.push(tf.sin(phase) as tf.Tensor2D, tf.cos(phase) as tf.Tensor2D);
    }
    return mlpForward(params, activation, tf.concat(columns, 1) as tf.Tensor2D, inputDim, tangents, std);
  };

  const score = ((x: tf.Tensor2D, t: tf.Tensor1D) => run(x, t, []).score) as TangentTimeScoreFn;
  score.withTangents = (x, t, tangents) => {
    for (const v of tangents) {
      if (v.shape[0] !== x.shape[0] || v.shape[1] !== inputDim) throw new Error(`tangent of shape [${v.shape}] for x of shape [${x.shape}]`);
    }
    return run(x, t, tangents);
  };

  return {
    options: opts,
    params,
    frequencies,
    score,
    parameterCount: () => params.reduce((acc, p) => acc + p.size, 0),
    dispose: () => {
      params.forEach((p) => p.dispose());
      angular?.dispose();
    },
  };
}
