/**
 * The fused engine's view of a score network (STYLE.md item 10: tiny-cuda-nn's fully fused MLP behind the
 * same network interface; the tfjs network stays the oracle). The MLP f runs in @scorelab/kernels; what
 * the tfjs network computes around it with tensors — the condition columns and the output scale of
 * s(x, cond) = f([x, features(cond)]) / scale(cond) — is computed here in JavaScript, per row:
 * - noise levels: none [x], 1; sigma-scale [x], sigma; embed [x, log sigma], sigma;
 * - an sde: [x, c, sin(2 pi w_k c), cos(2 pi w_k c)], s(t), with c = t or log s(t) (model.timeInput).
 * The weights are copied between the network's tf.Variables and the kernel's memory explicitly
 * (`pullWeights`, `pushWeights`).
 */
import * as tf from '@tensorflow/tfjs';
import { FusedMlp, kernelsSupported } from '@scorelab/kernels';
import type { NoiseFamily } from './noise-family';
import type { ScoreFn } from './score';
import type { ScoreNetwork } from './score-network';

/** The MLP's input [N, F0] and the output divisor [N] (or null) for rows x~ with conditions cond. */
export type FusedInputs = (x: Float32Array, cond: Float32Array | undefined, n: number) => { input: Float32Array; scale: Float32Array | null };

export interface FusedNetwork {
  readonly network: ScoreNetwork;
  readonly mlp: FusedMlp;
  readonly inputs: FusedInputs;
  /**
   * s(x, cond) evaluated by the kernels, forward only (samplers, eval/fisher): the weights are the kernel's
   * (call pushWeights to make the tf.Variables agree). Not differentiable by tfjs: a gradient through it
   * throws instead of silently being zero.
   */
  readonly score: ScoreFn;
  /** Copy the tf.Variables into the kernel (resets its optimiser state). */
  pullWeights(): void;
  /** Copy the kernel's weights into the tf.Variables. */
  pushWeights(): void;
  dispose(): void;
}

/** Whether the fused kernels run here (they need WebAssembly SIMD). */
export function kernelsAvailable(): boolean {
  return kernelsSupported();
}

/** The kernel network of a score network built by createScoreNetwork for `family`, with its current weights. */
export function createFusedNetwork(network: ScoreNetwork, family: NoiseFamily): FusedNetwork {
  const { options, params } = network;
  const dim = options.inputDim;
  const inputs = fusedInputs(network, family);
  const widths = [params[0].shape[0], ...options.hidden, dim];
  const mlp = new FusedMlp({ widths, activation: options.activation });
  const pullWeights = () => mlp.setParams(params.map((p) => p.dataSync() as Float32Array));
  pullWeights();
  // The value comes from the kernel; tfjs only sees a constant, so a gradient must not pass silently.
  const noGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, cond] = args as [tf.Tensor2D, tf.Tensor1D];
    const n = x.shape[0];
    const { input, scale } = inputs(x.dataSync() as Float32Array, cond.size === n ? (cond.dataSync() as Float32Array) : undefined, n);
    return {
      value: tf.tensor2d(mlp.forward(input, n, scale), [n, dim]),
      gradFunc: () => {
        throw new Error('the fused score is forward-only: differentiate the tfjs network (model.engine: tfjs) instead');
      },
    };
  }) as (x: tf.Tensor2D, cond: tf.Tensor1D) => tf.Tensor2D;
  const score: ScoreFn = (x, cond) => {
    if (x.rank !== 2 || x.shape[1] !== dim) throw new Error(`expected x of shape [N, ${dim}], got [${x.shape}]`);
    if (cond !== undefined && (cond.rank !== 1 || cond.shape[0] !== x.shape[0])) throw new Error(`the condition has shape [${cond.shape}] for ${x.shape[0]} samples, expected [${x.shape[0]}]`);
    if (x.shape[0] === 0) return tf.zeros([0, dim]) as tf.Tensor2D;
    // customGrad needs tensors: an absent condition travels as an empty one.
    return tf.tidy(() => noGradient(x, cond ?? tf.zeros([0])));
  };
  return {
    network,
    mlp,
    inputs,
    score,
    pullWeights,
    pushWeights: () => {
      const values = mlp.readParams();
      tf.tidy(() => params.forEach((p, i) => p.assign(tf.tensor(values[i], p.shape, 'float32'))));
    },
    dispose: () => mlp.dispose(),
  };
}

/** The condition columns and scale of the network, as createScoreNetwork's tensors compute them, per row in JavaScript. */
export function fusedInputs(network: ScoreNetwork, family: NoiseFamily): FusedInputs {
  const { options, frequencies } = network;
  const dim = options.inputDim;
  if (options.condition === 'sigma') {
    const { conditioning } = options;
    return (x, cond, n) => {
      if (conditioning === 'none') return { input: x, scale: null };
      const sigma = requireCond(cond, n, `a '${conditioning}'-conditioned score`);
      if (conditioning === 'sigma-scale') return { input: x, scale: sigma };
      const input = new Float32Array(n * (dim + 1));
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < dim; j++) input[r * (dim + 1) + j] = x[r * dim + j];
        input[r * (dim + 1) + dim] = Math.log(sigma[r]);
      }
      return { input, scale: sigma };
    };
  }
  if (family.kind !== 'sde') throw new Error('a time-conditional score network needs an sde family');
  const { sde } = family;
  const { timeInput } = options;
  // 2 pi w_k rounded to float32, as the tfjs network's constant row.
  const angular = Float32Array.from(frequencies, (w) => 2 * Math.PI * w);
  const f = angular.length;
  const width = dim + 1 + 2 * f;
  return (x, cond, n) => {
    const t = requireCond(cond, n, 'a time-conditional score');
    const input = new Float32Array(n * width);
    const scale = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      const std = Math.fround(sde.marginal(t[r]).std);
      scale[r] = std;
      const c = timeInput === 'time' ? t[r] : Math.fround(Math.log(std));
      const row = r * width;
      for (let j = 0; j < dim; j++) input[row + j] = x[r * dim + j];
      input[row + dim] = c;
      for (let k = 0; k < f; k++) {
        const phase = Math.fround(c * angular[k]);
        input[row + dim + 1 + k] = Math.sin(phase);
        input[row + dim + 1 + f + k] = Math.cos(phase);
      }
    }
    return { input, scale };
  };
}

function requireCond(cond: Float32Array | undefined, n: number, what: string): Float32Array {
  if (cond === undefined) throw new Error(`${what} network needs its condition`);
  if (cond.length !== n) throw new Error(`${what}: the condition has ${cond.length} entries for ${n} samples`);
  return cond;
}
