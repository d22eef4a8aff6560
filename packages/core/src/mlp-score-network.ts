import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';
import type { TangentScoreFn } from './score';
import { fastSoftplus, fastTanh } from './activations';
import { mlpForward, mlpForwardStacked } from './mlp-forward';
import { eluDerivative } from './second-order-gradients';

export type Activation = 'softplus' | 'swish' | 'elu' | 'relu' | 'tanh';

/**
 * How the network sees the noise level sigma (DESIGN.md section 3):
 * - `none`: s(x) = f(x), an unconditional network;
 * - `sigma-scale`: s(x, sigma) = f(x) / sigma (NCSNv2);
 * - `embed`: s(x, sigma) = f([x, log sigma]) / sigma.
 */
export type Conditioning = 'none' | 'sigma-scale' | 'embed';

export interface MlpOptions {
  inputDim: number;
  hidden: number[];
  activation: Activation;
  conditioning: Conditioning;
}

export interface ScoreNetwork {
  readonly options: MlpOptions;
  /** Trainable weights, in layer order [W1, b1, W2, b2, ...]. */
  readonly params: tf.Variable[];
  /** s(x, sigma), with forward-mode Jacobian-vector products. */
  readonly score: TangentScoreFn;
  /** Number of scalar weights. */
  parameterCount(): number;
  dispose(): void;
}

/** act(z) and act'(z) together, so the tangent pass reuses the forward activations. */
export function activate(kind: Activation, z: tf.Tensor2D, withDerivative: boolean): [tf.Tensor2D, tf.Tensor2D | null] {
  switch (kind) {
    case 'softplus':
      return [fastSoftplus(z) as tf.Tensor2D, withDerivative ? tf.sigmoid(z) : null];
    case 'swish': {
      const s = tf.sigmoid(z);
      const a = tf.mul(z, s) as tf.Tensor2D;
      return [a, withDerivative ? (tf.add(s, tf.mul(a, tf.sub(1, s))) as tf.Tensor2D) : null];
    }
    case 'elu':
      return [tf.elu(z), withDerivative ? (eluDerivative(z) as tf.Tensor2D) : null];
    case 'relu':
      return [tf.relu(z), withDerivative ? (tf.step(z) as tf.Tensor2D) : null];
    case 'tanh': {
      const a = fastTanh(z) as tf.Tensor2D;
      return [a, withDerivative ? (tf.sub(1, tf.square(a)) as tf.Tensor2D) : null];
    }
  }
}

/**
 * An MLP score network D -> hidden... -> D. Weights are initialised like PyTorch's nn.Linear
 * (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases) from the given seeded stream.
 */
export function createMlpScoreNetwork(options: MlpOptions, rng: Rng): ScoreNetwork {
  const { inputDim, hidden, activation, conditioning } = options;
  if (!Number.isInteger(inputDim) || inputDim < 1) throw new Error(`inputDim must be a positive integer, got ${inputDim}`);
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new Error('hidden must list positive layer widths');
  const widths = [inputDim + (conditioning === 'embed' ? 1 : 0), ...hidden, inputDim];
  const params: tf.Variable[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l];
    const bound = 1 / Math.sqrt(fanIn);
    // tidy: the initial values are copied into the variables and must not outlive them.
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([fanIn, widths[l + 1]], -bound, bound), true, undefined, 'float32')));
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([widths[l + 1]], -bound, bound), true, undefined, 'float32')));
  }

  const sigmaColumn = (x: tf.Tensor2D, sigma: tf.Tensor1D | undefined): tf.Tensor2D | null => {
    if (conditioning === 'none') return null;
    if (sigma === undefined) throw new Error(`a '${conditioning}'-conditioned score network needs sigma`);
    if (sigma.shape[0] !== x.shape[0]) throw new Error(`sigma has ${sigma.shape[0]} entries for ${x.shape[0]} samples`);
    return tf.reshape(sigma, [-1, 1]) as tf.Tensor2D;
  };

  const prepare = (x: tf.Tensor2D, sigma: tf.Tensor1D | undefined) => {
    if (x.rank !== 2 || x.shape[1] !== inputDim) throw new Error(`expected x of shape [N, ${inputDim}], got [${x.shape}]`);
    const sig = sigmaColumn(x, sigma);
    const input: tf.Tensor2D = conditioning === 'embed' ? tf.concat([x, tf.log(sig!)], 1) : x;
    return { input, sig };
  };
  const run = (x: tf.Tensor2D, sigma: tf.Tensor1D | undefined, tangents: tf.Tensor2D[]) => {
    const { input, sig } = prepare(x, sigma);
    return mlpForward(params, activation, input, inputDim, tangents, sig);
  };

  const score = ((x: tf.Tensor2D, sigma?: tf.Tensor1D) => run(x, sigma, []).score) as TangentScoreFn;
  score.withTangents = (x, sigma, tangents) => {
    for (const v of tangents) {
      if (v.shape[0] !== x.shape[0] || v.shape[1] !== inputDim) throw new Error(`tangent of shape [${v.shape}] for x of shape [${x.shape}]`);
    }
    return run(x, sigma, tangents);
  };
  score.withStackedTangents = (x, sigma, tangents) => {
    if (tangents.shape[1] !== inputDim || tangents.shape[0] % x.shape[0] !== 0) throw new Error(`stacked tangents of shape [${tangents.shape}] for x of shape [${x.shape}]`);
    const { input, sig } = prepare(x, sigma);
    const { score: s, jvpStacked } = mlpForwardStacked(params, activation, input, inputDim, tangents, sig);
    return { score: s, jvpStacked: jvpStacked! };
  };

  return {
    options: { ...options, hidden: hidden.slice() },
    params,
    score,
    parameterCount: () => params.reduce((acc, p) => acc + p.size, 0),
    dispose: () => params.forEach((p) => p.dispose()),
  };
}
