import * as tf from '@tensorflow/tfjs';
import { maskOffTape } from './mask';

/**
 * Log-space normal CDF pieces in float32 tfjs ops, differentiable by tf.grad, finite for
 * arguments down to about -1e19 (where z^2 overflows float32).
 *
 * Every branch picked by tf.where is fed clamped ("safe") inputs: tf.where's gradient sends 0 to
 * the unpicked branch, and 0 * inf = NaN would otherwise poison the gradient.
 */

const LOG_HALF = Math.log(0.5);
const SQRT_HALF = Math.SQRT1_2;
const LN2 = Math.LN2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// Numerical Recipes' erfcc: erfc(t) = u exp(-t^2 + P(u)), u = 1 / (1 + t/2), for t >= 0, with
// fractional error below 1.2e-7 everywhere. We keep erfcx(t) = e^{t^2} erfc(t) = u e^{P(u)} apart
// from the e^{-t^2}: log-space never underflows, and t^2 cancels exactly in phi / Phi.
const ERFC_P = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
const LOG_SQRT_2_OVER_PI = 0.5 * Math.log(2 / Math.PI);

/** log erfcx(t) = log(e^{t^2} erfc(t)) = log u + P(u) for t >= 0 (elementwise). */
function logErfcx(t: tf.Tensor): tf.Tensor {
  const u = tf.reciprocal(tf.add(1, tf.mul(0.5, t)));
  let poly: tf.Tensor = tf.scalar(ERFC_P[ERFC_P.length - 1]);
  for (let i = ERFC_P.length - 2; i >= 0; i--) poly = tf.add(ERFC_P[i], tf.mul(u, poly));
  return tf.add(tf.log(u), poly);
}

/** log erfc(t) for t >= 0 (elementwise). */
export function logErfc(t: tf.Tensor): tf.Tensor {
  return tf.sub(logErfcx(t), tf.square(t));
}

