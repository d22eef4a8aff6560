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
import { initMlpWeights, networkCondition, type ScoreNetworkOptions } from './conditioner';
import { mlpForward, mlpForwardStacked } from './mlp-forward';
import type { NoiseFamily } from './noise-family';
import type { Rng } from './rng';
import type { TangentScoreFn } from './score';

export type { Conditioning, TimeInput, ScoreNetworkOptions } from './conditioner';

export interface ScoreNetwork {
  readonly kind: 'mlp';
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

/** An MLP score network for data of dimension `dim` under `family` (its sde, if any, gives s(t)). */
export function createScoreNetwork(spec: Omit<MlpModelSpec, 'kind'>, dim: number, family: NoiseFamily, rng: Rng): ScoreNetwork {
  const { hidden, activation } = spec;
  const { options, conditioner } = networkCondition(spec, dim, family, rng);
  const params = initMlpWeights([dim + conditioner.columns, ...hidden, dim], rng);

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
    kind: 'mlp',
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

