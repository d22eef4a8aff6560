// Experiment files with an energy model (model.kind energy) and maximum likelihood (loss ml): defaults, the
// rules between them and the other sections (exact error texts with positions), and that nothing about the
// existing kinds changed (no new key appears in their resolved configs).
import { describe, expect, it } from 'vitest';
import { ConfigError, configHash, parseExperiment, resolveRunConfig, trainingHash } from './index';

/** A valid ml file; each bad case below changes one thing (line numbers refer to this text). */
const BASE = `name: e
base:
  dataset: { kind: 8gaussians }
  model: { kind: energy, hidden: [16], conditioning: none }
  loss: { kind: ml }
  train: { steps: 50 }
  sampler: { kind: langevin, steps: 100, stepSize: 0.01, samples: 200, init: { kind: uniform, low: -4, high: 4 } }
  eval: { metrics: [fisher, mmd] }
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

describe('model energy and loss ml', () => {
  it('resolves ml with the negatives defaults and alpha 0, filled for ml only', () => {
    const base = parseExperiment(BASE, 'e.yaml').base;
    const c = resolveRunConfig(base);
    expect(c.model).toEqual({ kind: 'energy', hidden: [16], activation: 'softplus', conditioning: 'none' });
    expect(c.loss).toEqual({ kind: 'ml', weighting: 'sigma2', projection: 'rademacher', projections: 1, negatives: { init: 'persistent', steps: 20, stepSize: 0.01, noiseScale: 1, bufferSize: 10000, reinit: 0.05 }, alpha: 0 });
    // A partial negatives section gets the other defaults from its schema.
    const partial = resolveRunConfig({ ...base, loss: { kind: 'ml', negatives: { init: 'data', steps: 5 } } });
    expect(partial.loss!.negatives).toEqual({ init: 'data', steps: 5, stepSize: 0.01, noiseScale: 1, bufferSize: 10000, reinit: 0.05 });
    // Other losses get none of the ml keys, and train gets no clipGradNorm: their hashes are unchanged.
    const dsm = resolveRunConfig({ dataset: { kind: 'mog2d-weighted' }, model: { kind: 'mlp', hidden: [16] }, noise: { schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 3 }, loss: { kind: 'dsm' }, train: { steps: 10 } });
    expect(Object.keys(dsm.loss!).sort()).toEqual(['kind', 'projection', 'projections', 'weighting']);
    expect(Object.keys(dsm.train!)).not.toContain('clipGradNorm');
    // ml at one noise level (the energy of the perturbed data), with a sigma-conditioned energy.
    const oneLevel = resolveRunConfig({ ...base, noise: { schedule: 'custom', sigmas: [0.1] }, model: { kind: 'energy', hidden: [16], conditioning: 'embed' } });
    expect(oneLevel.loss!.kind).toBe('ml');
  });

  it('an energy model with an sde gets the time network defaults; energy and mlp have different training hashes', () => {
    const run = { dataset: { kind: 'mog2d-weighted' }, sde: { kind: 've', sigmaMin: 0.01, sigmaMax: 20 }, loss: { kind: 'dsm' }, train: { steps: 10 } };
    const energy = resolveRunConfig({ ...run, model: { kind: 'energy', hidden: [16] } });
    expect(energy.model).toMatchObject({ kind: 'energy', conditioning: 'embed', fourierFeatures: 8, fourierScale: 1, timeInput: 'time' });
    const mlp = resolveRunConfig({ ...run, model: { kind: 'mlp', hidden: [16] } });
    expect(trainingHash(energy, 0)).not.toBe(trainingHash(mlp, 0));
    expect(configHash(energy, 0)).not.toBe(configHash(mlp, 0));
  });

  it.each([
    ['ml with an mlp model', edit('kind: energy, hidden: [16], conditioning: none', 'kind: mlp, hidden: [16], conditioning: none'), 'e.yaml:5:17 base.loss.kind: ml (maximum likelihood by contrastive divergence) needs an energy model; model.kind is mlp (use model.kind: energy, or a score-matching loss)'],
    ['ml with noise levels', edit('  loss: { kind: ml }\n', '  noise: { schedule: geometric, sigmaMax: 2, sigmaMin: 0.1, levels: 3 }\n  loss: { kind: ml }\n', edit('conditioning: none', 'conditioning: embed')), 'e.yaml:5:10 base.noise: loss ml is single-scale: it trains the energy of the clean data (no noise) or of the data at one noise level (levels: 1), not 3 levels'],
    ['ml with an sde', edit('  loss: { kind: ml }\n', '  sde: { kind: vp }\n  loss: { kind: ml }\n', edit('conditioning: none', 'conditioning: embed', edit('kind: langevin, steps: 100, stepSize: 0.01, samples: 200, init: { kind: uniform, low: -4, high: 4 }', 'kind: pc, steps: 100, samples: 200'))), 'e.yaml:5:8 base.sde: loss ml is single-scale and has no continuous-time version'],
    ['negatives with dsm', edit('  loss: { kind: ml }\n', '  noise: { schedule: geometric, sigmaMax: 2, sigmaMin: 0.1, levels: 3 }\n  loss: { kind: dsm, negatives: { steps: 3 } }\n'), 'e.yaml:6:33 base.loss.negatives: only applies to loss ml, not dsm'],
    ['alpha with sm', edit('{ kind: ml }', '{ kind: sm, alpha: 0.1 }'), 'e.yaml:5:28 base.loss.alpha: only applies to loss ml, not sm'],
    ['an unknown negatives key', edit('{ kind: ml }', '{ kind: ml, negatives: { init: data, length: 3 } }'), 'e.yaml:5:46 base.loss.negatives.length: unknown key'],
    ['a bad init', edit('{ kind: ml }', '{ kind: ml, negatives: { init: replay } }'), 'e.yaml:5:40'],
    ['an energy without a condition to see', edit('conditioning: none', 'conditioning: embed'), 'e.yaml:4:54 base.model.conditioning: embed needs a noise level to see, and this run has no noise or sde section: use conditioning: none'],
    ['energy on the fused engine', edit('conditioning: none', 'conditioning: none, engine: fused'), 'e.yaml:4:68 base.model.engine: fused has no energy network yet'],
    ['clipping on the fused engine', edit('kind: energy, hidden: [16], conditioning: none', 'kind: mlp, hidden: [16], engine: fused', edit('{ kind: ml }', '{ kind: sm }', edit('{ steps: 50 }', '{ steps: 50, clipGradNorm: 1 }'))), 'e.yaml:6:37 base.train.clipGradNorm: gradient clipping runs on the tfjs engine only'],
  ])('%s is an error naming file:line:col and the dotted path', (_name, text, want) => {
    expect(errorOf(text)).toContain(want);
  });
});
