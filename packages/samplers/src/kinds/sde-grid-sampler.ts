import * as tf from '@tensorflow/tfjs';
import type { Sde } from '@scorelab/core';
import { checkSteps } from '../checks';
import { type TimePoint, timeGrid } from '../grid';
import { predictorCorrectorSampler } from '../predictor-corrector';
import type { Sampler, SamplerKind } from '../sampler';
import { snapshotTimeTenths } from '../snapshots';
import { tweedieDenoise } from '../tweedie';
import type { GridUpdate } from '../update';

/** The options every SDE sampler takes. */
export interface SdeSamplerOptions {
  sde: Sde;
  /** Final time (default sde.eps). */
  eps?: number;
  /** Tweedie denoising at eps (default false). */
  denoise?: boolean;
}

/**
 * The last step of an SDE sampler: x itself, or with `denoise` E[x_0 | x_t] = (x + s(t)^2 score(x, t)) / m(t)
 * at the chain's time t (one more score call).
 */
export function sdeFinish(sde: Sde, denoise: boolean): Sampler['finish'] {
  return (state, score) => {
    if (!denoise) return tf.clone(state.x);
    const { t } = state.position;
    if (t === undefined) throw new Error('an SDE sampler state has no time');
    return tweedieDenoise(state.x, score, t, sde.marginal(t));
  };
}

/**
 * A predictor-corrector sampler on the uniform time grid T -> eps (`timeGrid`); one step per grid point.
 * Snapshots: x_T, then the first state past each tenth of [eps, T].
 */
export function sdeGridSampler(
  kind: SamplerKind,
  sde: Sde,
  steps: number,
  eps: number,
  denoise: boolean,
  predictor: GridUpdate<TimePoint>,
  corrector: { update: GridUpdate<TimePoint>; steps: number } | null = null,
): Sampler {
  checkSteps(steps, `${kind}: steps`);
  return predictorCorrectorSampler({
    kind,
    grid: timeGrid(sde, steps, eps),
    predictor,
    corrector: corrector?.update ?? null,
    correctorSteps: corrector?.steps ?? 0,
    finish: sdeFinish(sde, denoise),
    isSnapshot: snapshotTimeTenths(sde.T, eps),
  });
}
