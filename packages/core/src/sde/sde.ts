import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import type { SdeSpec } from '@scorelab/config';
import type { ScoreFn } from '../score';

/**
 * Score SDEs (Song et al. 2021, "Score-Based Generative Modeling through Stochastic Differential
 * Equations"), for toy shapes: x: [N, D], time t in [0, T] with T = 1. Read docs/sde.md.
 *
 * Forward SDE: dx = f(x, t) dt + g(t) dW. Every SDE here has a linear drift f(x, t) = a(t) x, so
 * the perturbation kernel is Gaussian: x_t | x_0 ~ N(m(t) x_0, s(t)^2 I) (`marginal`).
 */
export type SdeKind = SdeSpec['kind'];

/** A time: one number for every row, or one per row, [N]. */
export type Time = number | tf.Tensor1D;
/** A function of time returns a number for a number and a [N] tensor for a [N] tensor. */
export type AtTime<T extends Time> = T extends number ? number : tf.Tensor1D;

/** E[x_t | x_0] = mean * x_0 and Std[x_t | x_0] = std (per coordinate). */
export interface Marginal<T extends Time> {
  mean: AtTime<T>;
  std: AtTime<T>;
}

/** One discretised step x_t = x_{t-dt} + f + G z, z ~ N(0, I): f: [N, D], G a number. */
export interface Discretization {
  f: tf.Tensor2D;
  G: number;
}

/**
 * The reverse-time SDE dx = [f - g^2 s] dt + g dW (time running from T down to eps), or with
 * `probabilityFlow` the ODE dx = [f - g^2 s / 2] dt. `drift` and `discretize` call the score once.
 */
export interface ReverseSde {
  readonly probabilityFlow: boolean;
  /** f(x, t) - g(t)^2 s(x, t) (SDE) or f(x, t) - g(t)^2 s(x, t) / 2 (ODE): [N, D]. */
  drift(x: tf.Tensor2D, t: Time): tf.Tensor2D;
  /** g(t) (SDE) or 0 (ODE). */
  diffusion<T extends Time>(t: T): AtTime<T>;
  /**
   * The reverse of `Sde.discretize`: rev_f = f - G^2 s(x, t) (halved for the ODE), rev_G = G (0 for
   * the ODE); the reverse-diffusion step from t to t - dt is x - rev_f + rev_G z.
   */
  discretize(x: tf.Tensor2D, t: number, dt: number): Discretization;
}

interface SdeBase {
  /** End time T = 1. */
  readonly T: number;
  /**
   * Sampling eps: where the samplers stop by default (score_sde's sampling eps: 1e-5 VE, 1e-3 VP and sub-VP).
   */
  readonly eps: number;
  /**
   * Training and likelihood eps: training draws t ~ U(trainEps, T), eval/fisher starts at it and the
   * likelihood integrates from it (score_sde: 1e-5 for every SDE).
   */
  readonly trainEps: number;
  /** Std of the Gaussian prior N(0, priorStd^2 I) that approximates p_T. */
  readonly priorStd: number;
  /** a(t) of the linear drift f(x, t) = a(t) x. */
  driftCoefficient<T extends Time>(t: T): AtTime<T>;
  /** f(x, t) = a(t) x: [N, D]. */
  drift(x: tf.Tensor2D, t: Time): tf.Tensor2D;
  /** g(t). */
  diffusion<T extends Time>(t: T): AtTime<T>;
  /** m(t) and s(t) with x_t = m(t) x_0 + s(t) z (see each SDE for the t = 0 convention). */
  marginal<T extends Time>(t: T): Marginal<T>;
  /** n samples of the prior N(0, priorStd^2 I): [n, dim]. */
  priorSample(n: number, dim: number, rng: Rng): tf.Tensor2D;
  /** log N(x; 0, priorStd^2 I) per row: [N]. */
  priorLogDensity(x: tf.Tensor2D): tf.Tensor1D;
  /**
   * The exact Gaussian transition from time t - dt to t, x_t = x_{t-dt} + f + G z with
   * f = (r - 1) x, r = m(t) / m(t - dt) and G^2 = s(t)^2 - r^2 s(t - dt)^2 (docs/sde.md).
   * VE: f = 0, G^2 = sigma(t)^2 - sigma(t - dt)^2 (SMLD); VP: the DDPM step with beta_i = 1 - r^2.
   */
  discretize(x: tf.Tensor2D, t: number, dt: number): Discretization;
  /** The reverse-time SDE (or probability-flow ODE) driven by `score`. */
  reverse(score: ScoreFn, probabilityFlow: boolean): ReverseSde;
}

