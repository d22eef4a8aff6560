import { describe, expect, it } from 'vitest';
import { parameterValueLabel } from './value-label';

describe('parameterValueLabel', () => {
  it('labels scalars as written and sections by kind and scalar fields', () => {
    expect(parameterValueLabel('dsm')).toBe('dsm');
    expect(parameterValueLabel(0.1)).toBe('0.1');
    expect(parameterValueLabel(true)).toBe('true');
    expect(parameterValueLabel([128, 128])).toBe('[128,128]');
    expect(parameterValueLabel({ kind: 've', sigmaMin: 0.01, sigmaMax: 100 })).toBe('ve (sigmaMin=0.01, sigmaMax=100)');
    expect(parameterValueLabel({ kind: 'ode', method: 'rk45', samples: 1000 })).toBe('ode (method=rk45)');
    expect(parameterValueLabel({ kind: 'ald', stepSize: 0.1, init: { kind: 'uniform', low: -8, high: 8 } })).toBe('ald (stepSize=0.1)');
    expect(parameterValueLabel({ schedule: 'geometric', levels: 10 })).toBe('schedule=geometric, levels=10');
  });
});
