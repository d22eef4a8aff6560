import { describe, expect, it } from 'vitest';
import { METRIC, referenceKey } from './metric-names';

describe('referenceKey: the ref/ floor beside a sample metric', () => {
  it('maps every sample metric to its ref/ key, and nothing else', () => {
    expect([METRIC.mmd, METRIC.swd, METRIC.modeWeightTv, METRIC.modeWeight(3)].map(referenceKey)).toEqual([METRIC.refMmd, METRIC.refSwd, METRIC.refModeWeightTv, METRIC.refModeWeight(3)]);
    // The p-value has no floor (it is uniform under the null); non-sample keys and ref/ keys have none.
    expect([METRIC.mmdP, METRIC.fisher, METRIC.nll, METRIC.refMmd, 'samples/mmd'].map(referenceKey)).toEqual([null, null, null, null, null]);
  });
});
