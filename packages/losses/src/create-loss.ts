import type { LossSpec } from '@scorelab/config';
import type { NoiseFamily } from '@scorelab/core';
import { denoisingScoreMatching } from './denoising-score-matching';
import { scoreMatching } from './score-matching';
import { slicedScoreMatching } from './sliced-score-matching';
import type { JacobianMode, ScoreLoss } from './types';

export type LossKind = LossSpec['kind'];

/**
 * The loss of an experiment's `loss` section under its noise family: noise levels (annealed, NCSN),
 * an sde (continuous time, score_sde) or clean (single-scale: sm and ssm train on the data itself
 * with the score called without a condition; dsm needs noise). `jacobian` picks how sm and ssm get
 * their Jacobian terms (default auto: forward tangents when the score has them); dsm needs none.
 * Maximum likelihood (`ml`) trains an energy, not a score: it is ContrastiveDivergence (contrastive-divergence.ts).
 */
export function createLoss(spec: LossSpec, family: NoiseFamily, jacobian: JacobianMode = 'auto'): ScoreLoss {
  const { weighting } = spec;
  switch (spec.kind) {
    case 'sm':
      return scoreMatching({ family, weighting, jacobian });
    case 'ssm':
    case 'ssm-vr':
      return slicedScoreMatching({ variant: spec.kind, projection: spec.projection, projections: spec.projections, family, weighting, jacobian });
    case 'dsm':
      return denoisingScoreMatching({ family, weighting });
    case 'ml':
      throw new Error('loss ml is not a score loss: it needs the energy E itself and its negatives (ContrastiveDivergence, for model.kind energy)');
  }
}
