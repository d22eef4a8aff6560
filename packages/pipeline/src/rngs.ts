import { Rng } from '@scorelab/core';

/** One random stream per purpose, so that e.g. changing eval.every does not change the training batches. */
export interface RunRngs {
  init: Rng;
  data: Rng;
  loss: Rng;
  eval: Rng;
  sample: Rng;
  metrics: Rng;
  /** Held-out data and Hutchinson probes of the nll metric (split last, so the streams above are unchanged by it). */
  likelihood: Rng;
}

/** The streams of a run with this seed, split from one root in a fixed order. */
export function runRngs(seed: number): RunRngs {
  const root = new Rng(seed);
  const init = root.split();
  const data = root.split();
  const loss = root.split();
  const evalRng = root.split();
  const sample = root.split();
  const metrics = root.split();
  return { init, data, loss, eval: evalRng, sample, metrics, likelihood: root.split() };
}
