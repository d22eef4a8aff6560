import type { SdeSpec } from '@scorelab/config';
import type { Sde } from './sde';
import { subVpSde } from './subvp-sde';
import { veSde } from './ve-sde';
import { vpSde } from './vp-sde';

/** The SDE of an experiment file's `sde` section (DESIGN.md section 3); `eps` is its sampling eps, `trainEps` its training and likelihood eps. */
export function sdeFromSpec(spec: SdeSpec): Sde {
  switch (spec.kind) {
    case 've':
      return veSde({ sigmaMin: spec.sigmaMin, sigmaMax: spec.sigmaMax, eps: spec.eps, trainEps: spec.trainEps });
    case 'vp':
      return vpSde({ betaMin: spec.betaMin, betaMax: spec.betaMax, eps: spec.eps, trainEps: spec.trainEps });
    case 'subvp':
      return subVpSde({ betaMin: spec.betaMin, betaMax: spec.betaMax, eps: spec.eps, trainEps: spec.trainEps });
  }
}
