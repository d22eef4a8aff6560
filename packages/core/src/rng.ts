import * as tf from '@tensorflow/tfjs';

/** Where a stream is (Rng.state): enough to continue it exactly, e.g. in a checkpoint. */
export interface RngState {
  words: [number, number, number, number];
  spareNormal: number | null;
}

/**
 * A seeded random stream. Every random draw in Scorelab comes from one of these, so a run with
 * the same config and seed gives the same numbers on every backend: the numbers are generated in
 * JavaScript (xoshiro128**, seeded through splitmix32) and only then copied into tensors.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(readonly seed: number) {
    let z = (seed >>> 0) ^ 0x9e3779b9;
    const next = () => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
      return (t ^ (t >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The stream's position: the four xoshiro128** words and the cached second normal (null when none). */
  state(): RngState {
    return { words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spareNormal };
  }

  /** Continue from a position taken by state() (of any stream): the same draws follow as after it. */
  restore(state: RngState): void {
    const { words, spareNormal } = state;
    if (words.length !== 4 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) throw new Error(`Rng.restore: expected four 32-bit unsigned words, got [${words}]`);
    if ((words[0] | words[1] | words[2] | words[3]) === 0) throw new Error('Rng.restore: the all-zero state is not a xoshiro128** state');
    [this.s0, this.s1, this.s2, this.s3] = words;
    this.spareNormal = spareNormal;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * m;
        return u * m;
      }
    }
  }

  /** An integer uniform on {0, ..., n-1}. */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** An index drawn from unnormalised non-negative weights. */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** An independent child stream; the parent advances by one draw. */
  split(): Rng {
    return new Rng(this.nextUint32());
  }

  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  uniformArray(n: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  /** Tensor of i.i.d. N(mean, std^2) entries. */
  normalTensor(shape: number[], mean = 0, std = 1): tf.Tensor {
    return tf.tensor(this.normalArray(sizeOf(shape), mean, std), shape, 'float32');
  }

  /** Tensor of i.i.d. U[low, high) entries. */
  uniformTensor(shape: number[], low = 0, high = 1): tf.Tensor {
    return tf.tensor(this.uniformArray(sizeOf(shape), low, high), shape, 'float32');
  }

  /** Tensor of i.i.d. +-1 entries with probability 1/2 each. */
  rademacherTensor(shape: number[]): tf.Tensor {
    const n = sizeOf(shape);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform() < 0.5 ? -1 : 1;
    return tf.tensor(out, shape, 'float32');
  }

  /** Rows uniform on the sphere of radius sqrt(D) in R^D, so that E[v v^T] = I. x: [N, D]. */
  sphereTensor(n: number, d: number): tf.Tensor2D {
    const out = this.normalArray(n * d);
    for (let i = 0; i < n; i++) {
      let ss = 0;
      for (let j = 0; j < d; j++) ss += out[i * d + j] ** 2;
      const scale = Math.sqrt(d / ss);
      for (let j = 0; j < d; j++) out[i * d + j] *= scale;
    }
    return tf.tensor2d(out, [n, d]);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
