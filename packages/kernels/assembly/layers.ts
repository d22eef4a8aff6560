// Elementwise parts of one MLP layer pass, forward and backward, for a batch of N rows stacked with K
// tangent blocks: a buffer [(1 + K) N, w] holds the primal rows, then tangent block k in rows (1 + k) N ...
import { vactivate } from './activations';

// Scratch for the last (< 4) elements of a vector loop.
const TAIL: usize = memory.data(64, 16);

/** z[0:N] += b (the bias, primal rows only): z [N, w]. */
export function addBias(z: usize, b: usize, n: i32, w: i32): void {
  const w4 = w & ~3;
  for (let r = 0; r < n; r++) {
    const zr = z + ((<usize>r * <usize>w) << 2);
    let j = 0;
    for (; j < w4; j += 4) {
      const off = <usize>j << 2;
      v128.store(zr + off, f32x4.add(v128.load(zr + off), v128.load(b + off)));
    }
    for (; j < w; j++) {
      const off = <usize>j << 2;
      store<f32>(zr + off, load<f32>(zr + off) + load<f32>(b + off));
    }
  }
}

/**
 * h = act(z), d1 = act'(z), d2 = act''(z) (only when k > 0) on the primal rows; then every tangent
 * block u_k = d1 * t_k, t_k the pre-activation tangents stored in z's tangent blocks. z, h: [(1 + k) N, w].
 */
export function activateForward(kind: i32, z: usize, h: usize, d1: usize, d2: usize, n: i32, w: i32, k: i32): void {
  const total = n * w;
  const t4 = total & ~3;
  const second = k > 0;
  for (let i = 0; i < t4; i += 4) {
    const off = <usize>i << 2;
    vactivate(kind, v128.load(z + off), second, h + off, d1 + off, d2 + off);
  }
  if (t4 < total) {
    // The tail through scratch lanes (padding lanes are zeros, their results are dropped).
    v128.store(TAIL, f32x4.splat(0));
    for (let i = t4; i < total; i++) store<f32>(TAIL + (<usize>(i - t4) << 2), load<f32>(z + (<usize>i << 2)));
    vactivate(kind, v128.load(TAIL), second, TAIL + 16, TAIL + 32, TAIL + 48);
    for (let i = t4; i < total; i++) {
      const j = <usize>(i - t4) << 2;
      const off = <usize>i << 2;
      store<f32>(h + off, load<f32>(TAIL + 16 + j));
      store<f32>(d1 + off, load<f32>(TAIL + 32 + j));
      if (second) store<f32>(d2 + off, load<f32>(TAIL + 48 + j));
    }
  }
  const block = <usize>total << 2;
  for (let kk = 1; kk <= k; kk++) {
    const zt = z + <usize>kk * block;
    const ht = h + <usize>kk * block;
    for (let i = 0; i < t4; i += 4) {
      const off = <usize>i << 2;
      v128.store(ht + off, f32x4.mul(v128.load(d1 + off), v128.load(zt + off)));
    }
    for (let i = t4; i < total; i++) {
      const off = <usize>i << 2;
      store<f32>(ht + off, load<f32>(d1 + off) * load<f32>(zt + off));
    }
  }
}

/**
 * Back through h = act(z), u_k = act'(z) t_k, in place: g holds [dL/dh; dL/du_k] and becomes
 * [dL/dz; dL/dt_k] with dL/dz = dL/dh act' + sum_k dL/du_k t_k act'', dL/dt_k = dL/du_k act'.
 * z holds the pre-activation tangents t_k in its tangent blocks.
 */
export function activateBackward(g: usize, z: usize, d1: usize, d2: usize, n: i32, w: i32, k: i32): void {
  const total = n * w;
  const t4 = total & ~3;
  const block = <usize>total << 2;
  for (let i = 0; i < t4; i += 4) {
    const off = <usize>i << 2;
    const a1 = v128.load(d1 + off);
    let acc = f32x4.mul(v128.load(g + off), a1);
    if (k > 0) {
      let second = f32x4.splat(0);
      for (let kk = 1; kk <= k; kk++) {
        const p = <usize>kk * block + off;
        const du = v128.load(g + p);
        second = f32x4.add(second, f32x4.mul(du, v128.load(z + p)));
        v128.store(g + p, f32x4.mul(du, a1));
      }
      acc = f32x4.add(acc, f32x4.mul(second, v128.load(d2 + off)));
    }
    v128.store(g + off, acc);
  }
  for (let i = t4; i < total; i++) {
    const off = <usize>i << 2;
    const a1 = load<f32>(d1 + off);
    let acc = load<f32>(g + off) * a1;
    if (k > 0) {
      let second: f32 = 0;
      for (let kk = 1; kk <= k; kk++) {
        const p = <usize>kk * block + off;
        const du = load<f32>(g + p);
        second += du * load<f32>(z + p);
        store<f32>(g + p, du * a1);
      }
      acc += second * load<f32>(d2 + off);
    }
    store<f32>(g + off, acc);
  }
}

/** db (+)= sum over the N primal rows of g [N, w]. */
export function columnSums(g: usize, n: i32, w: i32, db: usize, acc: bool): void {
  const w4 = w & ~3;
  for (let j = 0; j < w4; j += 4) {
    const off = <usize>j << 2;
    let s = acc ? v128.load(db + off) : f32x4.splat(0);
    for (let r = 0; r < n; r++) s = f32x4.add(s, v128.load(g + ((<usize>r * <usize>w) << 2) + off));
    v128.store(db + off, s);
  }
  for (let j = w4; j < w; j++) {
    const off = <usize>j << 2;
    let s: f32 = acc ? load<f32>(db + off) : 0;
    for (let r = 0; r < n; r++) s += load<f32>(g + ((<usize>r * <usize>w) << 2) + off);
    store<f32>(db + off, s);
  }
}

/**
 * The tangents e_i of exact sm through the first layer: t_1 = e_i W_1 is row i of W_1 for every sample,
 * so tangent block i of z [(1 + d) N, w] is filled with copies of W_1[i, :] instead of a product.
 */
export function basisTangents(w1: usize, z: usize, n: i32, d: i32, w: i32): void {
  const row = <usize>w << 2;
  for (let i = 0; i < d; i++) {
    const src = w1 + <usize>i * row;
    const dst = z + <usize>(1 + i) * <usize>n * row;
    for (let r = 0; r < n; r++) memory.copy(dst + <usize>r * row, src, row);
  }
}

/** The matching weight gradient: dW_1[i, :] += sum_r g[(1 + i) N + r, :] (the basis tangents' rows). */
export function basisGradient(g: usize, dw1: usize, n: i32, d: i32, w: i32): void {
  const row = <usize>w << 2;
  for (let i = 0; i < d; i++) columnSums(g + <usize>(1 + i) * <usize>n * row, n, w, dw1 + <usize>i * row, true);
}

/** Divide every row of the output [(1 + k) N, d] by its sample's scale (s = f / scale, J v = (J_f v) / scale). */
export function divideRows(out: usize, scale: usize, n: i32, k: i32, d: i32): void {
  for (let kk = 0; kk <= k; kk++) {
    for (let r = 0; r < n; r++) {
      const s = load<f32>(scale + (<usize>r << 2));
      const p = out + ((<usize>(kk * n + r) * <usize>d) << 2);
      for (let j = 0; j < d; j++) store<f32>(p + (<usize>j << 2), load<f32>(p + (<usize>j << 2)) / s);
    }
  }
}
