/**
 * Memorisation check `sample/nn_dist` against `ref/nn_dist`: the mean Euclidean distance from each
 * point of a set to its nearest training point. Samples that copy training points score ~0; a model
 * that generalises scores like held-out points (ref/nn_dist), which are fresh data the model never saw.
 */
import * as tf from '@tensorflow/tfjs';

/** Query rows per distance block, to bound memory at block x N_train entries. */
const BLOCK_ROWS = 512;

/** For every row of a query set: the distance to its nearest training row and that row's index. */
export interface NearestNeighbours {
  distances: Float32Array;
  indices: Int32Array;
}

/**
 * For every row of x: [M, D], its nearest row of train: [N, D] (the first of equally near ones) and the
 * distance to it, by ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b (clamped at 0) then a square root.
 */
export function nearestNeighbours(x: tf.Tensor2D, train: tf.Tensor2D): NearestNeighbours {
  const [m, d] = x.shape;
  if (d !== train.shape[1]) throw new Error(`nearest neighbours: x has ${d} columns and the training set ${train.shape[1]}`);
  if (train.shape[0] === 0) throw new Error('nearest neighbours: the training set is empty');
  const distances = new Float32Array(m);
  const indices = new Int32Array(m);
  // Centre both on the training mean: the expansion cancels less in float32 near the origin.
  const [xc, tc] = tf.tidy(() => {
    const mean = tf.mean(train, 0, true);
    return [tf.sub(x, mean) as tf.Tensor2D, tf.sub(train, mean) as tf.Tensor2D];
  });
  const tT = tf.tidy(() => tf.transpose(tc));
  const tNorms = tf.tidy(() => tf.reshape(tf.sum(tf.square(tc), 1), [1, -1]));
  try {
    for (let start = 0; start < m; start += BLOCK_ROWS) {
      const size = Math.min(BLOCK_ROWS, m - start);
      const [nearest, index] = tf.tidy(() => {
        const block = tf.slice(xc, [start, 0], [size, -1]);
        const norms = tf.reshape(tf.sum(tf.square(block), 1), [-1, 1]);
        const sq = tf.relu(tf.sub(tf.add(norms, tNorms), tf.mul(tf.matMul(block, tT), 2)));
        return [tf.sqrt(tf.min(sq, 1)), tf.argMin(sq, 1)];
      });
      distances.set(nearest.dataSync(), start);
      indices.set(index.dataSync(), start);
      tf.dispose([nearest, index]);
    }
  } finally {
    tf.dispose([xc, tc, tT, tNorms]);
  }
  return { distances, indices };
}

/** For every row of x: [M, D], the distance to its nearest row of train: [N, D] (nearestNeighbours); returns the M distances. */
export function nearestNeighbourDistances(x: tf.Tensor2D, train: tf.Tensor2D): Float32Array {
  return nearestNeighbours(x, train).distances;
}

/** Mean distance from the rows of x to their nearest training rows (sample/nn_dist; ref/nn_dist with held-out x). */
export function meanNearestNeighbourDistance(x: tf.Tensor2D, train: tf.Tensor2D): number {
  const distances = nearestNeighbourDistances(x, train);
  let total = 0;
  for (const v of distances) total += v;
  return total / distances.length;
}
