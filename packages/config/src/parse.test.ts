import { describe, expect, it } from 'vitest';
import { ConfigError, expandSweep, parseExperiment, parseSweep, resolveRunConfig, validateExperiment } from './index';

/** The example of DESIGN.md section 3, verbatim. */
const DESIGN_EXAMPLE = `name: sm-ssm-dsm-ablation
description: Which objective learns the two-mode mixture best?
base:
  dataset: { kind: mog2d-weighted }           # 0.2 N((-5,-5), I) + 0.8 N((5,5), I)
  model:   { kind: mlp, hidden: [128, 128], activation: softplus, conditioning: embed }
  noise:   { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 10 }
  loss:    { kind: dsm }                      # sm | ssm | ssm-vr | dsm
  train:   { steps: 3000, batchSize: 128, optimizer: adam, lr: 0.001 }
  sampler: { kind: ald, stepSize: 0.1, stepsPerLevel: 100, samples: 1280,
             init: { kind: uniform, low: -8, high: 8 }, denoise: false }
  eval:    { every: 500, metrics: [fisher, mmd, swd, modeWeights] }
method: grid                                   # grid | random (random takes \`trials: N\`)
parameters:                                    # dotted path -> values to sweep
  loss.kind: [sm, ssm-vr, dsm]
  sampler.stepSize: [0.01, 0.1, 1.0]
seeds: [0, 1, 2]
`;

/** A small valid file; the bad cases below each change one thing (line numbers refer to this text). */
const BASE = `name: t
base:
  dataset: { kind: mog2d-weighted }
  model: { kind: mlp, hidden: [16] }
  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }
  loss: { kind: dsm }
  train: { steps: 50 }
  sampler:
    kind: ald
    stepSize: 0.1
    stepsPerLevel: 10
    samples: 200
    init: { kind: uniform, low: -8, high: 8 }
  eval: { every: 25, metrics: [fisher, mmd] }
parameters:
  loss.kind: [dsm, ssm-vr]
seeds: [0, 1]
`;

function edit(from: string | RegExp, to: string, text = BASE): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`test setup: ${from} not found`);
  return out;
}

