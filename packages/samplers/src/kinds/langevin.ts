import * as tf from '@tensorflow/tfjs';
import { checkStepSize, checkSteps } from '../checks';
import { type LangevinConvention, langevinCorrector } from '../correctors/langevin-corrector';
import { singleLevelGrid } from '../grid';
import { predictorCorrectorSampler } from '../predictor-corrector';
import type { Sampler } from '../sampler';
import { LANGEVIN_SNAPSHOTS, evenlySpacedSteps, snapshotAtSteps } from '../snapshots';

export interface LangevinOptions {
  /** a: the constant step size. */
  stepSize: number;
  steps: number;
  convention?: LangevinConvention;
  /** If given, the score is called with this sigma for every row; otherwise without a condition. */
  sigma?: number;
}

/**
 * Unadjusted Langevin dynamics with a constant step size a (kind `langevin`): the Langevin corrector
 * at one level, `steps` times, no predictor.
 * `half`: x_{k+1} = x_k + (a/2) s(x_k) + sqrt(a) z_k,  `full`: x_{k+1} = x_k + a s(x_k) + sqrt(2a) z_k.
 * One step per Langevin step; NFE = steps. Snapshots: the initial samples and ~10 evenly spaced states.
 */
export function langevin(opts: LangevinOptions): Sampler {
  const { stepSize, steps, sigma } = opts;
  checkStepSize(stepSize);
  checkSteps(steps, 'steps');
  if (sigma !== undefined && !(sigma > 0)) throw new Error(`langevin: sigma must be > 0, got ${sigma}`);
  return predictorCorrectorSampler({
    kind: 'langevin',
    grid: singleLevelGrid(sigma),
    predictor: null,
    corrector: langevinCorrector([stepSize], opts.convention ?? 'half'),
    correctorSteps: steps,
    finish: (state) => tf.clone(state.x),
    isSnapshot: snapshotAtSteps(evenlySpacedSteps(steps, LANGEVIN_SNAPSHOTS)),
  });
}
