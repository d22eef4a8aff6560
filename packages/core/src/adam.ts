import * as tf from '@tensorflow/tfjs';

/** Adam's state besides the weights: the step count t and the first and second moments, per weight tensor. */
export interface AdamState {
  t: number[];
  m: Float64Array[];
  v: Float64Array[];
}

/**
 * Adam as in PyTorch (torch.optim.Adam, no weight decay):
 *   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps),
 * with t the parameter's own step count (PyTorch's state['step'] per parameter): a parameter without a
 * gradient on a step keeps its weight, moments and t, so its bias correction is not advanced.
 * The update runs in JavaScript on Float32Array copies of the weights. On the CPU backends
 * (wasm, cpu, tfjs-node) reading a tensor is a memory copy, and one JS loop over the ~17k weights
 * of the reference MLP replaces the ~70 small kernels of tf.train.adam (about half of all kernels
 * of a DSM step). Moments are kept in Float64 for accuracy.
 */
export class JsAdam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private readonly p: Float32Array[];
  /** Steps taken by each parameter (updates that had a gradient for it). */
  private readonly t: number[];

  constructor(
    private readonly params: tf.Variable[],
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = params.map((p) => new Float64Array(p.size));
    this.v = params.map((p) => new Float64Array(p.size));
    this.p = params.map((p) => Float32Array.from(p.dataSync()));
    this.t = params.map(() => 0);
  }

  /**
   * One update from gradients given in the order of `params` (null: no gradient; that parameter's weight,
   * moments and step count stay as they are, as in PyTorch).
   * Returns the squared global L2 norm of the gradient.
   */
  apply(grads: (tf.Tensor | null)[]): number {
    const { beta1: b1, beta2: b2, eps, lr } = this;
    let sq = 0;
    for (let k = 0; k < this.params.length; k++) {
      const gt = grads[k];
      if (!gt) continue;
      const t = ++this.t[k];
      const c1 = 1 - Math.pow(b1, t);
      const c2 = 1 - Math.pow(b2, t);
      const g = gt.dataSync() as Float32Array;
      const m = this.m[k];
      const v = this.v[k];
      const p = this.p[k];
      for (let i = 0; i < g.length; i++) {
        const gi = g[i];
        sq += gi * gi;
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
      const param = this.params[k];
      tf.tidy(() => param.assign(tf.tensor(p, param.shape, 'float32')));
    }
    return sq;
  }

  /** Copies of the moments and the step count t (what a checkpoint keeps besides the weights). */
  state(): AdamState {
    return { t: this.t.slice(), m: this.m.map((a) => a.slice()), v: this.v.map((a) => a.slice()) };
  }

  /** Continue from state(): the moments and t are copied in, and the weights re-read from the variables. */
  restore(state: AdamState): void {
    const sizes = this.params.map((p) => p.size);
    const fits = (arrays: Float64Array[]) => arrays.length === sizes.length && arrays.every((a, k) => a.length === sizes[k]);
    if (!fits(state.m) || !fits(state.v)) throw new Error(`JsAdam.restore: moments do not match the weights (sizes [${sizes}])`);
    if (state.t.length !== sizes.length || !state.t.every((t) => Number.isInteger(t) && t >= 0)) throw new Error(`JsAdam.restore: t must be ${sizes.length} integers >= 0, got [${state.t}]`);
    state.t.forEach((t, k) => (this.t[k] = t));
    state.m.forEach((a, k) => this.m[k].set(a));
    state.v.forEach((a, k) => this.v[k].set(a));
    this.sync();
  }

  /** Re-read the weights after someone else changed them. */
  sync(): void {
    this.params.forEach((param, k) => this.p[k].set(param.dataSync()));
  }
}
