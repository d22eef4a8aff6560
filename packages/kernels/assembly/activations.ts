// The MLP's activations on v128, each with its first and second derivative (the second is needed by
// the weight gradient of forward-mode tangents: u = act'(z) t, so d/dz of u brings act''(z) t).
// Every exponential has a non-positive argument (exp(-|z|), exp(z) for z <= 0), so nothing overflows.

// Activation codes, in the order of @scorelab/config's ACTIVATIONS.
export const SOFTPLUS = 0;
export const SWISH = 1;
export const ELU = 2;
export const RELU = 3;
export const TANH = 4;

/**
 * exp(x) for x <= 0: Cephes' expf, 2^n times a degree-6 polynomial. x is clamped at -40 (exp(-40) =
 * 4.2e-18, an absolute error below that): smaller values would bring float32 subnormals into the
 * polynomials that use the result (s^2 in vlog1pUnit), and subnormal arithmetic is ~100x slower on x86
 * (wasm has no flush-to-zero) — a sampler whose untrained network drives |z| into the hundreds ran 25x slower.
 */
@inline export function vexpNonPositive(x0: v128): v128 {
  const x1 = f32x4.min(f32x4.max(x0, f32x4.splat(-40.0)), f32x4.splat(0.0));
  const n = f32x4.nearest(f32x4.mul(x1, f32x4.splat(1.44269504088896341)));
  let x = f32x4.sub(x1, f32x4.mul(n, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), f32x4.splat(1.0));
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2);
}

/**
 * exp(x) - 1 for x <= 0 without the cancellation of exp(x) - 1 near 0: for x > -0.5 its Taylor series
 * to x^9 / 9! (remainder below 3e-12 relative), else exp(x) - 1 (exp(x) <= 0.61, nothing cancels).
 */
@inline export function vexpm1NonPositive(x: v128): v128 {
  let p = f32x4.splat(<f32>(1.0 / 9.0));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 8.0))), f32x4.splat(<f32>(1.0 / 8.0)));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 7.0))), f32x4.splat(<f32>(1.0 / 7.0)));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 6.0))), f32x4.splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 5.0))), f32x4.splat(<f32>(1.0 / 5.0)));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 4.0))), f32x4.splat(<f32>(1.0 / 4.0)));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 3.0))), f32x4.splat(<f32>(1.0 / 3.0)));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 2.0))), f32x4.splat(<f32>(1.0 / 2.0)));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.0));
  const series = f32x4.mul(p, x);
  const direct = f32x4.sub(vexpNonPositive(x), f32x4.splat(1.0));
  return v128.bitselect(series, direct, f32x4.gt(x, f32x4.splat(-0.5)));
}

/** log(1 + e) for e in [0, 1]: 2 atanh(s), s = e / (2 + e) <= 1/3, by its odd series to s^15 (error < 1e-9 relative). */
@inline export function vlog1pUnit(e: v128): v128 {
  const s = f32x4.div(e, f32x4.add(e, f32x4.splat(2.0)));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.splat(<f32>(1.0 / 15.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 13.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 11.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 9.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 7.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 5.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 3.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0));
  return f32x4.mul(f32x4.add(s, s), p);
}

/**
 * act(z), act'(z), act''(z) of four lanes; `second` false skips act''. Written to out[0..2].
 * softplus = max(z, 0) + log1p(e), e = exp(-|z|); sigma(z) = 1 / (1 + e) for z >= 0, e / (1 + e) else.
 */
@inline export function vactivate(kind: i32, z: v128, second: bool, ptrA: usize, ptrD1: usize, ptrD2: usize): void {
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0.0);
  if (kind == RELU) {
    const pos = f32x4.gt(z, zero);
    v128.store(ptrA, f32x4.max(z, zero));
    v128.store(ptrD1, v128.and(pos, one));
    if (second) v128.store(ptrD2, zero);
    return;
  }
  if (kind == ELU) {
    const pos = f32x4.gt(z, zero);
    const em1 = vexpm1NonPositive(f32x4.min(z, zero));
    const e = f32x4.add(em1, one);
    v128.store(ptrA, v128.bitselect(z, em1, pos));
    v128.store(ptrD1, v128.bitselect(one, e, pos));
    if (second) v128.store(ptrD2, v128.bitselect(zero, e, pos));
    return;
  }
  if (kind == TANH) {
    // tanh |z| = -m / (2 + m), m = expm1(-2 |z|) (no cancellation near 0); tanh' = 1 - a^2, tanh'' = -2 a tanh'.
    const m = vexpm1NonPositive(f32x4.mul(f32x4.abs(z), f32x4.splat(-2.0)));
    const t = f32x4.div(f32x4.neg(m), f32x4.add(f32x4.splat(2.0), m));
    const a = v128.bitselect(f32x4.neg(t), t, f32x4.lt(z, zero));
    const d1 = f32x4.sub(one, f32x4.mul(a, a));
    v128.store(ptrA, a);
    v128.store(ptrD1, d1);
    if (second) v128.store(ptrD2, f32x4.mul(f32x4.mul(f32x4.splat(-2.0), a), d1));
    return;
  }
  // softplus and swish share sigma(z) and 1 - sigma(z) = sigma(-z), both without cancellation.
  const e = vexpNonPositive(f32x4.neg(f32x4.abs(z)));
  const inv = f32x4.div(one, f32x4.add(one, e));
  const eInv = f32x4.mul(e, inv);
  const neg = f32x4.lt(z, zero);
  const sig0 = v128.bitselect(eInv, inv, neg);
  const sigc = v128.bitselect(inv, eInv, neg);
  if (kind == SOFTPLUS) {
    const sig = sig0;
    v128.store(ptrA, f32x4.add(f32x4.max(z, zero), vlog1pUnit(e)));
    v128.store(ptrD1, sig);
    if (second) v128.store(ptrD2, f32x4.mul(sig, sigc));
    return;
  }
  // swish: a = z sigma; a' = sigma + a (1 - sigma); a'' = sigma (1 - sigma) (2 + z (1 - 2 sigma)).
  // Below z = -40 the clamped sigma (4.2e-18) times a large |z| would not be small: sigma is 0 there
  // (the true values are below 1e-16 in every one of a, a', a'').
  const sig = v128.andnot(sig0, f32x4.lt(z, f32x4.splat(-40.0)));
  const a = f32x4.mul(z, sig);
  v128.store(ptrA, a);
  v128.store(ptrD1, f32x4.add(sig, f32x4.mul(a, sigc)));
  if (second) {
    const w = f32x4.add(f32x4.splat(2.0), f32x4.mul(z, f32x4.sub(sigc, sig)));
    v128.store(ptrD2, f32x4.mul(f32x4.mul(sig, sigc), w));
  }
}
