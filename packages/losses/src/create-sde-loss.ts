import type { Projection, Sde } from '@scorelab/core';
import { sdeDenoisingScoreMatching } from './sde-denoising-score-matching';
import type { SdeScoreLoss, SdeWeighting } from './sde-perturb';
import { sdeSlicedScoreMatching } from './sde-sliced-score-matching';
import type { JacobianMode } from './types';

/** The `loss` section of an experiment file with an `sde` section: dsm, ssm or ssm-vr in continuous time. */
export type SdeLossSpec = ({ kind: 'dsm' } | { kind: 'ssm' | 'ssm-vr'; projection?: Projection; projections?: number; jacobian?: JacobianMode }) & {
  weighting?: SdeWeighting;
  eps?: number;
};

export function createSdeLoss(spec: SdeLossSpec, sde: Sde): SdeScoreLoss {
  switch (spec.kind) {
    case 'dsm':
      return sdeDenoisingScoreMatching({ sde, weighting: spec.weighting, eps: spec.eps });
    case 'ssm':
    case 'ssm-vr':
      return sdeSlicedScoreMatching({
        sde,
        variant: spec.kind,
        projection: spec.projection,
        projections: spec.projections,
        weighting: spec.weighting,
        eps: spec.eps,
        jacobian: spec.jacobian,
      });
  }
}
