import type { Sampler } from './sampler';

/** How many snapshots a plain Langevin trajectory holds besides the initial samples. */
export const LANGEVIN_SNAPSHOTS = 10;

/** 0 and about `count` step counts evenly spaced up to `steps` (every step if there are fewer). */
export function evenlySpacedSteps(steps: number, count: number): number[] {
  const out = new Set<number>([0]);
  for (let j = 1; j <= count; j++) out.add(Math.round((j * steps) / count));
  return [...out].sort((a, b) => a - b);
}

/** Snapshots at the given step counts (0 = the initial samples): plain Langevin's evenly spaced ones. */
export function snapshotAtSteps(steps: readonly number[]): Sampler['isSnapshot'] {
  const at = new Set(steps);
  return (state) => at.has(state.step);
}

/** The initial samples and every `every` steps: ald's samples after each level (every = stepsPerLevel). */
export function snapshotEvery(every: number): Sampler['isSnapshot'] {
  return (state) => state.step % every === 0;
}

/**
 * SDE samplers: x_T, then the first state past each tenth of [eps, T] (the last state, at eps, is past
 * the tenth one). A state is kept when its tenth, floor(10 (T - t) / (T - eps)), exceeds its predecessor's;
 * t only decreases, so that is the first state in a new tenth.
 */
export function snapshotTimeTenths(T: number, eps: number): Sampler['isSnapshot'] {
  const span = T - eps;
  // 1e-9 absorbs the round-off of grid times that sit on a tenth.
  const tenth = (t: number | undefined) => (t === undefined ? -1 : Math.min(10, Math.floor((10 * (T - t)) / span + 1e-9)));
  return (state, previous) => tenth(state.position.t) > (previous === undefined ? -1 : tenth(previous.position.t));
}
