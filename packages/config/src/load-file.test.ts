import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, expandSweep, loadExperimentFile } from './index';

const experiment = (name: string) => fileURLToPath(new URL(`../../../experiments/${name}`, import.meta.url));

describe('loadExperimentFile and the shipped experiments', () => {
  it('quickstart.yaml: SM vs SSM-VR vs DSM x two ALD step sizes, within the time budget', () => {
    const runs = expandSweep(loadExperimentFile(experiment('quickstart.yaml')));
    expect(runs.map((r) => [r.config.loss?.kind, (r.config.sampler as { stepSize?: number } | undefined)?.stepSize, r.seed])).toEqual([
      ['sm', 0.02, 0],
      ['sm', 0.1, 0],
      ['ssm-vr', 0.02, 0],
      ['ssm-vr', 0.1, 0],
      ['dsm', 0.02, 0],
      ['dsm', 0.1, 0],
    ]);
    for (const r of runs) {
      expect(r.config.dataset).toEqual({ kind: 'mog2d-weighted' });
      expect(r.config.noise).toEqual({ schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 10 });
      expect(r.config.eval?.metrics).toEqual(['fisher', 'mmd', 'swd', 'modeWeights']);
    }
    // Training dominates the ~2.5 minute budget. Measured wasm ms per step for the larger
    // 2-128-128-2 network at batch 128 (DESIGN.md section 7) bound the cost of [64, 64]; with two
    // workers the training share must leave at least a minute for evaluation and sampling.
    const msPerStep: Record<string, number> = { dsm: 5, 'ssm-vr': 13, ssm: 13, sm: 22 };
    const trainSeconds = runs.reduce((s, r) => s + ((r.config.train?.steps ?? 0) * msPerStep[r.config.loss?.kind ?? 'dsm']) / 1000, 0) / 2;
    expect(trainSeconds).toBeLessThan(90);
  });

  it('tiny.yaml: 2 losses x 2 seeds of a few seconds each', () => {
    const runs = expandSweep(loadExperimentFile(experiment('tiny.yaml')));
    expect(runs.map((r) => [r.config.loss?.kind, r.seed])).toEqual([
      ['dsm', 0],
      ['dsm', 1],
      ['ssm-vr', 0],
      ['ssm-vr', 1],
    ]);
    const c = runs[0].config;
    expect(c.model).toEqual({ kind: 'mlp', hidden: [16], activation: 'softplus', conditioning: 'embed' });
    expect(c.train?.steps).toBe(50);
    expect(c.noise).toMatchObject({ levels: 3 });
    expect(c.sampler).toMatchObject({ kind: 'ald', stepsPerLevel: 10, samples: 200 });
  });

  it('sde-comparison.yaml: VE / VP / sub-VP x Euler-Maruyama / PC / ODE with the analytic score', () => {
    const runs = expandSweep(loadExperimentFile(experiment('sde-comparison.yaml')));
    const kinds = runs.map((r) => [r.config.sde?.kind, r.config.sampler?.kind]);
    expect(kinds).toEqual(['ve', 'vp', 'subvp'].flatMap((sde) => ['euler-maruyama', 'pc', 'ode'].map((sampler) => [sde, sampler])));
    for (const r of runs) {
      // Nothing to train: the budget is sampling and the likelihood only.
      expect(r.config.model).toEqual({ kind: 'analytic' });
      expect(r.config.train).toBeUndefined();
      expect(r.config.eval?.metrics).toEqual(['nll', 'mmd', 'modeWeights']);
    }
    // VE's prior N(0, sigmaMax^2 I) must dwarf the data (modes at +-(5, 5)): docs/sde.md section 3.
    expect(runs[0].config.sde).toEqual({ kind: 've', sigmaMin: 0.01, sigmaMax: 100, eps: 1e-5, trainEps: 1e-5 });
  });

  it('reports a missing file as a ConfigError', () => {
    const path = experiment('does-not-exist.yaml');
    expect(() => loadExperimentFile(path)).toThrow(ConfigError);
    expect(() => loadExperimentFile(path)).toThrow(`${path} cannot read the file: no such file`);
  });
});
