// The score-matching objectives on the network's output, and their gradient with respect to the raw
// MLP output (before the division by the sample's scale). out: [(1 + K) N, D] holds s = f / scale in the
// primal rows and J v_k = (J_f v_k) / scale in tangent block k; g gets dL/df and dL/d(J_f v_k), same shape.
// L = (1/N) sum_n lambda_n term_n; lambda = 0 pointer means weight 1, scale = 0 pointer means scale 1.
// The loss value is accumulated in f64.

@inline function lambdaOf(lambda: usize, r: i32): f32 {
  return lambda == 0 ? <f32>1 : load<f32>(lambda + (<usize>r << 2));
}

@inline function scaleOf(scale: usize, r: i32): f32 {
  return scale == 0 ? <f32>1 : load<f32>(scale + (<usize>r << 2));
}

@inline function at(p: usize, row: i32, d: i32, j: i32): usize {
  return p + ((<usize>row * <usize>d + <usize>j) << 2);
}

/** dsm: term = 1/2 ||s + target||^2, target = z / std: [N, D]. */
export function lossDsm(out: usize, target: usize, lambda: usize, scale: usize, g: usize, n: i32, d: i32): f64 {
  let total: f64 = 0;
  const inv: f32 = <f32>1 / <f32>n;
  for (let r = 0; r < n; r++) {
    const c = (lambdaOf(lambda, r) * inv) / scaleOf(scale, r);
    let sq: f64 = 0;
    for (let j = 0; j < d; j++) {
      const e = load<f32>(at(out, r, d, j)) + load<f32>(at(target, r, d, j));
      sq += <f64>e * <f64>e;
      store<f32>(at(g, r, d, j), c * e);
    }
    total += <f64>lambdaOf(lambda, r) * 0.5 * sq;
  }
  return total / <f64>n;
}

/** sm: term = tr J + 1/2 ||s||^2 with the D basis tangents (block i holds J e_i; its entry i is J_ii). */
export function lossSm(out: usize, lambda: usize, scale: usize, g: usize, n: i32, d: i32): f64 {
  let total: f64 = 0;
  const inv: f32 = <f32>1 / <f32>n;
  memory.fill(g + ((<usize>n * <usize>d) << 2), 0, (<usize>d * <usize>n * <usize>d) << 2);
  for (let r = 0; r < n; r++) {
    const lam = lambdaOf(lambda, r);
    const c = (lam * inv) / scaleOf(scale, r);
    let sq: f64 = 0;
    let tr: f64 = 0;
    for (let j = 0; j < d; j++) {
      const s = load<f32>(at(out, r, d, j));
      sq += <f64>s * <f64>s;
      store<f32>(at(g, r, d, j), c * s);
      tr += <f64>load<f32>(at(out, (1 + j) * n + r, d, j));
      store<f32>(at(g, (1 + j) * n + r, d, j), c);
    }
    total += <f64>lam * (tr + 0.5 * sq);
  }
  return total / <f64>n;
}

/**
 * ssm (vr = false): term = (1/M) sum_m [v_m . J v_m + 1/2 (v_m . s)^2];
 * ssm-vr (vr = true): term = (1/M) sum_m v_m . J v_m + 1/2 ||s||^2. v: [M N, D], block m = projection m.
 */
export function lossSsm(out: usize, v: usize, lambda: usize, scale: usize, g: usize, n: i32, d: i32, m: i32, vr: bool): f64 {
  let total: f64 = 0;
  const inv: f32 = <f32>1 / <f32>n;
  const invM: f32 = <f32>1 / <f32>m;
  for (let r = 0; r < n; r++) {
    const lam = lambdaOf(lambda, r);
    const c = (lam * inv) / scaleOf(scale, r);
    const cm = c * invM;
    let quad: f64 = 0;
    let half: f64 = 0;
    for (let j = 0; j < d; j++) store<f32>(at(g, r, d, j), 0);
    for (let k = 0; k < m; k++) {
      const row = (1 + k) * n + r;
      const vrow = k * n + r;
      let vjv: f64 = 0;
      let vs: f32 = 0;
      for (let j = 0; j < d; j++) {
        const vj = load<f32>(at(v, vrow, d, j));
        vjv += <f64>vj * <f64>load<f32>(at(out, row, d, j));
        vs += vj * load<f32>(at(out, r, d, j));
        store<f32>(at(g, row, d, j), cm * vj);
      }
      quad += vjv;
      if (!vr) {
        half += 0.5 * <f64>vs * <f64>vs;
        const cv = cm * vs;
        for (let j = 0; j < d; j++) store<f32>(at(g, r, d, j), load<f32>(at(g, r, d, j)) + cv * load<f32>(at(v, vrow, d, j)));
      }
    }
    if (vr) {
      let sq: f64 = 0;
      for (let j = 0; j < d; j++) {
        const s = load<f32>(at(out, r, d, j));
        sq += <f64>s * <f64>s;
        store<f32>(at(g, r, d, j), c * s);
      }
      half = 0.5 * sq * <f64>m;
    }
    total += (<f64>lam * (quad + half)) / <f64>m;
  }
  return total / <f64>n;
}