/** The error text parseExperiment throws for `text`, one issue per line. */
function errorOf(text: string, fileName = 'e.yaml'): string {
  try {
    parseExperiment(text, fileName);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseExperiment: good files', () => {
  it('accepts the DESIGN.md example and keeps the base as written', () => {
    const exp = parseExperiment(DESIGN_EXAMPLE, 'ablation.yaml');
    expect(exp.name).toBe('sm-ssm-dsm-ablation');
    expect(exp.description).toBe('Which objective learns the two-mode mixture best?');
    expect(exp.method).toBe('grid');
    expect(exp.seeds).toEqual([0, 1, 2]);
    expect(exp.searchSeed).toBe(0);
    expect(Object.keys(exp.parameters)).toEqual(['loss.kind', 'sampler.stepSize']);
    expect(exp.parameters['sampler.stepSize']).toEqual([0.01, 0.1, 1]);
    // Not resolved: defaults are filled per run, after parameters are applied.
    expect(exp.base.loss).toEqual({ kind: 'dsm' });
  });

  it('fills every default when resolving a run config', () => {
    const config = resolveRunConfig({
      dataset: { kind: 'moons' },
      model: { kind: 'mlp' },
      loss: { kind: 'ssm' },
      train: { steps: 100 },
      sampler: { kind: 'langevin', stepSize: 0.01, steps: 10, samples: 5, init: { kind: 'gaussian', std: 1 } },
      eval: { metrics: ['fisher', 'swd'] },
    });
    expect(config).toEqual({
      dataset: { kind: 'moons', scale: 1 },
      model: { kind: 'mlp', hidden: [128, 128], activation: 'softplus', conditioning: 'embed' },
      loss: { kind: 'ssm', weighting: 'sigma2', projection: 'rademacher', projections: 1 },
      train: { steps: 100, batchSize: 128, optimizer: 'adam', lr: 0.001, logEvery: 50 },
      sampler: { kind: 'langevin', stepSize: 0.01, steps: 10, samples: 5, init: { kind: 'gaussian', std: 1 }, convention: 'half' },
      eval: { every: 100, metrics: ['fisher', 'swd'], samples: 1000 },
    });
  });

  it('fills dependent dataset defaults (gaussian mean, gmm weights and stds)', () => {
    const g = resolveRunConfig({ dataset: { kind: 'gaussian', dim: 3 }, model: { kind: 'analytic' } });
    expect(g.dataset).toEqual({ kind: 'gaussian', dim: 3, mean: [0, 0, 0], std: 1 });
    const m = resolveRunConfig({ dataset: { kind: 'gmm', means: [[0], [4]] }, model: { kind: 'analytic' } });
    expect(m.dataset).toEqual({ kind: 'gmm', means: [[0], [4]], stds: [1, 1], weights: [0.5, 0.5] });
    const c = resolveRunConfig({
      dataset: { kind: 'gmm', means: [[0, 0], [4, 4]], covariances: [[[1, 0.5], [0.5, 1]], [[2, 0], [0, 3]]], weights: [1, 3] },
      model: { kind: 'analytic' },
    });
    // weights are stored normalised by their sum
    expect(c.dataset).toEqual({ kind: 'gmm', means: [[0, 0], [4, 4]], covariances: [[[1, 0.5], [0.5, 1]], [[2, 0], [0, 3]]], weights: [0.25, 0.75] });
  });

  it('lets analytic models omit loss and train', () => {
    const exp = parseExperiment(
      `name: analytic-ald
base:
  dataset: { kind: 8gaussians, scale: 2 }
  model: { kind: analytic }
  noise: { schedule: custom, sigmas: [10, 3, 1, 0.3] }
  sampler: { kind: ald, stepSize: 0.05, stepsPerLevel: 20, samples: 100, init: { kind: gaussian, std: 10 }, denoise: true }
  eval: { metrics: [mmd, modeWeights] }
parameters:
  sampler.stepsPerLevel: [10, 100]
`,
      'analytic.yaml',
    );
    expect(exp.seeds).toEqual([0]);
    expect(exp.base.train).toBeUndefined();
  });

  it('reads JSON by extension, with positions in errors', () => {
    const json = JSON.stringify(
      {
        name: 'json-file',
        base: { dataset: { kind: 'gaussian', dim: 2, mean: [1, 2] }, model: { kind: 'analytic' }, sampler: { kind: 'langevin', stepSize: 0.1, steps: 10, samples: 10, init: { kind: 'uniform', low: -1, high: 1 } } },
        parameters: { 'sampler.steps': [10, 20] },
      },
      null,
      2,
    );
    expect(parseExperiment(json, 'e.json').parameters).toEqual({ 'sampler.steps': [10, 20] });
    expect(errorOf(json.replace('"steps": 10,', '"steps": "10",'), 'e.json')).toBe('e.json:18:16 base.sampler.steps: expected integer, received string');
    expect(errorOf('{ "name": "x", }', 'e.json')).toBe(`e.json:1:16 invalid JSON: Expected double-quoted property name`);
  });

  it('validates data built in code', () => {
    expect(() => validateExperiment({ name: 'Bad Name', base: {} })).toThrow(ConfigError);
    expect(validateExperiment(parseExperiment(BASE, 'e.yaml')).parameters).toEqual({ 'loss.kind': ['dsm', 'ssm-vr'] });
  });
});