/** erf(t) for t >= 0 without cancellation near 0: Taylor series below 1/2, 1 - erfc above. */
function erfNonNegative(t: tf.Tensor): tf.Tensor {
  const small = tf.minimum(t, 0.5);
  const t2 = tf.square(small);
  // erf(t) = 2/sqrt(pi) sum_n (-1)^n t^(2n+1) / (n! (2n+1)); the n = 7 term is < 5e-10 for t <= 1/2.
  let series: tf.Tensor = tf.scalar(0);
  for (let n = 6; n >= 0; n--) series = tf.add((-1) ** n / (factorial(n) * (2 * n + 1)), tf.mul(t2, series));
  const taylor = tf.mul(2 / Math.sqrt(Math.PI), tf.mul(small, series));
  const complement = tf.sub(1, tf.exp(logErfc(tf.maximum(t, 0.5))));
  return tf.where(maskOffTape(t, (v) => tf.less(v, 0.5)), taylor, complement);
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** log(1 - exp(a)) for a <= 0 (Maechler's split at -ln 2); a is clamped to <= -1e-30 so the result stays finite. */
export function log1mExp(a: tf.Tensor): tf.Tensor {
  const near = maskOffTape(a, (v) => tf.greater(v, -LN2));
  const aNear = tf.minimum(tf.where(near, a, tf.fill(a.shape, -1)), -1e-30);
  const aFar = tf.where(near, tf.fill(a.shape, -1), a);
  return tf.where(near, tf.log(tf.neg(tf.expm1(aNear))), tf.log1p(tf.neg(tf.exp(aFar))));
}

/**
 * The mass of the interval [lower, upper] under N(0, 1) and the two density-to-mass ratios that
 * its derivatives need, all in log space: log F, log(phi(upper) / F), log(phi(lower) / F) with
 * F = Phi(upper) - Phi(lower), lower < upper elementwise. Accurate in both tails:
 * - upper <= 0 (left tail):  log F = log Phi(u) + log(1 - exp(log Phi(l) - log Phi(u)));
 * - lower >= 0 (right tail): the same with (-u, -l), since Phi(u) - Phi(l) = Phi(-l) - Phi(-u);
 * - lower < 0 < upper:       log F = log((erf(u / sqrt 2) + erf(-l / sqrt 2)) / 2), a sum of positives.
 * In the tails the ratios use phi(z) / Phi(z) = sqrt(2/pi) / erfcx(-z / sqrt 2), free of the
 * cancellation of z^2/2 between log phi and log Phi (which costs ~1e-7 z^2 in float32).
 */
export interface NormalInterval {
  logMass: tf.Tensor;
  logRatioUpper: tf.Tensor;
  logRatioLower: tf.Tensor;
}

export function normalInterval(lower: tf.Tensor, upper: tf.Tensor): NormalInterval {
  const shape = lower.shape;
  const left = maskOffTape(upper, (v) => tf.lessEqual(v, 0));
  const right = maskOffTape(lower, (v) => tf.greaterEqual(v, 0));
  const minusOne = tf.fill(shape, -1);
  const minusTwo = tf.fill(shape, -2);
  const l = leftTail(tf.where(left, lower, minusTwo), tf.where(left, upper, minusOne));
  // Right tail = left tail of the mirrored interval [-u, -l]; its upper end is -l, so the ratios swap.
  const r = leftTail(tf.where(right, tf.neg(upper), minusTwo), tf.where(right, tf.neg(lower), minusOne));
  // Nested wheres rather than a combined mask: ops on masks are taped and have no gradient.
  const one = tf.onesLike(upper);
  const middleUpper = tf.where(left, one, tf.where(right, one, upper));
  const middleLower = tf.where(left, tf.neg(one), tf.where(right, tf.neg(one), lower));
  const middleMass = tf.add(LOG_HALF, tf.log(tf.add(erfNonNegative(tf.mul(SQRT_HALF, middleUpper)), erfNonNegative(tf.mul(-SQRT_HALF, middleLower)))));
  const pick = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.where(left, a, tf.where(right, b, c));
  return {
    logMass: pick(l.logMass, r.logMass, middleMass),
    logRatioUpper: pick(l.logRatioUpper, r.logRatioLower, tf.sub(logNormalPdf(middleUpper), middleMass)),
    logRatioLower: pick(l.logRatioLower, r.logRatioUpper, tf.sub(logNormalPdf(middleLower), middleMass)),
  };
}

/** normalInterval for lower < upper <= 0. */
function leftTail(lower: tf.Tensor, upper: tf.Tensor): NormalInterval {
  const tu = tf.mul(-SQRT_HALF, upper); // 0 <= tu < tl
  const tl = tf.mul(-SQRT_HALF, lower);
  const cu = logErfcx(tu);
  const cl = logErfcx(tl);
  // log Phi(z) = log(1/2) - t^2 + log erfcx(t), t = -z / sqrt 2
  const logPhiUpper = tf.add(LOG_HALF, tf.sub(cu, tf.square(tu)));
  // log Phi(l) - log Phi(u) = (tu - tl)(tu + tl) + cl - cu <= 0, without subtracting two large squares.
  // tu - tl = (l - u) / sqrt 2 from the inputs, exact for close ends (rounding tu, tl costs ulp(t)).
  const logPhiRatio = tf.add(tf.mul(tf.mul(SQRT_HALF, tf.sub(lower, upper)), tf.add(tu, tl)), tf.sub(cl, cu));
  const logOneMinus = log1mExp(logPhiRatio); // log(1 - Phi(l) / Phi(u))
  return {
    logMass: tf.add(logPhiUpper, logOneMinus),
    // phi(u) / F = [phi(u) / Phi(u)] / (1 - Phi(l)/Phi(u))
    logRatioUpper: tf.sub(tf.sub(LOG_SQRT_2_OVER_PI, cu), logOneMinus),
    // phi(l) / F = [phi(l) / Phi(l)] (Phi(l)/Phi(u)) / (1 - Phi(l)/Phi(u))
    logRatioLower: tf.sub(tf.add(tf.sub(LOG_SQRT_2_OVER_PI, cl), logPhiRatio), logOneMinus),
  };
}

/** log(Phi(upper) - Phi(lower)) elementwise, for lower < upper (see normalInterval). */
export function logNormalCdfDifference(lower: tf.Tensor, upper: tf.Tensor): tf.Tensor {
  return tf.tidy(() => normalInterval(lower, upper).logMass);
}

/** log phi(z) = -z^2/2 - log sqrt(2 pi), the standard normal log density. */
export function logNormalPdf(z: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(-0.5, tf.square(z)), LOG_SQRT_2PI);
}
