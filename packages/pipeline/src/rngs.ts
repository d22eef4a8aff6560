import { Rng, type RngState } from '@scorelab/core';

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
  /** The data points that measure the data's bounding box for divergence checks and advice (split after likelihood, so no stream above changes). */
  range: Rng;
  /** Reference data for the ref/ noise floors and the permutations of sample/mmd_p (split after range, so no stream above changes). */
  reference: Rng;
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
  const likelihood = root.split();
  const range = root.split();
  return { init, data, loss, eval: evalRng, sample, metrics, likelihood, range, reference: root.split() };
}

/** The streams of a checkpoint, by name in sorted order (a stream added later makes older checkpoints refuse to restore, not misread). */
export function rngOrder(rngs: RunRngs): (keyof RunRngs)[] {
  return (Object.keys(rngs) as (keyof RunRngs)[]).sort();
}

/** The position of every stream, in rngOrder. */
export function rngStates(rngs: RunRngs): RngState[] {
  return rngOrder(rngs).map((k) => rngs[k].state());
}

/** Put every stream where rngStates found it. */
export function restoreRngs(rngs: RunRngs, states: readonly RngState[]): void {
  const order = rngOrder(rngs);
  if (states.length !== order.length) throw new Error(`the checkpoint has ${states.length} random streams, this build's runs have ${order.length} (${order.join(', ')}): it was written by another scorelab version`);
  order.forEach((k, i) => rngs[k].restore(states[i]));
}

/**
 * The stream of the held-out losses (eval/dsm, eval/ssm: their held-out set and noise, drawn once per run): the
 * root's split after `reference`, made on its own and not a member of RunRngs, so that no stream of a run and no
 * checkpoint's list of streams changes when a run lists these metrics.
 */
export function heldOutRng(seed: number): Rng {
  const root = new Rng(seed);
  const streams = Object.keys(runRngs(seed)).length;
  for (let i = 0; i < streams; i++) root.split();
  return root.split();
}
