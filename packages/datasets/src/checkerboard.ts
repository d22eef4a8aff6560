import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@scorelab/core';
import type { Dataset, DensityDatasetSpec as DatasetSpec } from './dataset';
import { checkSampleCount } from './gaussian-mixture';
import { maskOffTape } from './mask';
import { resolveNoiseLevel } from './noise-level';
import { normalInterval } from './normal-cdf';

/**
 * Checkerboard: the uniform density on the 8 dark squares of a 4x4 board on [-2s, 2s]^2
 * (side s = scale). Square (i, j), i, j in {0..3}, is [-2s + i s, -2s + (i+1) s] x
 * [-2s + j s, -2s + (j+1) s] and is dark when i + j is even (the bottom-left one is dark).
 *
 * Perturbed: p_sigma(x) = 1/(8 s^2) sum_{dark (i,j)} F_i(x_1) F_j(x_2), with the interval mass
 * F_i(x_d) = Phi((b_i - x_d)/sigma) - Phi((a_i - x_d)/sigma), all in log space
 * (logNormalCdfDifference), so it is accurate far away (tested on [-6s, 6s]^2, sigma >= 0.01 s).
 * Score: d log F_i / dx_d = (phi(l_i) - phi(u_i)) / (sigma F_i) with l, u = (a - x, b - x) / sigma,
 * combined with the responsibilities of the dark squares; the ratios phi / F come from
 * normalInterval without cancellation (they grow like |u| far away, never overflow).
 *
 * Clean (sigma = 0): log p = -log(8 s^2) on the closed dark squares and -Infinity elsewhere; the
 * score is defined as 0 everywhere (it is 0 inside the squares and undefined outside).
 * Only sigma^2 matters, so the sign of a per-row sigma is ignored; rows with sigma = 0 are clean.
 */
export function checkerboardDataset(spec: DatasetSpec, scale: number): Dataset {
  return new Checkerboard(spec, scale);
}

const DARK: [number, number][] = [];
for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if ((i + j) % 2 === 0) DARK.push([i, j]);

// One-hot [4, 8] selectors: (F [N, 4]) @ SELECT_I gives F_i of each dark square [N, 8] (exact: adds zeros).
const SELECT_I = Float32Array.from({ length: 32 }, (_, e) => (DARK[e % 8][0] === Math.floor(e / 8) ? 1 : 0));
const SELECT_J = Float32Array.from({ length: 32 }, (_, e) => (DARK[e % 8][1] === Math.floor(e / 8) ? 1 : 0));

class Checkerboard implements Dataset {
  readonly dim = 2;
  private readonly logNormaliser: number;
  private readonly lowerEdges: Float32Array; // a_i = -2s + i s: [4]

  constructor(
    readonly spec: DatasetSpec,
    private readonly scale: number,
  ) {
    this.logNormaliser = -Math.log(8 * scale * scale);
    this.lowerEdges = Float32Array.from([0, 1, 2, 3], (i) => (i - 2) * scale);
    // Bound, so that `dataset.score` can be handed to a sampler as a plain function.
    this.sample = this.sample.bind(this);
    this.logDensity = this.logDensity.bind(this);
    this.score = this.score.bind(this);
  }

  sample(n: number, rng: Rng): tf.Tensor2D {
    checkSampleCount(n);
    const s = this.scale;
    const out = new Float32Array(2 * n);
    for (let r = 0; r < n; r++) {
      const [i, j] = DARK[rng.int(8)];
      out[2 * r] = (i - 2 + rng.uniform()) * s;
      out[2 * r + 1] = (j - 2 + rng.uniform()) * s;
    }
    return tf.tensor2d(out, [n, 2]);
  }

  logDensity(x: tf.Tensor2D, sigma?: number | tf.Tensor1D): tf.Tensor1D {
    const level = resolveNoiseLevel(x, 2, sigma, 'logDensity');
    return tf.tidy(() => {
      switch (level.kind) {
        case 'clean':
          return this.cleanLogDensity(x);
        case 'scalar':
          return tf.logSumExp(this.perturbedTerms(x, tf.scalar(level.sigma)).logSquares, 1).add(this.logNormaliser) as tf.Tensor1D;
        case 'rows': {
          const { noisy, safeSigma } = splitRows(level.sigma);
          const perturbed = tf.logSumExp(this.perturbedTerms(x, safeSigma).logSquares, 1).add(this.logNormaliser);
          return tf.where(noisy, perturbed, this.cleanLogDensity(x)) as tf.Tensor1D;
        }
      }
    });
  }

