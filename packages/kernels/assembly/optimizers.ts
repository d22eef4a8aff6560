// Optimiser updates over the flat weight vector. Adam is PyTorch's rule exactly as core's JsAdam computes
// it (f64 moments, the same operations in the same order), so both give the same bits from the same
// gradients: m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2) g^2, p <- p - lr (m / c1) / (sqrt(v / c2) + eps),
// c1 = 1 - b1^t, c2 = 1 - b2^t. Both return sum g^2 (f64, in index order).

export function adam(p: usize, g: usize, m: usize, v: usize, count: i32, lr: f64, b1: f64, b2: f64, eps: f64, c1: f64, c2: f64): f64 {
  let sq: f64 = 0;
  for (let i = 0; i < count; i++) {
    const pf = p + (<usize>i << 2);
    const pd = <usize>i << 3;
    const gi = <f64>load<f32>(g + (<usize>i << 2));
    sq += gi * gi;
    const mi = b1 * load<f64>(m + pd) + (1 - b1) * gi;
    const vi = b2 * load<f64>(v + pd) + (1 - b2) * gi * gi;
    store<f64>(m + pd, mi);
    store<f64>(v + pd, vi);
    store<f32>(pf, <f32>(<f64>load<f32>(pf) - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps)));
  }
  return sq;
}

/** Plain SGD in float32, as tf.train.sgd: p <- p - lr g. */
export function sgd(p: usize, g: usize, count: i32, lr: f32): f64 {
  let sq: f64 = 0;
  for (let i = 0; i < count; i++) {
    const pf = p + (<usize>i << 2);
    const gi = load<f32>(g + (<usize>i << 2));
    sq += <f64>gi * <f64>gi;
    store<f32>(pf, load<f32>(pf) - lr * gi);
  }
  return sq;
}