/** Variance exploding: dx = sqrt(d sigma^2 / dt) dW, sigma(t) = sigmaMin (sigmaMax / sigmaMin)^t. */
export interface VeSde extends SdeBase {
  readonly kind: 've';
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  /** sigma(t) = sigmaMin (sigmaMax / sigmaMin)^t, which is also the marginal std s(t). */
  sigma<T extends Time>(t: T): AtTime<T>;
}

/** Variance preserving: dx = -beta(t) x / 2 dt + sqrt(beta(t)) dW (the continuous DDPM). */
export interface VpSde extends SdeBase {
  readonly kind: 'vp';
  readonly betaMin: number;
  readonly betaMax: number;
  /** beta(t) = betaMin + t (betaMax - betaMin). */
  beta<T extends Time>(t: T): AtTime<T>;
}

/** Sub-VP: dx = -beta(t) x / 2 dt + sqrt(beta(t) (1 - exp(-2 int_0^t beta))) dW. */
export interface SubVpSde extends SdeBase {
  readonly kind: 'subvp';
  readonly betaMin: number;
  readonly betaMax: number;
  beta<T extends Time>(t: T): AtTime<T>;
}

export type Sde = VeSde | VpSde | SubVpSde;

// ---------------------------------------------------------------------------------------------
// Shared implementation (not exported from the package).

/** A scalar function of time, written once in float64 for numbers and once in tfjs ops for [N] tensors. */
export function timeFunction(onNumber: (t: number) => number, onTensor: (t: tf.Tensor1D) => tf.Tensor1D): <T extends Time>(t: T) => AtTime<T> {
  return <T extends Time>(t: T): AtTime<T> => {
    if (typeof t === 'number') return onNumber(t) as AtTime<T>;
    const tt = t as tf.Tensor1D;
    return tf.tidy(() => onTensor(tt)) as AtTime<T>;
  };
}

/**
 * 1 - exp(u) for u <= 0 without cancellation in float32 (tfjs has no expm1): a 4-term series for
 * |u| < 1e-2 (truncation error < u^5 / 120, relative 1e-10), 1 - exp(u) otherwise.
 */
export function oneMinusExpTensor(u: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const u2 = tf.square(u);
    const series = tf.neg(tf.add(u, tf.add(tf.mul(u2, 0.5), tf.add(tf.mul(tf.mul(u2, u), 1 / 6), tf.mul(tf.square(u2), 1 / 24)))));
    return tf.where(tf.less(tf.abs(u), 1e-2), series, tf.sub(1, tf.exp(u))) as tf.Tensor1D;
  });
}

function column(x: tf.Tensor2D, t: Time, fn: (t: tf.Tensor1D) => tf.Tensor1D, onNumber: (t: number) => number): tf.Tensor2D | number {
  if (typeof t === 'number') return onNumber(t);
  if (t.shape[0] !== x.shape[0]) throw new Error(`t has ${t.shape[0]} entries for ${x.shape[0]} rows`);
  return tf.reshape(fn(t), [-1, 1]) as tf.Tensor2D;
}

/** The per-kind formulas an SDE supplies; `buildSde` derives the shared methods from them. */
export interface SdeFormulas {
  T: number;
  eps: number;
  trainEps: number;
  priorStd: number;
  driftCoefficient: <T extends Time>(t: T) => AtTime<T>;
  diffusion: <T extends Time>(t: T) => AtTime<T>;
  /** m(t) and s(t) in float64. */
  marginalNumber: (t: number) => { mean: number; std: number };
  marginalTensor: (t: tf.Tensor1D) => { mean: tf.Tensor1D; std: tf.Tensor1D };
}