describe('parseExperiment: bad files name the path, file, line and column', () => {
  it.each([
    ['unknown key', edit('    stepSize: 0.1\n', '    stepSize: 0.1\n    stepsize: 0.2\n'), 'e.yaml:11:5 base.sampler.stepsize: unknown key (did you mean "stepSize"?)'],
    ['unknown top-level key', `${BASE}seed: 3\n`, 'e.yaml:18:1 seed: unknown key (did you mean "seeds"?)'],
    ['unknown key without a near match', edit('train: { steps: 50 }', 'train: { steps: 50, warmup: 5 }'), 'e.yaml:7:23 base.train.warmup: unknown key (allowed: steps, batchSize, optimizer, lr, logEvery, checkpointEvery, keepCheckpoints, clipGradNorm)'],
    ['wrong type', edit('stepSize: 0.1', 'stepSize: fast'), 'e.yaml:10:15 base.sampler.stepSize: expected number, received string'],
    ['non-integer', edit('steps: 50', 'steps: 50.5'), 'e.yaml:7:19 base.train.steps: expected integer, received 50.5'],
    ['bad enum', edit('loss: { kind: dsm }', 'loss: { kind: dsm2 }'), 'e.yaml:6:17 base.loss.kind: expected one of sm | ssm | ssm-vr | dsm | ml, received "dsm2"'],
    ['bad discriminator', edit('kind: ald', 'kind: annealed'), 'e.yaml:9:11 base.sampler.kind: expected one of langevin | ald | euler-maruyama | reverse-diffusion | pc | ode, received "annealed"'],
    ['missing key', edit('loss: { kind: dsm }', 'loss: { weighting: none }'), 'e.yaml:6:3 base.loss.kind: required (expected one of sm | ssm | ssm-vr | dsm | ml)'],
    ['missing section', edit('  dataset: { kind: mog2d-weighted }\n', ''), 'e.yaml:2:1 base.dataset: required (expected object)'],
    ['section of the wrong type', edit(/ {2}sampler:\n( {4}.*\n)+/, '  sampler: ald\n'), 'e.yaml:8:12 base.sampler: expected object, received string'],
    ['sigmaMin >= sigmaMax', edit('sigmaMin: 1,', 'sigmaMin: 20,'), 'e.yaml:5:57 base.noise.sigmaMin: must be less than sigmaMax (20), got 20'],
    ['levels < 1', edit('levels: 3', 'levels: 0'), 'e.yaml:5:68 base.noise.levels: must be >= 1'],
    [
      'ald without noise',
      edit('  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }\n', '', edit('kind: dsm }', 'kind: ssm }')),
      'e.yaml:8:11 base.sampler.kind: ald needs noise with more than one level (without noise, or with levels: 1, use langevin)',
    ],
    ['ald with one level', edit('levels: 3', 'levels: 1'), 'e.yaml:9:11 base.sampler.kind: ald needs noise with more than one level (without noise, or with levels: 1, use langevin)'],
    ['dsm without noise', edit('  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }\n', '', edit('kind: ald', 'kind: langevin').replace('stepsPerLevel', 'steps')), 'e.yaml:5:17 base.loss.kind: dsm needs noise (use levels: 1 for a single sigma)'],
    ['mlp without train', edit('  train: { steps: 50 }\n', ''), 'e.yaml:2:1 base.train: required when model.kind is mlp (only analytic models skip training)'],
    ['eval.every > train.steps', edit('every: 25', 'every: 100'), 'e.yaml:14:18 base.eval.every: must be at most train.steps (50), got 100'],
    [
      'modeWeights on checkerboard',
      edit('[fisher, mmd]', '[fisher, modeWeights]', edit('kind: mog2d-weighted', 'kind: checkerboard')),
      'e.yaml:14:40 base.eval.metrics[1]: modeWeights needs a mixture dataset; checkerboard has no mixture components',
    ],
    ['custom sigmas not decreasing', edit('{ schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }', '{ schedule: custom, sigmas: [5, 1, 2] }'), 'e.yaml:5:45 base.noise.sigmas[2]: must be less than the previous level (1); list sigmas largest first'],
    ['init low >= high', edit('low: -8, high: 8', 'low: 8, high: -8'), 'e.yaml:13:42 base.sampler.init.high: must be greater than low (8), got -8'],
    ['bad name', edit('name: t', 'name: My Sweep'), 'e.yaml:1:7 name: use only lowercase letters, digits, - and _'],
    ['random without trials', `${BASE}method: random\n`, 'e.yaml:18:9 trials: required when method is random'],
    ['trials with grid', `${BASE}trials: 4\n`, 'e.yaml:18:1 trials: only applies to method: random'],
    ['duplicate seeds', edit('seeds: [0, 1]', 'seeds: [3, 3]'), 'e.yaml:17:12 seeds[1]: duplicate of seeds[0] (3)'],
    ['duplicate swept value', edit('[dsm, ssm-vr]', '[dsm, dsm]'), 'e.yaml:16:20 parameters.loss.kind[1]: duplicate of [0]'],
    ['empty value list', edit('[dsm, ssm-vr]', '[]'), 'e.yaml:16:14 parameters.loss.kind: must list at least one value'],
    ['distribution in a grid', edit('[dsm, ssm-vr]', '{ distribution: uniform, low: 0, high: 1 }'), 'e.yaml:16:16 parameters.loss.kind.distribution: a distribution needs method: random (a grid takes a list of values)'],
    ['YAML syntax error', edit('hidden: [16] }', 'hidden: [16 }'), 'e.yaml:4:35 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\ne.yaml:5:3 invalid YAML: Flow map in block collection must be sufficiently indented and end with a }'],
    ['duplicate YAML key', edit('  loss: { kind: dsm }\n', '  loss: { kind: dsm }\n  loss: { kind: sm }\n'), 'e.yaml:7:3 invalid YAML: Map keys must be unique'],
    ['empty file', '', 'e.yaml the file is empty'],
  ])('%s', (_name, text, expected) => {
    expect(errorOf(text)).toBe(expected);
  });

  it('checks gmm dimensions, component counts and covariances', () => {
    const text = edit('{ kind: mog2d-weighted }', '{ kind: gmm, means: [[0, 0], [1, 2, 3]], stds: [1], covariances: [[[1, 2], [2, 1]], [[1]]], weights: [1, 2] }');
    expect(errorOf(text)).toBe(
      [
        'e.yaml:3:41 base.dataset.means[1]: expected 2 coordinates like means[0], got 3',
        'e.yaml:3:59 base.dataset.stds: expected 2 values (one per component), got 1',
        'e.yaml:3:77 base.dataset.covariances: give either stds or covariances, not both',
        // [[1, 2], [2, 1]] has eigenvalues 3 and -1.
        'e.yaml:3:78 base.dataset.covariances[0]: must be positive definite',
        'e.yaml:3:96 base.dataset.covariances[1]: expected a 2x2 matrix',
      ].join('\n'),
    );
    expect(errorOf(edit('{ kind: mog2d-weighted }', '{ kind: gmm, means: [[0, 0]], covariances: [[[1, 0.5], [0.4, 1]]] }'))).toBe(
      'e.yaml:3:56 base.dataset.covariances[0]: must be symmetric',
    );
    expect(errorOf(edit('{ kind: mog2d-weighted }', '{ kind: gaussian, dim: 3, mean: [0, 0] }'))).toBe('e.yaml:3:44 base.dataset.mean: expected 3 values (dim), got 2');
  });

  it('rejects parameter paths that are not in the base schema', () => {
    const text = edit('loss.kind: [dsm, ssm-vr]', 'loss.kind: [dsm, ssm-vr]\n  sampler.stepsize: [0.1, 1]\n  optimizer.lr: [1]\n  model..hidden: [[8]]');
    expect(errorOf(text)).toBe(
      [
        'e.yaml:17:3 parameters.sampler.stepsize: no such path in base: sampler has no key "stepsize" (did you mean "stepSize"?)',
        'e.yaml:18:3 parameters.optimizer.lr: no such path in base: base has no key "optimizer" (keys: dataset, model, noise, sde, loss, train, sampler, eval)',
        'e.yaml:19:3 parameters.model..hidden: "model..hidden" is not a dotted path (empty segment)',
      ].join('\n'),
    );
  });

  it('validates every swept value and names parameter and index', () => {
    const text = edit('loss.kind: [dsm, ssm-vr]', 'loss.kind: [dsm, ssm-vr, ssmvr]\n  sampler.stepSize: [0.1, 1, -1, "x"]\n  sampler.init: [{ kind: uniform, low: -1, high: 1 }, { kind: uniform, low: a, high: 1 }]');
    expect(errorOf(text)).toBe(
      [
        'e.yaml:16:28 parameters.loss.kind[2]: expected one of sm | ssm | ssm-vr | dsm | ml, received "ssmvr"',
        'e.yaml:17:30 parameters.sampler.stepSize[2]: must be > 0',
        'e.yaml:17:34 parameters.sampler.stepSize[3]: expected number, received string',
        'e.yaml:18:77 parameters.sampler.init[1].low: expected number, received string',
      ].join('\n'),
    );
  });

  it('reports a value that breaks a cross-field rule by the rule it breaks', () => {
    const text = edit('loss.kind: [dsm, ssm-vr]', 'noise.levels: [1, 3]');
    expect(errorOf(text)).toBe('e.yaml:16:18 parameters.noise.levels[0]: sampler.kind: ald needs noise with more than one level (without noise, or with levels: 1, use langevin)');
  });

  it('reports combinations of values that are valid alone but not together', () => {
    // steps 10 is fine with every 5 (the base), every 25 is fine with steps 50 (the base); 10 with 25 is not.
    const text = edit('loss.kind: [dsm, ssm-vr]', 'train.steps: [50, 10]\n  eval.every: [5, 25]', edit('every: 25', 'every: 5'));
    expect(errorOf(text)).toBe('e.yaml:15:1 parameters: the combination train.steps=10, eval.every=25 is invalid: eval.every: must be at most train.steps (10), got 25');
  });

  it('expands a sweep once: parseSweep hands back the runs its validation checked; expand: false skips that pass', () => {
    const { experiment, runs } = parseSweep(DESIGN_EXAMPLE, 'e.yaml');
    expect(runs).toHaveLength(27);
    expect(runs).toEqual(expandSweep(experiment));
    // A combination error is found by expanding; the file, base and every value alone are still checked without it.
    const text = edit('loss.kind: [dsm, ssm-vr]', 'train.steps: [50, 10]\n  eval.every: [5, 25]', edit('every: 25', 'every: 5'));
    expect(() => parseExperiment(text, 'e.yaml', { expand: false })).not.toThrow();
    expect(() => parseExperiment(edit('loss.kind: [dsm, ssm-vr]', 'noise.levels: [1, 3]'), 'e.yaml', { expand: false })).toThrow(/ald needs noise with more than one level/);
  });

  it('swaps a whole section through a parameter, with its own defaults', () => {
    const text = edit(
      'loss.kind: [dsm, ssm-vr]',
      'sampler:\n    - { kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: 20, init: { kind: gaussian, std: 1 } }\n    - { kind: langevin, stepSize: 0.01, steps: 10, samples: 20, init: { kind: gaussian, std: 1 } }',
    );
    expect(Object.keys(parseExperiment(text, 'e.yaml').parameters)).toEqual(['sampler']);
    // Switching the kind alone leaves ald-only keys behind, which langevin rejects.
    expect(errorOf(edit('loss.kind: [dsm, ssm-vr]', 'sampler.kind: [ald, langevin]'))).toBe(
      [
        'e.yaml:16:23 parameters.sampler.kind[1]: sampler.steps: required (expected integer)',
        'e.yaml:16:23 parameters.sampler.kind[1]: sampler.stepsPerLevel: unknown key (allowed: kind, stepSize, steps, samples, init, convention)',
      ].join('\n'),
    );
  });

  it('checks random-search parameter forms', () => {
    const random = (params: string) => `${edit(/parameters:\n.*\n/, `parameters:\n${params}\n`)}method: random\ntrials: 3\n`;
    expect(errorOf(random('  sampler.stepSize: { distribution: normal, low: 0.01, high: 1 }'))).toBe(
      'e.yaml:16:37 parameters.sampler.stepSize.distribution: expected one of uniform | log-uniform, received "normal"',
    );
    expect(errorOf(random('  sampler.stepSize: { distribution: log-uniform, low: 0, high: 1 }'))).toBe('e.yaml:16:55 parameters.sampler.stepSize.low: must be > 0 for log-uniform, got 0');
    expect(errorOf(random('  sampler.stepSize: { distribution: uniform, low: 1, high: 1 }'))).toBe('e.yaml:16:60 parameters.sampler.stepSize.high: must be greater than low (1), got 1');
    expect(errorOf(random('  sampler.stepSize: { distribution: uniform, low: -1, high: 1 }'))).toBe('e.yaml:16:51 parameters.sampler.stepSize.low: must be > 0');
    expect(errorOf(random('  sampler.stepSize: 0.1'))).toBe(
      'e.yaml:16:21 parameters.sampler.stepSize: expected a list of values, { values: [...] } or { distribution: uniform | log-uniform, low, high }, received number',
    );
    expect(errorOf(random('  loss.kind: { values: [sm, dsm, nope] }'))).toBe('e.yaml:16:34 parameters.loss.kind.values[2]: expected one of sm | ssm | ssm-vr | dsm | ml, received "nope"');
    // Drawn values are checked too: with searchSeed 0 the first uniform draw is not an integer.
    expect(errorOf(random('  train.steps: { distribution: uniform, low: 30, high: 50 }'))).toMatch(
      /^e\.yaml:15:1 parameters: the combination train\.steps=\d+\.\d+ is invalid: train\.steps: expected integer, received \d+\.\d+$/m,
    );
  });
});
