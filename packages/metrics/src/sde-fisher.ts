import * as tf from '@tensorflow/tfjs';
import type { Rng, Sde, TimeScoreFn } from '@scorelab/core';

export interface SdeFisherDivergenceOptions {
  /** The learned score s(x, t). */
  model: TimeScoreFn;
  /** The exact marginal score grad log p_t(x) (e.g. core analyticTimeScore). */
  exact: TimeScoreFn;
  sde: Sde;
  /** Clean data x_0: [N, D]; each time perturbs all of it. */
  x0: tf.Tensor2D;
  /** Evaluation times; default 10 evenly spaced from eps to T. */
  times?: number[];
  /** lambda(t): `sigma2` (s(t)^2, default) or `likelihood` (g(t)^2). */
  weighting?: 'sigma2' | 'likelihood';
  rng: Rng;
}

export interface SdeFisherDivergence {
  times: number[];
  /** F(t) = 1/2 E_{x ~ p_t} ||s(x, t) - grad log p_t(x)||^2 per time. */
  perTime: number[];
  /** (1/K) sum_k lambda(t_k) F(t_k). */
  weighted: number;
}

/**
 * The Fisher divergence of a time score against the exact one, on x_t = m(t) x_0 + s(t) z (z from rng, one
 * [N, D] draw per time in order). The time analogue of `fisherDivergence`; row errors are summed in float64.
 */
export function sdeFisherDivergence(opts: SdeFisherDivergenceOptions): SdeFisherDivergence {
  const { model, exact, sde, x0, rng } = opts;
  if (x0.rank !== 2 || x0.shape[0] === 0) throw new Error('sdeFisherDivergence: x0 must be a non-empty [N, D] tensor');
  const [n, d] = x0.shape;
  const times = opts.times ?? Array.from({ length: 10 }, (_, k) => sde.eps + ((sde.T - sde.eps) * k) / 9);
  const weighting = opts.weighting ?? 'sigma2';
  const perTime = times.map((t) => {
    if (!(t > 0 && t <= sde.T)) throw new Error(`sdeFisherDivergence: times must be in (0, T], got ${t}`);
    const { mean, std } = sde.marginal(t);
    const rowErrors = tf.tidy(() => {
      const xt = tf.add(tf.mul(x0, mean), tf.mul(rng.normalTensor([n, d]), std)) as tf.Tensor2D;
      const tt = tf.fill([n], t) as tf.Tensor1D;
      return tf.sum(tf.square(tf.sub(model(xt, tt), exact(xt, tt))), 1);
    });
    const values = rowErrors.dataSync();
    rowErrors.dispose();
    let total = 0;
    for (const v of values) total += v;
    return (0.5 * total) / n;
  });
  const lambda = (t: number) => (weighting === 'sigma2' ? sde.marginal(t).std ** 2 : sde.diffusion(t) ** 2);
  const weighted = perTime.reduce((acc, f, k) => acc + lambda(times[k]) * f, 0) / times.length;
  return { times, perTime, weighted };
}
