// Experiment files with a score SDE (`sde` in place of `noise`): defaults, the rules between the sde and
// the model, loss, sampler and metrics (exact error texts with positions), and sweeps over SDE types.
import { describe, expect, it } from 'vitest';
import { ConfigError, configHash, expandSweep, parseExperiment, resolveRunConfig } from './index';

/** A valid SDE file; each bad case below changes one thing (line numbers refer to this text). */
const BASE = `name: s
base:
  dataset: { kind: mog2d-weighted }
  model: { kind: mlp, hidden: [16] }
  sde: { kind: ve, sigmaMin: 0.01, sigmaMax: 100 }
  loss: { kind: dsm }
  train: { steps: 50 }
  sampler: { kind: pc, steps: 100, samples: 200 }
  eval: { every: 25, metrics: [fisher, nll, mmd] }
parameters:
  loss.kind: [dsm, ssm-vr]
`;

function edit(from: string | RegExp, to: string, text = BASE): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`test setup: ${from} not found`);
  return out;
}

function errorOf(text: string): string {
  try {
    parseExperiment(text, 'e.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const RUN = {
  dataset: { kind: 'mog2d-weighted' },
  model: { kind: 'mlp', hidden: [16] },
  sde: { kind: 'vp' },
  loss: { kind: 'dsm', weighting: 'likelihood' },
  train: { steps: 50 },
  sampler: { kind: 'ode', samples: 100 },
  eval: { metrics: ['nll', 'fisher'] },
};

describe('sde: good files and resolved configs', () => {
  it('fills the SDE, time-network, loss, sampler and eval defaults', () => {
    expect(resolveRunConfig(RUN)).toEqual({
      dataset: { kind: 'mog2d-weighted' },
      // conditioning keeps its default (embed: the network sees time); the time-network keys appear only with an sde.
      model: { kind: 'mlp', hidden: [16], activation: 'softplus', conditioning: 'embed', fourierFeatures: 8, fourierScale: 1, timeInput: 'time' },
      sde: { kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 1e-3, trainEps: 1e-5 },
      loss: { kind: 'dsm', weighting: 'likelihood', projection: 'rademacher', projections: 1 },
      train: { steps: 50, batchSize: 128, optimizer: 'adam', lr: 0.001, logEvery: 50 },
      sampler: { kind: 'ode', method: 'rk45', rtol: 1e-5, atol: 1e-5, samples: 100, denoise: false },
      eval: { every: 50, metrics: ['nll', 'fisher'], samples: 1000 },
    });
    // Pinned, like the noise-level hash in hash.test.ts: stores match runs by it (it changed when trainEps joined the sde section).
    expect(configHash(resolveRunConfig(RUN), 0)).toBe(configHash(resolveRunConfig({ ...RUN, sde: { kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 0.001, trainEps: 0.00001 } }), 0));
    expect(configHash(resolveRunConfig(RUN), 0)).toBe('f65d841d3fc04f7b');
  });

  it('fills each SDE kind and sampler kind with its own defaults', () => {
    const analytic = { dataset: { kind: '8gaussians' }, model: { kind: 'analytic' } };
    expect(resolveRunConfig({ ...analytic, sde: { kind: 've', sigmaMax: 30 } }).sde).toEqual({ kind: 've', sigmaMin: 0.01, sigmaMax: 30, eps: 1e-5, trainEps: 1e-5 });
    // eps is the sampling eps alone: setting it leaves the training and likelihood eps at score_sde's 1e-5.
    expect(resolveRunConfig({ ...analytic, sde: { kind: 'subvp', betaMax: 10, eps: 0.01 } }).sde).toEqual({ kind: 'subvp', betaMin: 0.1, betaMax: 10, eps: 0.01, trainEps: 1e-5 });
    expect(resolveRunConfig({ ...analytic, sde: { kind: 'vp', trainEps: 1e-3 } }).sde).toEqual({ kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 1e-3, trainEps: 1e-3 });
    const sampler = (s: Record<string, unknown>) => resolveRunConfig({ ...analytic, sde: { kind: 'vp' }, sampler: s }).sampler;
    expect(sampler({ kind: 'euler-maruyama', steps: 500, samples: 10 })).toEqual({ kind: 'euler-maruyama', steps: 500, samples: 10, denoise: false });
    expect(sampler({ kind: 'reverse-diffusion', steps: 500, samples: 10, denoise: true })).toEqual({ kind: 'reverse-diffusion', steps: 500, samples: 10, denoise: true });
    expect(sampler({ kind: 'pc', steps: 500, samples: 10 })).toEqual({ kind: 'pc', steps: 500, snr: 0.16, correctorSteps: 1, predictor: 'reverse-diffusion', samples: 10, denoise: false });
    expect(sampler({ kind: 'ode', method: 'rk4', steps: 50, samples: 10 })).toEqual({ kind: 'ode', method: 'rk4', steps: 50, samples: 10, denoise: false });
    expect(sampler({ kind: 'ode', rtol: 1e-3, samples: 10 })).toEqual({ kind: 'ode', method: 'rk45', rtol: 1e-3, atol: 1e-5, samples: 10, denoise: false });
    // The analytic model has no network keys to fill.
    expect(resolveRunConfig({ ...analytic, sde: { kind: 'vp' } }).model).toEqual({ kind: 'analytic' });
  });

  it('keeps the time-network keys as written', () => {
    const model = resolveRunConfig({ ...RUN, model: { kind: 'mlp', hidden: [8], fourierFeatures: 0, fourierScale: 16, timeInput: 'log-std' } }).model;
    expect(model).toEqual({ kind: 'mlp', hidden: [8], activation: 'softplus', conditioning: 'embed', fourierFeatures: 0, fourierScale: 16, timeInput: 'log-std' });
  });

  it('sweeps whole sde sections and samplers (grid order, each with its defaults)', () => {
    const text = edit(
      /parameters:\n.*\n/,
      `parameters:
  sde:
    - { kind: ve, sigmaMax: 100 }
    - { kind: vp }
    - { kind: subvp, betaMax: 10 }
  sampler:
    - { kind: euler-maruyama, steps: 100, samples: 50 }
    - { kind: ode, samples: 50 }
`,
    );
    const runs = expandSweep(parseExperiment(text, 'e.yaml'));
    expect(runs.map((r) => [r.config.sde?.kind, r.config.sampler?.kind])).toEqual([
      ['ve', 'euler-maruyama'],
      ['ve', 'ode'],
      ['vp', 'euler-maruyama'],
      ['vp', 'ode'],
      ['subvp', 'euler-maruyama'],
      ['subvp', 'ode'],
    ]);
    expect(runs[0].config.sde).toEqual({ kind: 've', sigmaMin: 0.01, sigmaMax: 100, eps: 1e-5, trainEps: 1e-5 });
    expect(runs[5].config.sde).toEqual({ kind: 'subvp', betaMin: 0.1, betaMax: 10, eps: 1e-3, trainEps: 1e-5 });
    expect(runs[5].config.sampler).toEqual({ kind: 'ode', method: 'rk45', rtol: 1e-5, atol: 1e-5, samples: 50, denoise: false });
    expect(new Set(runs.map((r) => r.hash)).size).toBe(6);
  });

  it('sweeps sde.kind alone when the keys left over fit every kind', () => {
    const text = edit('sde: { kind: ve, sigmaMin: 0.01, sigmaMax: 100 }', 'sde: { kind: vp }', edit(/parameters:\n.*\n/, 'parameters:\n  sde.kind: [vp, subvp]\n'));
    expect(expandSweep(parseExperiment(text, 'e.yaml')).map((r) => r.config.sde)).toEqual([
      { kind: 'vp', betaMin: 0.1, betaMax: 20, eps: 1e-3, trainEps: 1e-5 },
      { kind: 'subvp', betaMin: 0.1, betaMax: 20, eps: 1e-3, trainEps: 1e-5 },
    ]);
    // ve has no betas: switching the kind alone leaves VP's keys behind, and VE needs sigmaMax.
    expect(errorOf(edit(/parameters:\n.*\n/, 'parameters:\n  sde.kind: [vp, ve]\n', edit('sde: { kind: ve, sigmaMin: 0.01, sigmaMax: 100 }', 'sde: { kind: vp, betaMax: 10 }')))).toBe(
      ['e.yaml:11:18 parameters.sde.kind[1]: sde.sigmaMax: required (expected number)', 'e.yaml:11:18 parameters.sde.kind[1]: sde.betaMax: unknown key (allowed: kind, sigmaMin, sigmaMax, eps, trainEps)'].join('\n'),
    );
  });
});

describe('sde: bad files name the path, line and column', () => {
  it.each([
    ['noise and sde together', edit('  sde:', '  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }\n  sde:'), 'e.yaml:6:8 base.sde: noise and sde are both given: an sde replaces the noise levels, remove one of them'],
    ['unknown sde kind', edit('kind: ve,', 'kind: vx,'), 'e.yaml:5:16 base.sde.kind: expected one of ve | vp | subvp, received "vx"'],
    ['ve without sigmaMax', edit(', sigmaMax: 100 }', ' }'), 'e.yaml:5:3 base.sde.sigmaMax: required (expected number)'],
    ['ve sigmaMin >= sigmaMax', edit('sigmaMin: 0.01', 'sigmaMin: 200'), 'e.yaml:5:30 base.sde.sigmaMin: must be less than sigmaMax (100), got 200'],
    ['vp betaMax < betaMin', edit('{ kind: ve, sigmaMin: 0.01, sigmaMax: 100 }', '{ kind: vp, betaMin: 5, betaMax: 1 }'), 'e.yaml:5:41 base.sde.betaMax: must be at least betaMin (5), got 1'],
    ['vp with a VE key', edit('{ kind: ve, sigmaMin: 0.01, sigmaMax: 100 }', '{ kind: vp, sigmaMax: 1 }'), 'e.yaml:5:20 base.sde.sigmaMax: unknown key (allowed: kind, betaMin, betaMax, eps, trainEps)'],
    ['eps out of range', edit('sigmaMax: 100 }', 'sigmaMax: 100, eps: 1 }'), 'e.yaml:5:56 base.sde.eps: must be < 1'],
    ['trainEps out of range', edit('sigmaMax: 100 }', 'sigmaMax: 100, trainEps: 0 }'), 'e.yaml:5:61 base.sde.trainEps: must be > 0'],
    ['ald with an sde', edit('{ kind: pc, steps: 100, samples: 200 }', '{ kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: 200, init: { kind: gaussian, std: 10 } }'), 'e.yaml:8:20 base.sampler.kind: ald samples noise levels, not an sde; with an sde use euler-maruyama, reverse-diffusion, pc, ode'],
    [
      'langevin with an sde',
      edit('{ kind: pc, steps: 100, samples: 200 }', '{ kind: langevin, stepSize: 0.1, steps: 10, samples: 200, init: { kind: gaussian, std: 10 } }'),
      'e.yaml:8:20 base.sampler.kind: langevin samples noise levels, not an sde; with an sde use euler-maruyama, reverse-diffusion, pc, ode',
    ],
    [
      'an sde sampler without an sde',
      edit('  sde: { kind: ve, sigmaMin: 0.01, sigmaMax: 100 }\n', '  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }\n', edit('[fisher, nll, mmd]', '[fisher, mmd]')),
      'e.yaml:8:20 base.sampler.kind: pc samples a score SDE and needs an sde section (with noise levels use langevin or ald)',
    ],
    ['nll without an sde', edit('  sde: { kind: ve, sigmaMin: 0.01, sigmaMax: 100 }\n', '  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }\n', edit('kind: pc, steps: 100,', 'kind: ald, stepSize: 0.1, stepsPerLevel: 10, init: { kind: gaussian, std: 10 },')), 'e.yaml:9:40 base.eval.metrics[1]: nll needs an sde section (the likelihood is computed through the probability-flow ODE) or a 2-D energy model (exp(-E) normalised by quadrature)'],
    ['sm with an sde', edit('loss: { kind: dsm }', 'loss: { kind: sm }', edit('[dsm, ssm-vr]', '[sm, ssm-vr]')), 'e.yaml:6:17 base.loss.kind: sm (exact score matching) is not available with an sde; use dsm, ssm or ssm-vr'],
    ['weighting none with an sde', edit('loss: { kind: dsm }', 'loss: { kind: dsm, weighting: none }'), 'e.yaml:6:33 base.loss.weighting: none is not available with an sde; use sigma2 (lambda = s(t)^2) or likelihood (lambda = g(t)^2)'],
    [
      'likelihood weighting without an sde',
      edit('  sde: { kind: ve, sigmaMin: 0.01, sigmaMax: 100 }\n', '  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }\n', edit('loss: { kind: dsm }', 'loss: { kind: dsm, weighting: likelihood }', edit('[fisher, nll, mmd]', '[fisher, mmd]', edit('kind: pc, steps: 100,', 'kind: ald, stepSize: 0.1, stepsPerLevel: 10, init: { kind: gaussian, std: 10 },')))),
      'e.yaml:6:33 base.loss.weighting: likelihood (lambda = g(t)^2) needs an sde section; with noise levels use sigma2 or none',
    ],
    ['conditioning other than embed', edit('hidden: [16] }', 'hidden: [16], conditioning: sigma-scale }'), 'e.yaml:4:51 base.model.conditioning: sigma-scale does not apply with an sde: the network always embeds time and divides by s(t) (leave conditioning out, or embed)'],
    [
      'time-network keys without an sde',
      edit('  sde: { kind: ve, sigmaMin: 0.01, sigmaMax: 100 }\n', '  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }\n', edit('hidden: [16] }', 'hidden: [16], fourierFeatures: 4 }', edit('[fisher, nll, mmd]', '[fisher, mmd]', edit('kind: pc, steps: 100,', 'kind: ald, stepSize: 0.1, stepsPerLevel: 10, init: { kind: gaussian, std: 10 },')))),
      'e.yaml:4:54 base.model.fourierFeatures: only applies with an sde section (the time-conditional network)',
    ],
    ['bad timeInput', edit('hidden: [16] }', 'hidden: [16], timeInput: sigma }'), 'e.yaml:4:48 base.model.timeInput: expected one of time | log-std, received "sigma"'],
    ['ode rk45 with steps', edit('{ kind: pc, steps: 100, samples: 200 }', '{ kind: ode, steps: 100, samples: 200 }'), 'e.yaml:8:32 base.sampler.steps: does not apply to method rk45, which chooses its own steps (set rtol and atol, or use method euler or rk4)'],
    ['ode euler without steps', edit('{ kind: pc, steps: 100, samples: 200 }', '{ kind: ode, method: euler, samples: 200 }'), 'e.yaml:8:3 base.sampler.steps: required when method is euler'],
    ['ode rk4 with rtol', edit('{ kind: pc, steps: 100, samples: 200 }', '{ kind: ode, method: rk4, steps: 10, rtol: 0.001, samples: 200 }'), 'e.yaml:8:55 base.sampler.rtol: only applies to method rk45, not rk4'],
    ['ode method unknown', edit('{ kind: pc, steps: 100, samples: 200 }', '{ kind: ode, method: dopri, samples: 200 }'), 'e.yaml:8:33 base.sampler.method: expected one of rk45 | euler | rk4, received "dopri"'],
    ['pc without steps', edit('{ kind: pc, steps: 100, samples: 200 }', '{ kind: pc, samples: 200 }'), 'e.yaml:8:3 base.sampler.steps: required (expected integer)'],
    ['pc negative correctorSteps', edit('{ kind: pc, steps: 100, samples: 200 }', '{ kind: pc, steps: 100, correctorSteps: -1, samples: 200 }'), 'e.yaml:8:52 base.sampler.correctorSteps: must be >= 0'],
    ['pc with an init', edit('{ kind: pc, steps: 100, samples: 200 }', '{ kind: pc, steps: 100, samples: 200, init: { kind: gaussian, std: 1 } }'), 'e.yaml:8:50 base.sampler.init: unknown key (allowed: kind, steps, snr, correctorSteps, predictor, samples, denoise)'],
  ])('%s', (_name, text, expected) => {
    expect(errorOf(text)).toBe(expected);
  });

  it('reports a swept SDE section that breaks a rule by the rule it breaks', () => {
    // The base uses pc; a swept VP section is fine, but sweeping in noise levels next to the sde is not.
    const text = edit(/parameters:\n.*\n/, 'parameters:\n  noise: [{ schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }]\n');
    expect(errorOf(text)).toBe('e.yaml:11:11 parameters.noise[0]: sde: noise and sde are both given: an sde replaces the noise levels, remove one of them');
  });
});
