import type { Sde } from './sde';
import { subVpSde } from './subvp-sde';
import { veSde } from './ve-sde';
import { vpSde } from './vp-sde';

/** The `sde` section of an experiment file (DESIGN.md section 3); `eps` overrides the SDE's default smallest time. */
export type SdeSpec =
  | { kind: 've'; sigmaMin: number; sigmaMax: number; eps?: number }
  | { kind: 'vp'; betaMin: number; betaMax: number; eps?: number }
  | { kind: 'subvp'; betaMin: number; betaMax: number; eps?: number };

export function sdeFromSpec(spec: SdeSpec): Sde {
  switch (spec.kind) {
    case 've':
      return veSde({ sigmaMin: spec.sigmaMin, sigmaMax: spec.sigmaMax, ...(spec.eps === undefined ? {} : { eps: spec.eps }) });
    case 'vp':
      return vpSde({ betaMin: spec.betaMin, betaMax: spec.betaMax, ...(spec.eps === undefined ? {} : { eps: spec.eps }) });
    case 'subvp':
      return subVpSde({ betaMin: spec.betaMin, betaMax: spec.betaMax, ...(spec.eps === undefined ? {} : { eps: spec.eps }) });
  }
}
