import type { Rng } from '@scorelab/core';

/** An axis-aligned box: low[j] <= x_j <= high[j]. */
export interface Box {
  low: readonly number[];
  high: readonly number[];
}

/** n points uniform on the box, row-major [n * D] (random draws: rng.uniform per coordinate, row by row). */
export function uniformInBox(box: Box, n: number, rng: Rng): Float32Array {
  const d = box.low.length;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = box.low[j] + (box.high[j] - box.low[j]) * rng.uniform();
  return out;
}

/**
 * The replay buffer of persistent contrastive divergence (PCD; Du & Mordatch 2019's sample buffer): `size`
 * points [size, D] that the negatives' chains start from and are written back to. It is filled with uniform
 * noise on the box at its first draw. Its contents belong to a run's checkpoint (state / restore).
 */
export class ReplayBuffer {
  private data: Float32Array | null = null;

  constructor(
    readonly size: number,
    readonly dim: number,
    private readonly box: Box,
  ) {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error(`negatives.bufferSize must be an integer >= 1, got ${size}`);
    if (box.low.length !== dim || box.high.length !== dim) throw new Error(`the noise box has ${box.low.length} coordinates for data of dimension ${dim}`);
  }

  /**
   * Starting points of n chains: row i is buffer point idx_i, or with probability `reinit` fresh uniform noise.
   * Random draws, in this order: the buffer's fill (size * D uniforms, first call only), then per row
   * idx_i = rng.int(size), u_i = rng.uniform() and, when u_i < reinit, D uniforms.
   */
  draw(n: number, reinit: number, rng: Rng): { indices: Int32Array; x: Float32Array } {
    if (!(reinit >= 0 && reinit <= 1)) throw new Error(`negatives.reinit must be in [0, 1], got ${reinit}`);
    const d = this.dim;
    const data = (this.data ??= uniformInBox(this.box, this.size, rng));
    const indices = new Int32Array(n);
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const idx = rng.int(this.size);
      indices[i] = idx;
      if (rng.uniform() < reinit) x.set(uniformInBox(this.box, 1, rng), i * d);
      else x.set(data.subarray(idx * d, (idx + 1) * d), i * d);
    }
    return { indices, x };
  }

  /** Write the chains' end points back to the slots they were drawn from (a slot drawn twice keeps the later row). */
  write(indices: Int32Array, x: Float32Array): void {
    const d = this.dim;
    if (!this.data) throw new Error('ReplayBuffer.write before draw');
    if (x.length !== indices.length * d) throw new Error(`ReplayBuffer.write: ${x.length} values for ${indices.length} rows of ${d}`);
    for (let i = 0; i < indices.length; i++) this.data.set(x.subarray(i * d, (i + 1) * d), indices[i] * d);
  }

  /** A copy of the points [size * D], or null before the first draw. */
  state(): Float32Array | null {
    return this.data ? this.data.slice() : null;
  }

  restore(state: Float32Array | null): void {
    if (state !== null && state.length !== this.size * this.dim) throw new Error(`ReplayBuffer.restore: ${state.length} values, this buffer holds ${this.size} x ${this.dim}`);
    this.data = state ? state.slice() : null;
  }
}