export function checkTimes(eps: number, trainEps: number, where: string): void {
  if (!(Number.isFinite(eps) && eps > 0 && eps < 1)) throw new Error(`${where}: eps must be in (0, 1), got ${eps}`);
  if (!(Number.isFinite(trainEps) && trainEps > 0 && trainEps < 1)) throw new Error(`${where}: trainEps must be in (0, 1), got ${trainEps}`);
}

export function buildSde(p: SdeFormulas): SdeBase {
  const marginal = <T extends Time>(t: T): Marginal<T> => {
    if (typeof t === 'number') return p.marginalNumber(t) as Marginal<T>;
    const tt = t as tf.Tensor1D;
    const both = tf.tidy(() => {
      const m = p.marginalTensor(tt);
      return [m.mean, m.std];
    });
    return { mean: both[0], std: both[1] } as Marginal<T>;
  };

  const drift = (x: tf.Tensor2D, t: Time): tf.Tensor2D =>
    tf.tidy(() => {
      const a = column(x, t, (tt) => p.driftCoefficient(tt), (tn) => p.driftCoefficient(tn));
      return tf.mul(x, a) as tf.Tensor2D;
    });

  const discretize = (x: tf.Tensor2D, t: number, dt: number): Discretization => {
    if (!(dt > 0) || t - dt < -1e-12) throw new Error(`discretize: need 0 < dt <= t, got t = ${t}, dt = ${dt}`);
    const now = p.marginalNumber(t);
    const before = p.marginalNumber(Math.max(0, t - dt));
    const r = now.mean / before.mean;
    const g2 = now.std * now.std - r * r * before.std * before.std;
    return { f: tf.tidy(() => tf.mul(x, r - 1) as tf.Tensor2D), G: Math.sqrt(Math.max(0, g2)) };
  };

  const priorLogDensity = (x: tf.Tensor2D): tf.Tensor1D =>
    tf.tidy(() => {
      const d = x.shape[1];
      const v = p.priorStd * p.priorStd;
      return tf.sub(-0.5 * d * Math.log(2 * Math.PI * v), tf.div(tf.sum(tf.square(x), 1), 2 * v)) as tf.Tensor1D;
    });

  const base: SdeBase = {
    T: p.T,
    eps: p.eps,
    trainEps: p.trainEps,
    priorStd: p.priorStd,
    driftCoefficient: p.driftCoefficient,
    drift,
    diffusion: p.diffusion,
    marginal,
    priorSample: (n, dim, rng) => {
      if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1) throw new Error(`priorSample: n and dim must be positive integers, got ${n}, ${dim}`);
      return rng.normalTensor([n, dim], 0, p.priorStd) as tf.Tensor2D;
    },
    priorLogDensity,
    discretize,
    reverse: (score, probabilityFlow) => reverseSde(base, score, probabilityFlow),
  };
  return base;
}

function timeTensor(x: tf.Tensor2D, t: Time): tf.Tensor1D {
  return typeof t === 'number' ? (tf.fill([x.shape[0]], t) as tf.Tensor1D) : t;
}

function reverseSde(sde: SdeBase, score: ScoreFn, probabilityFlow: boolean): ReverseSde {
  const c = probabilityFlow ? 0.5 : 1;
  return {
    probabilityFlow,
    drift: (x, t) =>
      tf.tidy(() => {
        const s = score(x, timeTensor(x, t));
        const g = sde.diffusion(t);
        const g2 = typeof g === 'number' ? c * g * g : tf.reshape(tf.mul(tf.square(g as tf.Tensor1D), c), [-1, 1]);
        return tf.sub(sde.drift(x, t), tf.mul(s, g2)) as tf.Tensor2D;
      }),
    diffusion: <T extends Time>(t: T): AtTime<T> => {
      if (!probabilityFlow) return sde.diffusion(t);
      return (typeof t === 'number' ? 0 : tf.zerosLike(t as tf.Tensor1D)) as AtTime<T>;
    },
    discretize: (x, t, dt) => {
      const { f, G } = sde.discretize(x, t, dt);
      const revF = tf.tidy(() => tf.sub(f, tf.mul(score(x, timeTensor(x, t)), c * G * G)) as tf.Tensor2D);
      f.dispose();
      return { f: revF, G: probabilityFlow ? 0 : G };
    },
  };
}
