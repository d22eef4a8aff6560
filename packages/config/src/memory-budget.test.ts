import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSweep } from './load-file';
import { RUN_TENSOR_BUDGET_BYTES, estimateRunMemory } from './schema/memory-budget';
import { RunConfigSchema } from './schema/run-config';

const EXPERIMENTS = fileURLToPath(new URL('../../../experiments/', import.meta.url));

const base = {
  dataset: { kind: 'mog2d-weighted' },
  model: { kind: 'mlp', hidden: [16] },
  noise: { schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 3 },
  loss: { kind: 'dsm' },
  train: { steps: 10, batchSize: 64 },
  sampler: { kind: 'ald', stepSize: 0.1, stepsPerLevel: 10, samples: 100, init: { kind: 'uniform', low: -8, high: 8 } },
  eval: { metrics: ['mmd'], samples: 100 },
};

function issues(config: unknown): { path: string; message: string }[] {
  const r = RunConfigSchema.safeParse(config);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('the memory budget', () => {
  it('leaves every shipped experiment far below the budget (a tenth of it at most)', () => {
    const files = readdirSync(EXPERIMENTS).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const { runs } = loadSweep(`${EXPERIMENTS}${f}`);
      for (const r of runs) {
        const c = RunConfigSchema.parse(r.config);
        expect(estimateRunMemory(c), `${f} run ${r.index}`).toBeLessThan(RUN_TENSOR_BUDGET_BYTES / 10);
      }
    }
  });

  it('rejects batch x width beyond the budget at train.batchSize, saying what fits', () => {
    const found = issues({ ...base, train: { steps: 10, batchSize: 1_000_000_000 } });
    expect(found).toHaveLength(1);
    expect(found[0].path).toBe('train.batchSize');
    // 1e9 rows x (2 + 1 + 16 + 2) activations x 8 copies x 4 bytes = 672 GB.
    expect(found[0].message).toMatch(/^a training step of this run needs about 672 GB of tensors \(1000000000 x 21 activations x 8 copies x 4 bytes\), more than the 2\.0 GB a run may use; use at most (\d+) with this model$/);
    const fits = Number(/at most (\d+)/.exec(found[0].message)![1]);
    expect(fits).toBe(Math.floor(2e9 / (21 * 8 * 4)));
    expect(issues({ ...base, train: { steps: 10, batchSize: fits } })).toEqual([]);
    expect(issues({ ...base, train: { steps: 10, batchSize: fits + 2 } })).toHaveLength(1);
  });

  it('counts the rows sm (D) and ssm (projections) add to a training step', () => {
    const wide = { ...base, dataset: { kind: 'gaussian', dim: 128 }, model: { kind: 'mlp', hidden: [64, 64], conditioning: 'none' }, noise: { schedule: 'custom', sigmas: [0.1] }, sampler: undefined, eval: undefined };
    const sm = RunConfigSchema.parse({ ...wide, loss: { kind: 'sm' } });
    const dsm = RunConfigSchema.parse({ ...wide, loss: { kind: 'dsm' } });
    const ssm = RunConfigSchema.parse({ ...wide, loss: { kind: 'ssm', projections: 4 } });
    expect(estimateRunMemory(sm) / estimateRunMemory(dsm)).toBe(128);
    expect(estimateRunMemory(ssm) / estimateRunMemory(dsm)).toBe(4);
  });

  it('names eval.samples and sampler.samples when they are what does not fit', () => {
    expect(issues({ ...base, eval: { metrics: ['mmd'], samples: 200_000_000 } }).map((i) => i.path)).toEqual(['eval.samples']);
    expect(issues({ ...base, sampler: { ...base.sampler, samples: 200_000_000 } }).map((i) => i.path)).toEqual(['sampler.samples']);
  });
});
