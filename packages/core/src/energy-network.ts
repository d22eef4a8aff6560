/**
 * The energy network (DESIGN.md section 3, model.kind energy): a scalar E(x, cond) = f([x, features(cond)]) /
 * scale(cond), f an MLP with one output, and its score s = -grad_x E, behind the score network's interface
 * (a TangentScoreFn: every loss and sampler uses it unchanged). The condition is the score MLP's:
 * - noise levels: conditioning none E = f(x); sigma-scale E = f(x) / sigma; embed E = f([x, log sigma]) / sigma,
 *   so s = -grad_x f / sigma has the 1/sigma scale of the perturbed data's score;
 * - an sde: E = f([x, c, sin(2 pi w c), cos(2 pi w c)]) / s(t), s(t) the marginal std.
 * The score and its tangents J v = -H v / scale (H the Hessian of f in x) are explicit tfjs ops (energy-mlp.ts),
 * so the weight gradient of sm, ssm, dsm or ml is first-order tfjs autodiff. Random draws from `rng`, as the
 * score MLP: the Fourier frequencies (sde only), then the weights W_1, b_1, ..., W_L [H, 1], b_L [1].
 */
import * as tf from '@tensorflow/tfjs';
import type { EnergyModelSpec } from '@scorelab/config';
import { initMlpWeights, networkCondition, type ScoreNetworkOptions } from './conditioner';
import { energyMlp } from './energy-mlp';
import type { NoiseFamily } from './noise-family';
import type { Rng } from './rng';
import type { TangentScoreFn } from './score';

/** E(x, cond): [N], the energy of each row (cond as for the score: sigma, t or undefined). */
export type EnergyFn = (x: tf.Tensor2D, cond?: tf.Tensor1D) => tf.Tensor1D;

export interface EnergyNetwork {
  readonly kind: 'energy';
  readonly options: ScoreNetworkOptions;
  /** Trainable weights, in layer order [W1, b1, ..., WL, bL] (WL: [H, 1]); Fourier frequencies are fixed. */
  readonly params: tf.Variable[];
  /** The fixed Fourier frequencies w_k of a time-conditional network (empty otherwise). */
  readonly frequencies: readonly number[];
  /** s(x, cond) = -grad_x E(x, cond), with Jacobian-vector products J v = -H v / scale. */
  readonly score: TangentScoreFn;
  /** E(x, cond): [N] (p(x | cond) is proportional to exp(-E)). */
  readonly energy: EnergyFn;
  /** Number of scalar weights. */
  parameterCount(): number;
  dispose(): void;
}

/** An energy network for data of dimension `dim` under `family`. */
export function createEnergyNetwork(spec: Omit<EnergyModelSpec, 'kind'>, dim: number, family: NoiseFamily, rng: Rng): EnergyNetwork {
  const { activation } = spec;
  const { options, conditioner } = networkCondition(spec, dim, family, rng);
  const params = initMlpWeights([dim + conditioner.columns, ...options.hidden, 1], rng);

  const checkX = (x: tf.Tensor2D) => {
    if (x.rank !== 2 || x.shape[1] !== dim) throw new Error(`expected x of shape [N, ${dim}], got [${x.shape}]`);
  };
  // s = -grad f / scale and -H v / scale for stacked tangents [K*N, dim].
  const run = (x: tf.Tensor2D, cond: tf.Tensor1D | undefined, tangents: tf.Tensor2D | null) => {
    checkX(x);
    const n = x.shape[0];
    const { input, scale } = conditioner.features(x, cond);
    const { gradX, hvpStacked } = energyMlp(params, activation, input, dim, true, tangents);
    const score = tf.neg(scale ? tf.div(gradX!, scale) : gradX!) as tf.Tensor2D;
    let jvp: tf.Tensor2D | null = null;
    if (hvpStacked) {
      const k = hvpStacked.shape[0] / n;
      jvp = tf.neg(scale ? tf.reshape(tf.div(tf.reshape(hvpStacked, [k, n, dim]), scale), [k * n, dim]) : hvpStacked) as tf.Tensor2D;
    }
    return { score, jvp };
  };
  const score = ((x: tf.Tensor2D, cond?: tf.Tensor1D) => run(x, cond, null).score) as TangentScoreFn;
  score.withTangents = (x, cond, tangents) => {
    for (const v of tangents) {
      if (v.shape[0] !== x.shape[0] || v.shape[1] !== dim) throw new Error(`tangent of shape [${v.shape}] for x of shape [${x.shape}]`);
    }
    if (tangents.length === 0) return { score: run(x, cond, null).score, jvps: [] };
    const { score: s, jvp } = run(x, cond, tangents.length === 1 ? tangents[0] : (tf.concat(tangents, 0) as tf.Tensor2D));
    // tfjs's gradient of a one-way split fails (mlp-forward.ts): skip it.
    return { score: s, jvps: tangents.length === 1 ? [jvp!] : (tf.split(jvp!, tangents.length, 0) as tf.Tensor2D[]) };
  };
  score.withStackedTangents = (x, cond, tangents) => {
    checkX(x);
    if (tangents.shape[1] !== dim || tangents.shape[0] % x.shape[0] !== 0) throw new Error(`stacked tangents of shape [${tangents.shape}] for x of shape [${x.shape}]`);
    const { score: s, jvp } = run(x, cond, tangents);
    return { score: s, jvpStacked: jvp! };
  };
  const energy: EnergyFn = (x, cond) => {
    checkX(x);
    const { input, scale } = conditioner.features(x, cond);
    const f = energyMlp(params, activation, input, dim, false, null).energy;
    return scale ? (tf.div(f, tf.reshape(scale, [-1])) as tf.Tensor1D) : f;
  };

  return {
    kind: 'energy',
    options,
    params,
    frequencies: conditioner.frequencies,
    score,
    energy,
    parameterCount: () => params.reduce((acc, p) => acc + p.size, 0),
    dispose: () => {
      params.forEach((p) => p.dispose());
      conditioner.dispose();
    },
  };
}
