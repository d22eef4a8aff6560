import { describe, expect, it } from 'vitest';
import { ConfigError, type ExperimentFile, expandSweep, parseExperiment, validateExperiment } from './index';

const BASE = `name: order
base:
  dataset: { kind: mog2d-weighted }
  model: { kind: mlp, hidden: [16] }
  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }
  loss: { kind: dsm }
  train: { steps: 50 }
  sampler: { kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: 200, init: { kind: uniform, low: -8, high: 8 } }
  eval: { every: 25, metrics: [fisher, mmd] }
`;

describe('expandSweep: grid', () => {
  it('is the cartesian product in written order (last parameter fastest), seeds innermost', () => {
    const exp = parseExperiment(`${BASE}parameters:\n  loss.kind: [sm, ssm-vr, dsm]\n  sampler.stepSize: [0.01, 0.1, 1.0]\nseeds: [0, 1, 2]\n`, 'e.yaml');
    const runs = expandSweep(exp);
    const expected: [string, number, number][] = [];
    for (const kind of ['sm', 'ssm-vr', 'dsm']) for (const stepSize of [0.01, 0.1, 1]) for (const seed of [0, 1, 2]) expected.push([kind, stepSize, seed]);
    expect(runs.map((r) => [r.params['loss.kind'], r.params['sampler.stepSize'], r.seed])).toEqual(expected);
    expect(runs.map((r) => r.index)).toEqual(expected.map((_, i) => i));
    expect(runs.every((r) => r.sweep === 'order')).toBe(true);
    // The swept values land in the resolved config, and nothing else changes.
    for (const r of runs) {
      expect(r.config.loss?.kind).toBe(r.params['loss.kind']);
      expect((r.config.sampler as { stepSize?: number } | undefined)?.stepSize).toBe(r.params['sampler.stepSize']);
      expect(r.config.train).toEqual({ steps: 50, batchSize: 128, optimizer: 'adam', lr: 0.001, logEvery: 50 });
    }
  });

  it('follows the order parameters are written in, not alphabetical order', () => {
    const exp = parseExperiment(`${BASE}parameters:\n  sampler.stepSize: [0.5, 0.2]\n  loss.kind: [ssm, dsm]\n`, 'e.yaml');
    expect(expandSweep(exp).map((r) => r.params)).toEqual([
      { 'sampler.stepSize': 0.5, 'loss.kind': 'ssm' },
      { 'sampler.stepSize': 0.5, 'loss.kind': 'dsm' },
      { 'sampler.stepSize': 0.2, 'loss.kind': 'ssm' },
      { 'sampler.stepSize': 0.2, 'loss.kind': 'dsm' },
    ]);
  });

  it('without parameters gives one run per seed', () => {
    const runs = expandSweep(parseExperiment(`${BASE}seeds: [7, 3]\n`, 'e.yaml'));
    expect(runs.map((r) => [r.params, r.seed])).toEqual([
      [{}, 7],
      [{}, 3],
    ]);
    expect(runs[0].hash).not.toBe(runs[1].hash);
    expect(runs[0].config).toEqual(runs[1].config);
  });

  it('swaps whole sections and fills each variant’s defaults after applying parameters', () => {
    const exp = parseExperiment(`${BASE}parameters:\n  model: [{ kind: mlp, hidden: [8] }, { kind: analytic }]\n  noise.levels: [2, 4]\n`, 'e.yaml');
    const runs = expandSweep(exp);
    expect(runs.map((r) => r.config.model)).toEqual([
      { kind: 'mlp', hidden: [8], activation: 'softplus', conditioning: 'embed' },
      { kind: 'mlp', hidden: [8], activation: 'softplus', conditioning: 'embed' },
      { kind: 'analytic' },
      { kind: 'analytic' },
    ]);
    expect(runs.map((r) => r.config.noise)).toEqual([2, 4, 2, 4].map((levels) => ({ schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels })));
  });

  it('gives every run its own config object', () => {
    const runs = expandSweep(parseExperiment(`${BASE}seeds: [0, 1]\n`, 'e.yaml'));
    (runs[0].config.model as { hidden: number[] }).hidden.push(99);
    expect(runs[1].config.model).toEqual({ kind: 'mlp', hidden: [16], activation: 'softplus', conditioning: 'embed' });
  });

  it('throws ConfigError for an experiment built in code whose combination is invalid', () => {
    const exp = parseExperiment(BASE, 'e.yaml');
    const bad: ExperimentFile = { ...exp, parameters: { 'sampler.stepSize': [0.1, -1] } };
    expect(() => expandSweep(bad)).toThrow(ConfigError);
    expect(() => expandSweep(bad)).toThrow('parameters: the combination sampler.stepSize=-1 is invalid: sampler.stepSize: must be > 0');
  });
});

