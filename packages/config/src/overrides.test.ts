import { describe, expect, it } from 'vitest';
import { applyOverrides, ConfigError, expandSweep, parseExperiment } from './index';

const FILE = `name: o
base:
  dataset: { kind: mog2d-weighted }
  model: { kind: mlp, hidden: [16] }
  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }
  loss: { kind: dsm }
  train: { steps: 50 }
  sampler: { kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: 200, init: { kind: uniform, low: -8, high: 8 } }
  eval: { every: 25, metrics: [fisher, mmd] }
parameters:
  loss.kind: [dsm, ssm-vr]
  sampler.stepSize: [0.05, 0.1]
seeds: [0, 1]
`;

function overrideError(overrides: string[]): string {
  try {
    applyOverrides(parseExperiment(FILE, 'o.yaml'), overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('applyOverrides', () => {
  it('parses values as YAML: numbers, strings, booleans, flow lists and maps', () => {
    const exp = applyOverrides(parseExperiment(FILE, 'o.yaml'), [
      'train.lr=1e-2',
      'model.activation=swish',
      'sampler.denoise=true',
      'model.hidden=[32, 32]',
      'sampler.init={ kind: gaussian, std: 5 }',
      'noise.sigmaMax = 10',
    ]);
    const [run] = expandSweep(exp);
    expect(run.config.train?.lr).toBe(0.01);
    expect(run.config.model).toEqual({ kind: 'mlp', hidden: [32, 32], activation: 'swish', conditioning: 'embed' });
    expect(run.config.sampler).toMatchObject({ denoise: true, init: { kind: 'gaussian', std: 5 } });
    expect(run.config.noise).toEqual({ schedule: 'geometric', sigmaMax: 10, sigmaMin: 1, levels: 3 });
  });

  it('applies overrides together, so their order does not matter', () => {
    const exp = parseExperiment(FILE, 'o.yaml');
    for (const overrides of [
      ['train.steps=10', 'eval.every=5'],
      ['eval.every=5', 'train.steps=10'],
    ]) {
      const [run] = expandSweep(applyOverrides(exp, overrides));
      expect([run.config.train?.steps, run.config.eval?.every]).toEqual([10, 5]);
    }
  });

  it('pins a swept parameter and leaves the others swept', () => {
    const original = parseExperiment(FILE, 'o.yaml');
    const exp = applyOverrides(original, ['loss.kind=sm']);
    expect(exp.parameters).toEqual({ 'sampler.stepSize': [0.05, 0.1] });
    const runs = expandSweep(exp);
    expect(runs.map((r) => [r.config.loss?.kind, (r.config.sampler as { stepSize?: number } | undefined)?.stepSize, r.seed])).toEqual([
      ['sm', 0.05, 0],
      ['sm', 0.05, 1],
      ['sm', 0.1, 0],
      ['sm', 0.1, 1],
    ]);
    // The input is not modified.
    expect(original.parameters['loss.kind']).toEqual(['dsm', 'ssm-vr']);
    expect(original.base.loss).toEqual({ kind: 'dsm' });
    // Setting a whole section pins parameters inside it.
    expect(applyOverrides(original, ['sampler={ kind: langevin, stepSize: 0.01, steps: 5, samples: 10, init: { kind: gaussian, std: 1 } }', 'noise.levels=1']).parameters).toEqual({
      'loss.kind': ['dsm', 'ssm-vr'],
    });
  });

  it('keeps a string that looks like a number when quoted', () => {
    expect(overrideError(['sampler.stepSize="0.5"'])).toBe('--set sampler.stepSize: expected number, received string');
  });

  it.each([
    [['sampler.stepSize=fast'], '--set sampler.stepSize: expected number, received string'],
    [['sampler.stepsize=1'], '--set sampler.stepsize: no such path in base: sampler has no key "stepsize" (did you mean "stepSize"?)'],
    [['loss.kind'], '--set loss.kind: expected path=value'],
    [['=3'], '--set : expected path=value'],
    [['loss.kind='], '--set loss.kind: missing value after ='],
    [['noise.levels=1'], '--set noise.levels: sampler.kind: ald needs noise with more than one level (without noise, or with levels: 1, use langevin)'],
    [['sampler.init={ kind: uniform, low: a, high: 1 }'], '--set sampler.init.low: expected number, received string'],
    [['model.hidden=[8, 0]'], '--set model.hidden[1]: must be >= 1'],
    [['model.hidden=[8'], '--set model.hidden: cannot parse value: Flow sequence must end with a ]'],
    [['train.steps=10', 'eval.every=30'], '--set eval.every: must be at most train.steps (10), got 30'],
    [['train.steps=10', 'noise.levels=1'], '--set train.steps, noise.levels: sampler.kind: ald needs noise with more than one level (without noise, or with levels: 1, use langevin)\n--set train.steps, noise.levels: eval.every: must be at most train.steps (10), got 25'],
  ])('%j -> %s', (overrides, expected) => {
    expect(overrideError(overrides)).toBe(expected);
  });

  it('refuses to set a key inside a section the sweep replaces as a whole', () => {
    const exp = parseExperiment(FILE.replace('  sampler.stepSize: [0.05, 0.1]', '  model: [{ kind: mlp, hidden: [8] }, { kind: analytic }]'), 'o.yaml');
    expect(() => applyOverrides(exp, ['model.hidden=[4]'])).toThrow('--set model.hidden: parameter model sweeps this section as a whole; set model instead');
  });
});
