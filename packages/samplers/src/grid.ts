import type { Sde } from '@scorelab/core';
import type { ChainPosition } from './sampler';

/** A point of a noise-level grid: level i and its sigma_i (undefined: an unconditional score). */
export interface LevelPoint {
  readonly level: number;
  readonly sigma: number | undefined;
}

/** A point of an SDE time grid: the time t_i the score is evaluated at and the step h = t_i - t_{i+1} to the next. */
export interface TimePoint {
  readonly t: number;
  readonly h: number;
}

/**
 * The grid a predictor-corrector sampler walks: its points in order and where a chain is after each
 * (a predictor moves the chain to the next point's coordinate; a corrector leaves it where it is).
 */
export interface SamplerGrid<P> {
  readonly length: number;
  /** Point i, 0 <= i < length. */
  point(i: number): P;
  /** Where the chain is after `init`. */
  readonly start: ChainPosition;
  /** Where the chain is after the updates at point i. */
  after(i: number): ChainPosition;
}

/** Noise levels sigma_1 > ... > sigma_L (largest first): the discretised VE SDE that NCSN anneals over. */
export function levelGrid(sigmas: readonly number[]): SamplerGrid<LevelPoint> {
  const points = sigmas.map((sigma, level) => ({ level, sigma }));
  return {
    length: points.length,
    point: (i) => points[i],
    start: {},
    after: (i) => ({ level: i, sigma: sigmas[i] }),
  };
}

/** One level: plain Langevin at a fixed sigma, or (sigma undefined) on an unconditional score. */
export function singleLevelGrid(sigma: number | undefined): SamplerGrid<LevelPoint> {
  const point = { level: 0, sigma };
  const position = sigma === undefined ? {} : { sigma };
  return { length: 1, point: () => point, start: {}, after: () => position };
}

/**
 * The uniform time grid t_i = T - i h, h = (T - eps) / steps, i = 0..steps (score_sde's
 * linspace(T, eps, steps)): point i evaluates the score at t_i and a predictor lands on t_{i+1};
 * the last one lands exactly on eps.
 */
export function timeGrid(sde: Sde, steps: number, eps: number): SamplerGrid<TimePoint> {
  const h = (sde.T - eps) / steps;
  const timeAt = (i: number) => (i === steps ? eps : sde.T - i * h);
  return {
    length: steps,
    point: (i) => ({ t: timeAt(i), h }),
    start: { t: sde.T },
    after: (i) => ({ t: timeAt(i + 1) }),
  };
}
