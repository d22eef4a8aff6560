/**
 * Training time against step from a run's perf/steps_per_sec series, for plotting a metric against
 * the time spent training (evaluation and sampling excluded, unlike the wall clock of the points).
 */

/**
 * t(step) in seconds: each logged rate is the rate over the interval that ends at its step, so
 * t(s_k) = sum_{j <= k} (s_j - s_{j-1}) / rate_j from t(0) = 0, linear in between, constant after
 * the last logged step. Points with a rate <= 0 or a step not after the previous one are skipped.
 */
export function trainingClock(points: readonly { step: number; value: number }[]): (step: number) => number {
  const knots: [number, number][] = [[0, 0]];
  for (const p of points) {
    const [s0, t0] = knots[knots.length - 1];
    if (p.step > s0 && p.value > 0) knots.push([p.step, t0 + (p.step - s0) / p.value]);
  }
  return (step) => {
    for (let k = 1; k < knots.length; k++) {
      const [s1, t1] = knots[k];
      if (step <= s1) {
        const [s0, t0] = knots[k - 1];
        return t0 + ((step - s0) / (s1 - s0)) * (t1 - t0);
      }
    }
    return knots[knots.length - 1][1];
  };
}
