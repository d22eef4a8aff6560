// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013, "Downsampling Time Series for
// Visual Representation", ch. 4). Keeps the first and last points; splits the rest into
// (threshold - 2) buckets and keeps from each the point forming the largest triangle with the point
// kept from the previous bucket and the mean of the next bucket. Peaks and troughs survive, which a
// stride or a bucket mean would lose.

export interface XY {
  x: number;
  y: number;
}

/**
 * Indices (increasing) of the points to keep; points must be sorted by x. Returns every index when
 * threshold >= n. threshold must be >= 2.
 *
 * Non-finite y (NaN, +-Infinity, e.g. a diverged loss): a non-finite candidate wins its bucket
 * (area = Infinity, first one wins), so a divergence always shows; in the triangle of the other
 * points a non-finite y is replaced by the last finite y before it (0 if none), and bucket means
 * use finite values only.
 */
export function lttbIndices(points: readonly XY[], threshold: number): number[] {
  return lttbIndicesXY(
    points.map((p) => p.x),
    points.map((p) => p.y),
    threshold,
  );
}

/** lttbIndices on separate coordinate arrays (no per-point objects; xs sorted, same length as ys). */
export function lttbIndicesXY(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = xs.length;
  if (ys.length !== n) throw new RangeError(`lttb: ${n} x values but ${ys.length} y values`);
  if (!Number.isInteger(threshold) || threshold < 2) {
    throw new RangeError(`lttb: threshold must be an integer >= 2, got ${threshold}`);
  }
  if (threshold >= n) return Array.from({ length: n }, (_, i) => i);

  // y used inside triangles: last finite value carried forward.
  const yPlot = new Float64Array(n);
  let carry = 0;
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (Number.isFinite(y)) carry = y;
    yPlot[i] = carry;
  }

  const kept: number[] = [0];
  if (threshold === 2) {
    kept.push(n - 1);
    return kept;
  }
  const buckets = threshold - 2;
  // Interior points 1..n-2 split into `buckets` contiguous ranges of (almost) equal size.
  // Integer numerator: b * (n - 2) / buckets is exact when divisible, so the last bucket ends at n - 1.
  const start = (b: number) => Math.floor((b * (n - 2)) / buckets) + 1;
  let a = 0;
  for (let b = 0; b < buckets; b++) {
    const lo = start(b);
    const hi = start(b + 1); // exclusive
    // Mean of the next bucket (the last point for the last bucket).
    let cx: number;
    let cy: number;
    if (b === buckets - 1) {
      cx = xs[n - 1];
      cy = yPlot[n - 1];
    } else {
      const nextHi = start(b + 2);
      let sx = 0;
      let sy = 0;
      let finite = 0;
      for (let j = hi; j < nextHi; j++) {
        sx += xs[j];
        if (Number.isFinite(ys[j])) {
          sy += ys[j];
          finite++;
        }
      }
      cx = sx / (nextHi - hi);
      cy = finite > 0 ? sy / finite : yPlot[nextHi - 1];
    }
    const ax = xs[a];
    const ay = yPlot[a];
    let best = lo;
    let bestArea = -1;
    for (let j = lo; j < hi; j++) {
      // Twice the triangle area; the factor 1/2 does not change the argmax.
      const area = Number.isFinite(ys[j]) ? Math.abs((ax - cx) * (ys[j] - ay) - (ax - xs[j]) * (cy - ay)) : Infinity;
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(n - 1);
  return kept;
}

/** The kept points themselves (see lttbIndices). */
export function lttb<T extends XY>(points: readonly T[], threshold: number): T[] {
  return lttbIndices(points, threshold).map((i) => points[i]);
}
