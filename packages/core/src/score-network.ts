/**
 * The one score-network builder: an MLP s(x, cond) = f([x, features(cond)]) / scale(cond), with
 * forward-mode tangents, for every member of the noise family (DESIGN.md section 2). The model spec
 * fixes what the network sees of its condition:
 * - noise levels (cond = sigma), model.conditioning: `none` s = f(x); `sigma-scale` s = f(x) / sigma
 *   (NCSNv2); `embed` s = f([x, log sigma]) / sigma;
 * - an sde (cond = t), score_sde's recipe for toy data: s = f([x, c, sin(2 pi w c), cos(2 pi w c)]) / s(t),
 *   c = t or log s(t) (model.timeInput), F fixed Gaussian Fourier frequencies w ~ N(0, fourierScale^2)
 *   (model.fourierFeatures), s(t) the marginal std, so the output has the 1/s(t) scale of the true score.
 * Weights are initialised like PyTorch's nn.Linear (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and
 * biases). Random draws from `rng`: the Fourier frequencies (sde only), then the weights layer by layer.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlpModelSpec } from '@scorelab/config';
import { mlpForward, mlpForwardStacked } from './mlp-forward';
import type { NoiseFamily } from './noise-family';
import type { Rng } from './rng';
import type { TangentScoreFn } from './score';
import type { Sde } from './sde/sde';

/** model.conditioning: how a noise-level network sees sigma. */
export type Conditioning = MlpModelSpec['conditioning'];
/** model.timeInput: what an sde network sees of t. */
export type TimeInput = NonNullable<MlpModelSpec['timeInput']>;

/** The network's layer sizes and condition, resolved from the model spec and the family. */
export type ScoreNetworkOptions = Pick<MlpModelSpec, 'hidden' | 'activation'> & { inputDim: number } & (
    | { condition: 'sigma'; conditioning: Conditioning }
    | { condition: 'time'; fourierFeatures: number; fourierScale: number; timeInput: TimeInput }
  );

export interface ScoreNetwork {
  readonly options: ScoreNetworkOptions;
  /** Trainable weights, in layer order [W1, b1, W2, b2, ...]; Fourier frequencies are fixed, not trained. */
  readonly params: tf.Variable[];
  /** The fixed Fourier frequencies w_k of a time-conditional network (empty otherwise). */
  readonly frequencies: readonly number[];
  /** s(x, cond), with forward-mode Jacobian-vector products in x. */
  readonly score: TangentScoreFn;
  /** Number of scalar weights. */
  parameterCount(): number;
  dispose(): void;
}

/** Defaults of the time-conditional network's keys (config fills them in resolved configs with an sde). */
const TIME_DEFAULTS = { fourierFeatures: 8, fourierScale: 1, timeInput: 'time' } as const;

/** What the network sees of cond: extra input columns (zero tangent) and the output scale [N, 1] (or null). */
interface Conditioner {
  readonly columns: number;
  readonly frequencies: readonly number[];
  features(x: tf.Tensor2D, cond: tf.Tensor1D | undefined): { input: tf.Tensor2D; scale: tf.Tensor2D | null };
  dispose(): void;
}

/** An MLP score network for data of dimension `dim` under `family` (its sde, if any, gives s(t)). */
export function createScoreNetwork(spec: Omit<MlpModelSpec, 'kind'>, dim: number, family: NoiseFamily, rng: Rng): ScoreNetwork {
  const { hidden, activation } = spec;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`inputDim must be a positive integer, got ${dim}`);
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new Error('hidden must list positive layer widths');
  let options: ScoreNetworkOptions;
  let conditioner: Conditioner;
  if (family.kind === 'sde') {
    const time = {
      fourierFeatures: spec.fourierFeatures ?? TIME_DEFAULTS.fourierFeatures,
      fourierScale: spec.fourierScale ?? TIME_DEFAULTS.fourierScale,
      timeInput: spec.timeInput ?? TIME_DEFAULTS.timeInput,
    };
    options = { inputDim: dim, hidden: hidden.slice(), activation, condition: 'time', ...time };
    conditioner = timeConditioner(family.sde, time.fourierFeatures, time.fourierScale, time.timeInput, rng);
  } else {
    options = { inputDim: dim, hidden: hidden.slice(), activation, condition: 'sigma', conditioning: spec.conditioning };
    conditioner = sigmaConditioner(spec.conditioning);
  }
  const widths = [dim + conditioner.columns, ...hidden, dim];
  const params: tf.Variable[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const bound = 1 / Math.sqrt(widths[l]);
    // tidy: the initial values are copied into the variables and must not outlive them.
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([widths[l], widths[l + 1]], -bound, bound), true, undefined, 'float32')));
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([widths[l + 1]], -bound, bound), true, undefined, 'float32')));
  }

  const checkX = (x: tf.Tensor2D) => {
    if (x.rank !== 2 || x.shape[1] !== dim) throw new Error(`expected x of shape [N, ${dim}], got [${x.shape}]`);
  };
  const checkTangent = (v: tf.Tensor2D, x: tf.Tensor2D) => {
    if (v.shape[0] !== x.shape[0] || v.shape[1] !== dim) throw new Error(`tangent of shape [${v.shape}] for x of shape [${x.shape}]`);
  };
  const run = (x: tf.Tensor2D, cond: tf.Tensor1D | undefined, tangents: tf.Tensor2D[]) => {
    checkX(x);
    const { input, scale } = conditioner.features(x, cond);
    return mlpForward(params, activation, input, dim, tangents, scale);
  };
  const score = ((x: tf.Tensor2D, cond?: tf.Tensor1D) => run(x, cond, []).score) as TangentScoreFn;
  score.withTangents = (x, cond, tangents) => {
    for (const v of tangents) checkTangent(v, x);
    return run(x, cond, tangents);
  };
  score.withStackedTangents = (x, cond, tangents) => {
    checkX(x);
    if (tangents.shape[1] !== dim || tangents.shape[0] % x.shape[0] !== 0) throw new Error(`stacked tangents of shape [${tangents.shape}] for x of shape [${x.shape}]`);
    const { input, scale } = conditioner.features(x, cond);
    const { score: s, jvpStacked } = mlpForwardStacked(params, activation, input, dim, tangents, scale);
    return { score: s, jvpStacked: jvpStacked! };
  };

  return {
    options,
    params,
    frequencies: conditioner.frequencies,
    score,
    parameterCount: () => params.reduce((acc, p) => acc + p.size, 0),
    dispose: () => {
      params.forEach((p) => p.dispose());
      conditioner.dispose();
    },
  };
}

function checkCond(x: tf.Tensor2D, cond: tf.Tensor1D | undefined, what: string): tf.Tensor1D {
  if (cond === undefined) throw new Error(`${what} network needs its condition`);
  if (cond.rank !== 1 || cond.shape[0] !== x.shape[0]) throw new Error(`${what}: the condition has shape [${cond.shape}] for ${x.shape[0]} samples, expected [${x.shape[0]}]`);
  return cond;
}

function sigmaConditioner(conditioning: Conditioning): Conditioner {
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

function timeConditioner(sde: Sde, fourierFeatures: number, fourierScale: number, timeInput: TimeInput, rng: Rng): Conditioner {
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