describe('expandSweep: random', () => {
  const random = (extra: string, trials = 50) =>
    parseExperiment(
      `${BASE}method: random\ntrials: ${trials}\n${extra}parameters:\n  sampler.stepSize: { distribution: log-uniform, low: 0.001, high: 10 }\n  train.lr: { distribution: uniform, low: 0.0001, high: 0.01 }\n  loss.kind: [sm, ssm-vr, dsm]\n`,
      'e.yaml',
    );

  it('is reproducible, depends on searchSeed, and repeats every draw for each seed', () => {
    const a = expandSweep(random(''));
    const b = expandSweep(random(''));
    expect(a.map((r) => r.params)).toEqual(b.map((r) => r.params));
    expect(a.map((r) => r.hash)).toEqual(b.map((r) => r.hash));
    const c = expandSweep(random('searchSeed: 1\n'));
    expect(c.map((r) => r.params)).not.toEqual(a.map((r) => r.params));
    const seeded = expandSweep(
      parseExperiment(`${BASE}method: random\ntrials: 3\nseeds: [0, 1]\nparameters:\n  sampler.stepSize: { distribution: uniform, low: 0.01, high: 1 }\n`, 'e.yaml'),
    );
    expect(seeded.map((r) => r.seed)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(seeded[0].params).toEqual(seeded[1].params);
    expect(seeded[2].params).not.toEqual(seeded[0].params);
  });

  it('draws from the stated distributions', () => {
    const runs = expandSweep(random('', 2000));
    const n = runs.length;
    expect(n).toBe(2000);
    const step = runs.map((r) => r.params['sampler.stepSize'] as number);
    const lr = runs.map((r) => r.params['train.lr'] as number);
    expect(Math.min(...step)).toBeGreaterThanOrEqual(0.001);
    expect(Math.max(...step)).toBeLessThan(10);
    expect(Math.min(...lr)).toBeGreaterThanOrEqual(0.0001);
    expect(Math.max(...lr)).toBeLessThan(0.01);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    // log10(stepSize) ~ U(-3, 1): mean -1, standard error 4 / sqrt(12 n) = 0.026; allow ~5 standard errors.
    expect(Math.abs(mean(step.map(Math.log10)) + 1)).toBeLessThan(0.13);
    // lr ~ U(1e-4, 1e-2): mean 5.05e-3, standard error 9.9e-3 / sqrt(12 n) = 6.4e-5.
    expect(Math.abs(mean(lr) - 5.05e-3)).toBeLessThan(3.2e-4);
    // Each choice has probability 1/3; standard error sqrt(2/9 / n) = 0.0105.
    for (const kind of ['sm', 'ssm-vr', 'dsm']) {
      const share = runs.filter((r) => r.params['loss.kind'] === kind).length / n;
      expect(Math.abs(share - 1 / 3)).toBeLessThan(0.053);
    }
    // Draws of different parameters are not correlated (sample correlation ~ N(0, 1/n): sd 0.022).
    const u = step.map(Math.log10);
    const mu = mean(u);
    const ml = mean(lr);
    const cov = mean(u.map((x, i) => (x - mu) * (lr[i] - ml)));
    const corr = cov / Math.sqrt(mean(u.map((x) => (x - mu) ** 2)) * mean(lr.map((x) => (x - ml) ** 2)));
    expect(Math.abs(corr)).toBeLessThan(0.11);
  });

  it('validates programmatic experiments the same way', () => {
    expect(() => validateExperiment({ name: 'r', base: parseExperiment(BASE, 'e.yaml').base, method: 'random', parameters: { 'loss.kind': ['sm'] } })).toThrow(
      'trials: required when method is random',
    );
  });
});
