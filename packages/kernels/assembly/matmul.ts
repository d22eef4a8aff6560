// Register-tiled fp32 matrix products on v128 (4 lanes). One micro-kernel shape serves every product
// of the MLP: C[r, o] (+)= sum_k A(r, k) B[k, o] with A(r, k) = a[r * ars + k * aks] (strides in
// elements), B row-major with leading dimension ldb, C row-major with ldc. A plain product has
// (ars, aks) = (lda, 1); A^T Y (weight gradients) has (1, ldx). Tiles: 4 rows x 8 columns (8 v128
// accumulators: measured fastest on V8 with 16 xmm registers), then 1 x 8, 4 x 4, 1 x 4 and scalar edges.

@inline function tile4x8(a: usize, ars: usize, aks: usize, b: usize, ldb: usize, c: usize, ldc: usize, K: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const r1 = ars, r2 = ars + ars, r3 = ars + ars + ars;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let s = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(s, b0));
    c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(pa + r1);
    c10 = f32x4.add(c10, f32x4.mul(s, b0));
    c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(pa + r2);
    c20 = f32x4.add(c20, f32x4.mul(s, b0));
    c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(pa + r3);
    c30 = f32x4.add(c30, f32x4.mul(s, b0));
    c31 = f32x4.add(c31, f32x4.mul(s, b1));
    pa += aks;
    pb += ldb;
  }
  if (acc) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc));
    c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc));
    c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc));
    c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

@inline function tile1x8(a: usize, aks: usize, b: usize, ldb: usize, c: usize, K: i32, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    const s = v128.load32_splat(pa);
    c0 = f32x4.add(c0, f32x4.mul(s, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(s, v128.load(pb, 16)));
    pa += aks;
    pb += ldb;
  }
  if (acc) {
    c0 = f32x4.add(c0, v128.load(c));
    c1 = f32x4.add(c1, v128.load(c, 16));
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

@inline function tile1x4(a: usize, aks: usize, b: usize, ldb: usize, c: usize, K: i32, acc: bool): void {
  let c0 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), v128.load(pb)));
    pa += aks;
    pb += ldb;
  }
  if (acc) c0 = f32x4.add(c0, v128.load(c));
  v128.store(c, c0);
}

@inline function tile1x1(a: usize, aks: usize, b: usize, ldb: usize, c: usize, K: i32, acc: bool): void {
  let s: f32 = 0;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    s += load<f32>(pa) * load<f32>(pb);
    pa += aks;
    pb += ldb;
  }
  if (acc) s += load<f32>(c);
  store<f32>(c, s);
}

/** C[R, O] (+)= A(r, k) B[K, O]; strides in elements. */
export function tiledProduct(a: usize, ars: i32, aks: i32, b: usize, ldb: i32, c: usize, ldc: i32, R: i32, K: i32, O: i32, acc: bool): void {
  const sr = <usize>ars << 2, sk = <usize>aks << 2, sb = <usize>ldb << 2, sc = <usize>ldc << 2;
  const o8 = O & ~7;
  const o4 = O & ~3;
  const r4 = R & ~3;
  for (let r = 0; r < r4; r += 4) {
    const ar = a + <usize>r * sr;
    const cr = c + <usize>r * sc;
    for (let j = 0; j < o8; j += 8) tile4x8(ar, sr, sk, b + (<usize>j << 2), sb, cr + (<usize>j << 2), sc, K, acc);
    for (let i = 0; i < 4; i++) {
      const ai = ar + <usize>i * sr;
      const ci = cr + <usize>i * sc;
      if (o4 > o8) tile1x4(ai, sk, b + (<usize>o8 << 2), sb, ci + (<usize>o8 << 2), K, acc);
      for (let j = o4; j < O; j++) tile1x1(ai, sk, b + (<usize>j << 2), sb, ci + (<usize>j << 2), K, acc);
    }
  }
  for (let r = r4; r < R; r++) {
    const ar = a + <usize>r * sr;
    const cr = c + <usize>r * sc;
    for (let j = 0; j < o8; j += 8) tile1x8(ar, sk, b + (<usize>j << 2), sb, cr + (<usize>j << 2), K, acc);
    if (o4 > o8) tile1x4(ar, sk, b + (<usize>o8 << 2), sb, cr + (<usize>o8 << 2), K, acc);
    for (let j = o4; j < O; j++) tile1x1(ar, sk, b + (<usize>j << 2), sb, cr + (<usize>j << 2), K, acc);
  }
}

/** Horizontal sum of the four lanes. */
@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * C[r, o] = sum_k A[r, k] Bt[o, k]: dot products vectorised along k, for products with few output
 * columns (the MLP's output layer, O = D), where the tiles above would run on their scalar edge.
 */
export function dotProduct(a: usize, lda: i32, bt: usize, ldbt: i32, c: usize, ldc: i32, R: i32, K: i32, O: i32): void {
  const k4 = K & ~3;
  for (let r = 0; r < R; r++) {
    const ar = a + ((<usize>r * <usize>lda) << 2);
    for (let o = 0; o < O; o++) {
      const bo = bt + ((<usize>o * <usize>ldbt) << 2);
      let v0 = f32x4.splat(0), v1 = f32x4.splat(0);
      let k = 0;
      for (; k + 8 <= k4; k += 8) {
        const off = <usize>k << 2;
        v0 = f32x4.add(v0, f32x4.mul(v128.load(ar + off), v128.load(bo + off)));
        v1 = f32x4.add(v1, f32x4.mul(v128.load(ar + off, 16), v128.load(bo + off, 16)));
      }
      for (; k < k4; k += 4) {
        const off = <usize>k << 2;
        v0 = f32x4.add(v0, f32x4.mul(v128.load(ar + off), v128.load(bo + off)));
      }
      let s = hsum(f32x4.add(v0, v1));
      for (; k < K; k++) s += load<f32>(ar + (<usize>k << 2)) * load<f32>(bo + (<usize>k << 2));
      store<f32>(c + ((<usize>r * <usize>ldc + <usize>o) << 2), s);
    }
  }
}

/** dst[cols, rows] (+)= src[rows, cols]^T. */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32, acc: bool): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = dst + ((<usize>j * <usize>rows + <usize>i) << 2);
      const v = load<f32>(src + ((<usize>i * <usize>cols + <usize>j) << 2));
      store<f32>(d, acc ? load<f32>(d) + v : v);
    }
  }
}