  score(x: tf.Tensor2D, sigma?: number | tf.Tensor1D): tf.Tensor2D {
    const level = resolveNoiseLevel(x, 2, sigma, 'score');
    return tf.tidy(() => {
      switch (level.kind) {
        case 'clean':
          return tf.zerosLike(x);
        case 'scalar':
          return this.perturbedScore(x, tf.scalar(level.sigma));
        case 'rows': {
          const { noisy, safeSigma } = splitRows(level.sigma);
          return tf.where(tf.expandDims(noisy, 1), this.perturbedScore(x, safeSigma), tf.zerosLike(x)) as tf.Tensor2D;
        }
      }
    });
  }

  private perturbedScore(x: tf.Tensor2D, sigma: tf.Tensor): tf.Tensor2D {
    const { logSquares, dLog1, dLog2 } = this.perturbedTerms(x, sigma);
    const responsibilities = tf.softmax(logSquares, 1); // [N, 8]
    const s1 = tf.sum(tf.mul(responsibilities, dLog1), 1, true);
    const s2 = tf.sum(tf.mul(responsibilities, dLog2), 1, true);
    return tf.concat([s1, s2], 1) as tf.Tensor2D;
  }

  /**
   * sigma: scalar or [N] (> 0). Returns, per dark square, log F_i(x_1) + log F_j(x_2): [N, 8],
   * and d/dx_1 log F_i, d/dx_2 log F_j: [N, 8] each.
   */
  private perturbedTerms(x: tf.Tensor2D, sigma: tf.Tensor): { logSquares: tf.Tensor2D; dLog1: tf.Tensor2D; dLog2: tf.Tensor2D } {
    const sig = sigma.rank === 0 ? sigma : tf.reshape(sigma, [-1, 1]); // broadcasts against [N, 4]
    const a = tf.tensor2d(this.lowerEdges, [1, 4]);
    const b = tf.add(a, this.scale);
    const perAxis = (xd: tf.Tensor) => {
      const lower = tf.div(tf.sub(a, xd), sig); // (a_i - x_d) / sigma: [N, 4]
      const upper = tf.div(tf.sub(b, xd), sig);
      const { logMass, logRatioUpper, logRatioLower } = normalInterval(lower, upper);
      // d/dx_d log F = (phi(l) - phi(u)) / (sigma F)
      const dLogF = tf.div(tf.sub(tf.exp(logRatioLower), tf.exp(logRatioUpper)), sig);
      return { logF: logMass, dLogF };
    };
    const [x1, x2] = tf.split(x, 2, 1);
    const ax1 = perAxis(x1);
    const ax2 = perAxis(x2);
    const selI = tf.tensor2d(SELECT_I, [4, 8]);
    const selJ = tf.tensor2d(SELECT_J, [4, 8]);
    return {
      logSquares: tf.add(tf.matMul(ax1.logF as tf.Tensor2D, selI), tf.matMul(ax2.logF as tf.Tensor2D, selJ)),
      dLog1: tf.matMul(ax1.dLogF as tf.Tensor2D, selI),
      dLog2: tf.matMul(ax2.dLogF as tf.Tensor2D, selJ),
    };
  }

  /** -log(8 s^2) on the closed dark squares, -Infinity elsewhere: [N]. */
  private cleanLogDensity(x: tf.Tensor2D): tf.Tensor1D {
    const a = tf.tensor2d(this.lowerEdges, [1, 4]);
    const b = tf.add(a, this.scale);
    const selI = tf.tensor2d(SELECT_I, [4, 8]);
    const selJ = tf.tensor2d(SELECT_J, [4, 8]);
    const onDark = maskOffTape(x, (v) => {
      const inside = (xd: tf.Tensor) => tf.cast(tf.logicalAnd(tf.greaterEqual(xd, a), tf.lessEqual(xd, b)), 'float32') as tf.Tensor2D; // [N, 4]
      const [x1, x2] = tf.split(v, 2, 1);
      return tf.greater(tf.sum(tf.mul(tf.matMul(inside(x1), selI), tf.matMul(inside(x2), selJ)), 1), 0);
    });
    // 0 * sum(x) keeps x on the tape, so tf.grad of the clean density is 0 rather than an error.
    const flat = tf.add(this.logNormaliser, tf.mul(0, tf.sum(x, 1)));
    return tf.where(onDark, flat, tf.fill([x.shape[0]], -Infinity)) as tf.Tensor1D;
  }
}

/** Rows with sigma != 0, and |sigma| with 1 in the clean rows (so the unused branch stays finite). */
function splitRows(sigma: tf.Tensor1D): { noisy: tf.Tensor1D; safeSigma: tf.Tensor1D } {
  const noisy = maskOffTape(sigma, (v) => tf.notEqual(v, 0)) as tf.Tensor1D;
  const safeSigma = tf.where(noisy, tf.abs(sigma), tf.onesLike(sigma)) as tf.Tensor1D;
  return { noisy, safeSigma };
}
