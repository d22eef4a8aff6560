import { describe, expect, it } from 'vitest';
import { DatasetSchema, hasKnownDensity } from './dataset';
import { dataRules } from './data-rules';
import { RunConfigObjectSchema } from './run-config';

/** The `dotted.path: message` lines of a failed parse. */
function issues(input: unknown): string[] {
  const r = DatasetSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('dataset kind digits', () => {
  it('resolves to dequantize false and all classes; classes are stored sorted', () => {
    expect(DatasetSchema.parse({ kind: 'digits' })).toEqual({ kind: 'digits', dequantize: false });
    expect(DatasetSchema.parse({ kind: 'digits', classes: [7, 1, 3], dequantize: true })).toEqual({ kind: 'digits', classes: [1, 3, 7], dequantize: true });
  });

  it('refuses classes outside 0..9, duplicates, an empty list and unknown keys, naming the key', () => {
    expect(issues({ kind: 'digits', classes: [10] })[0]).toMatch(/^classes\.0: /);
    expect(issues({ kind: 'digits', classes: [1, 1] })).toEqual(['classes.1: duplicate class 1']);
    expect(issues({ kind: 'digits', classes: [] })[0]).toMatch(/^classes: /);
    expect(issues({ kind: 'digits', scale: 2 })[0]).toMatch(/scale/);
  });
});

describe('dataset kind file', () => {
  it('resolves the format from the extension and the default split', () => {
    expect(DatasetSchema.parse({ kind: 'file', path: 'data/my.CSV' })).toEqual({ kind: 'file', path: 'data/my.CSV', format: 'csv', split: { test: 0.1, seed: 0 } });
    expect(DatasetSchema.parse({ kind: 'file', path: 'x.npy', split: { test: 0.25 } })).toMatchObject({ format: 'npy', split: { test: 0.25, seed: 0 } });
    expect(DatasetSchema.parse({ kind: 'file', path: 'points.dat', format: 'csv' })).toMatchObject({ format: 'csv' });
  });

  it('refuses an unknown extension without a format, a bad split and a malformed sha256', () => {
    expect(issues({ kind: 'file', path: 'points.dat' })).toEqual([
      "format: cannot tell the format of 'points.dat' from its extension (.csv, .txt, .npy): give format: csv or npy",
    ]);
    expect(issues({ kind: 'file', path: 'a.csv', split: { test: 1 } })[0]).toMatch(/^split\.test: /);
    expect(issues({ kind: 'file', path: 'a.csv', split: { test: 0.1, seed: -1 } })[0]).toMatch(/^split\.seed: /);
    expect(issues({ kind: 'file', path: 'a.csv', sha256: 'abc' })).toEqual(['sha256: expected 64 lowercase hex digits']);
    expect(issues({ kind: 'file', path: '' })[0]).toMatch(/^path: /);
  });

  it('has no known density, like digits; every other kind has one', () => {
    expect(hasKnownDensity({ kind: 'file' })).toBe(false);
    expect(hasKnownDensity({ kind: 'digits' })).toBe(false);
    expect(hasKnownDensity({ kind: 'gaussian' })).toBe(true);
  });
});

describe('dataRules', () => {
  const base = {
    dataset: { kind: 'digits' },
    model: { kind: 'mlp', hidden: [64] },
    noise: { schedule: 'geometric', sigmaMax: 1, sigmaMin: 0.01, levels: 4 },
    loss: { kind: 'dsm' },
    train: { steps: 10 },
    eval: { metrics: ['fisher'] },
  };
  function problems(over: Record<string, unknown>, metrics?: string[]): string[] {
    const c = RunConfigObjectSchema.parse({ ...base, ...over });
    const out: string[] = [];
    dataRules(metrics ? { ...c, eval: { metrics } } : c, (path, message) => out.push(`${path.join('.')}: ${message}`));
    return out;
  }

  it('refuses model analytic and eval/fisher for data without a known density, naming the key', () => {
    expect(problems({})).toEqual(['eval.metrics.0: fisher compares the model with the exact perturbed score, and dataset digits has no known density: use dsm or ssm (held-out losses) instead']);
    expect(problems({ model: { kind: 'analytic' }, eval: { metrics: ['mmd'] } })).toEqual([
      "model.kind: analytic is the dataset's exact score, and dataset digits has no known density: train a network (model.kind mlp) instead",
    ]);
    expect(problems({ dataset: { kind: 'file', path: 'a.csv' } })[0]).toMatch(/^eval\.metrics\.0: fisher .* dataset file has no known density/);
    expect(problems({ dataset: { kind: 'gaussian', dim: 2 }, model: { kind: 'analytic' } })).toEqual([]);
  });

  it('refuses the held-out dsm without noise, for any dataset, and accepts ssm and dsm with noise', () => {
    expect(problems({ noise: undefined, loss: { kind: 'ssm-vr' } }, ['dsm'])).toEqual(['eval.metrics.0: dsm (the held-out denoising loss) needs noise levels or an sde section; without noise use ssm']);
    expect(problems({ dataset: { kind: 'gaussian', dim: 2 }, noise: undefined, loss: { kind: 'ssm-vr' } }, ['ssm', 'dsm'])).toHaveLength(1);
    expect(problems({}, ['dsm', 'ssm', 'mmd'])).toEqual([]);
  });

  it('refuses density (and the quadrature nll of an energy model) for them, and nnDist for a distribution', () => {
    expect(problems({}, ['density'])).toEqual([
      'eval.metrics.0: density normalises the learned density on a grid and compares it with the exact density, and dataset digits has no known density: use dsm or ssm (held-out losses) instead',
    ]);
    expect(problems({ dataset: { kind: 'file', path: 'a.csv' }, model: { kind: 'energy', hidden: [8] }, noise: { schedule: 'custom', sigmas: [0.1] } }, ['nll'])[0]).toMatch(/^eval\.metrics\.0: nll normalises/);
    expect(problems({ dataset: { kind: 'gaussian', dim: 2 } }, ['nnDist'])[0]).toMatch(/^eval\.metrics\.0: nnDist measures the samples' distance to the training points, and dataset gaussian is a distribution/);
    expect(problems({ dataset: { kind: 'file', path: 'a.csv' } }, ['nnDist', 'mmd', 'swd'])).toEqual([]);
  });
});
