import type { Projection } from '@scorelab/core';
import { denoisingScoreMatching } from './denoising-score-matching';
import { scoreMatching } from './score-matching';
import { slicedScoreMatching } from './sliced-score-matching';
import type { JacobianMode, ScoreLoss, Weighting } from './types';

interface LossCommon {
  weighting?: Weighting;
  /** Ignored by dsm, which needs no Jacobian. */
  jacobian?: JacobianMode;
}

/** The `loss` section of an experiment file (DESIGN.md section 3). */
export type LossSpec = ({ kind: 'sm' } | { kind: 'ssm' | 'ssm-vr'; projection?: Projection; projections?: number } | { kind: 'dsm' }) & LossCommon;

export type LossKind = LossSpec['kind'];

/**
 * The loss of an experiment. sigmas: the noise schedule (largest first, as scheduleSigmas gives
 * it; the order does not matter) or null for a single-scale, unconditional model, which sm and
 * ssm train on clean data with the score called without sigma. dsm needs at least one level.
 */
export function createLoss(spec: LossSpec, sigmas: number[] | null): ScoreLoss {
  const levels = sigmas ?? undefined;
  switch (spec.kind) {
    case 'sm':
      return scoreMatching({ sigmas: levels, weighting: spec.weighting, jacobian: spec.jacobian });
    case 'ssm':
    case 'ssm-vr':
      return slicedScoreMatching({
        variant: spec.kind,
        projection: spec.projection,
        projections: spec.projections,
        sigmas: levels,
        weighting: spec.weighting,
        jacobian: spec.jacobian,
      });
    case 'dsm':
      if (sigmas === null || sigmas.length === 0) throw new Error('loss dsm needs noise levels (a noise schedule with at least one level)');
      return denoisingScoreMatching({ sigmas, weighting: spec.weighting });
    default: {
      const never: never = spec;
      throw new Error(`unknown loss kind ${(never as { kind: string }).kind}`);
    }
  }
}
