import type * as tf from '@tensorflow/tfjs';

/** A Gaussian mixture sum_k w_k N(mu_k, Sigma_k); means: [K][D], covariances: [K][D][D]. */
export interface GaussianMixture {
  weights: number[];
  means: number[][];
  covariances: number[][][];
}

export interface ModeWeights {
  /** Fraction of the samples assigned to each component. */
  fractions: number[];
  /**
   * Total variation 1/2 sum_k |fraction_k - w_k| (weights normalised to sum 1) (`sample/mode_weight_tv`).
   * Rows with a non-finite entry (a diverged sampler) belong to no component and count as an extra
   * category of true weight 0, so they add half their fraction.
   */
  tv: number;
}

/**
 * Assign each sample to the component of highest posterior responsibility,
 * argmax_k log w_k + log N(x; mu_k, Sigma_k), and compare the fractions with the weights.
 * samples: [N, D]. Computed in float64 on the CPU (one Cholesky factor per component).
 */
export function modeWeights(samples: tf.Tensor2D, mixture: GaussianMixture): ModeWeights {
  const { weights, means, covariances } = mixture;
  const k = weights.length;
  const [n, d] = samples.shape;
  if (k === 0 || means.length !== k || covariances.length !== k) throw new Error('modeWeights: weights, means and covariances must have one entry per component');
  if (weights.some((w) => !(w >= 0))) throw new Error('modeWeights: weights must be non-negative');
  const weightSum = weights.reduce((a, w) => a + w, 0);
  if (!(weightSum > 0)) throw new Error('modeWeights: weights must not all be zero');
  const components = means.map((mean, c) => {
    if (mean.length !== d) throw new Error(`modeWeights: means[${c}] has length ${mean.length}, samples have ${d} columns`);
    const chol = cholesky(covariances[c], d, c);
    let halfLogDet = 0;
    for (let i = 0; i < d; i++) halfLogDet += Math.log(chol[i * d + i]);
    // log w_k + log N(x; mu_k, Sigma_k) up to the shared -D/2 log(2 pi).
    return { mean, chol, offset: Math.log(weights[c] / weightSum) - halfLogDet };
  });
  const x = samples.dataSync();
  const counts = new Array<number>(k).fill(0);
  const residual = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < k; c++) {
      const { mean, chol, offset } = components[c];
      if (offset === -Infinity) continue;
      // Solve L u = x - mu by forward substitution; log N = -1/2 ||u||^2 - log det L.
      let quad = 0;
      for (let i = 0; i < d; i++) {
        let v = x[r * d + i] - mean[i];
        for (let j = 0; j < i; j++) v -= chol[i * d + j] * residual[j];
        v /= chol[i * d + i];
        residual[i] = v;
        quad += v * v;
      }
      const score = offset - 0.5 * quad;
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    if (best >= 0) counts[best]++;
  }
  const fractions = counts.map((c) => c / n);
  const unassigned = 1 - counts.reduce((a, c) => a + c, 0) / n;
  const tv = 0.5 * (fractions.reduce((acc, f, c) => acc + Math.abs(f - weights[c] / weightSum), 0) + unassigned);
  return { fractions, tv };
}

/** Lower Cholesky factor of a symmetric positive definite [D][D] matrix, row-major. */
function cholesky(matrix: number[][], d: number, component: number): Float64Array {
  if (matrix.length !== d || matrix.some((row) => row.length !== d)) throw new Error(`modeWeights: covariances[${component}] must be ${d}x${d}`);
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = matrix[i][j];
      for (let p = 0; p < j; p++) s -= l[i * d + p] * l[j * d + p];
      if (i === j) {
        if (!(s > 0)) throw new Error(`modeWeights: covariances[${component}] is not positive definite`);
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  return l;
}

/**
 * Expected `sample/mode_weight_tv` of n exact samples (the multinomial noise floor, normal approximation):
 *   E TV = 1/2 sum_k E|f_k - w_k| ~= 1/2 sum_k sqrt(2 w_k (1 - w_k) / (pi n)),  f_k ~ Binomial(n, w_k) / n.
 * Assumes the argmax assignment gives exact samples component k with probability w_k (separated components).
 */
export function modeWeightTvFloor(weights: readonly number[], n: number): number {
  const sum = weights.reduce((a, w) => a + w, 0);
  return 0.5 * weights.reduce((acc, w) => acc + Math.sqrt((2 * (w / sum) * (1 - w / sum)) / (Math.PI * n)), 0);
}
