// Train once, sample many: the runs of a sweep that share a training hash share one trained model (the
// store counts one model per hash, not one per run), their sample metrics equal those of the same runs
// each training its own model, and a later sweep in the same store reuses the models unless --retrain.
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunSummary } from '@scorelab/tracking';
import { runCli, tempDir, tinyExperiment, type TempDir, withStore } from './helpers';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const text = tinyExperiment({
  name: 'reuse',
  train: '{ steps: 200, batchSize: 64, logEvery: 20 }',
  parameters: '  loss.kind: [dsm, ssm-vr]\n  sampler.stepSize: [0.05, 0.1, 0.2]',
  eval: '{ every: 100, metrics: [fisher, mmd, swd, modeWeights], samples: 100 }',
});

async function summary(db: string, sweep: string) {
  return withStore(db, async (store) => {
    const s = await store.getSweep(sweep);
    const runs = await store.listRuns({ sweepId: s!.id });
    const models = new Map<number, number>();
    for (const r of runs) if (r.modelId !== null) models.set(r.modelId, (await store.getModel(r.modelId))!.sourceRunId);
    const trainPoints = new Map<number, number>();
    for (const r of runs) trainPoints.set(r.id, (await store.metricSeries(r.id, 'train/loss')).total);
    return { runs, models, trainPoints };
  });
}

const sampleMetrics = (r: RunSummary) => Object.fromEntries(Object.entries(r.latest).filter(([k]) => k.startsWith('sample/')));
const evalMetrics = (r: RunSummary) => Object.fromEntries(Object.entries(r.latest).filter(([k]) => k.startsWith('eval/')));

describe('train once, sample many', () => {
  it('a 2 x 3 sweep trains 2 models, samples like 6 separately trained runs, and a later sweep reuses them unless --retrain', async () => {
    const file = dir.write('reuse.yaml', text);
    const db = dir.file('reuse.db');
    const r = await runCli(['sweep', '--config', file, '--db', db, '--workers', '2', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const shared = await summary(db, 'reuse');
    expect(shared.runs.map((x) => x.status)).toEqual(Array(6).fill('finished'));
    // One model per training hash (the loss), each trained by one of its runs.
    expect(new Set(shared.runs.map((x) => x.trainingHash)).size).toBe(2);
    expect(shared.models.size).toBe(2);
    for (const hash of new Set(shared.runs.map((x) => x.trainingHash))) {
      const group = shared.runs.filter((x) => x.trainingHash === hash);
      expect(new Set(group.map((x) => x.modelId)).size).toBe(1);
      const source = shared.models.get(group[0].modelId!)!;
      // Only the run that trained it has training curves; the others sampled it.
      for (const x of group) expect(shared.trainPoints.get(x.id), `run ${x.id}`).toBe(x.id === source ? 10 : 0);
    }
    await withStore(db, async (store) => expect((await Promise.all([1, 2, 3, 4, 5, 6].map((id) => store.getModel(id)))).filter(Boolean)).toHaveLength(2));

    // The same runs, each training its own model.
    const alone = dir.file('alone.db');
    const a = await runCli(['sweep', '--config', file, '--db', alone, '--workers', '2', '--quiet'], { env: { SCORELAB_REUSE_MODELS: '0' } });
    expect(a.code, a.stderr).toBe(0);
    const separate = await summary(alone, 'reuse');
    expect(separate.models.size).toBe(6);
    const byHash = new Map(separate.runs.map((x) => [x.configHash, x]));
    for (const x of shared.runs) {
      const other = byHash.get(x.configHash)!;
      expect(Object.keys(sampleMetrics(x)).length).toBeGreaterThan(3);
      expect(sampleMetrics(x), `run ${x.id} ${JSON.stringify(x.params)}`).toEqual(sampleMetrics(other));
      // A reused model is evaluated with the draws its own run used at the last step: one model, one eval/fisher.
      expect(Object.keys(evalMetrics(x)).length).toBeGreaterThan(0);
      expect(evalMetrics(x), `run ${x.id} ${JSON.stringify(x.params)}`).toEqual(evalMetrics(other));
    }

    // A later sweep of the same file in the same store trains nothing.
    const again = await runCli(['sweep', '--config', file, '--db', db, '--workers', '2', '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    const later = await summary(db, 'reuse-2');
    expect([...later.models.keys()].sort()).toEqual([...shared.models.keys()].sort());
    expect([...later.trainPoints.values()]).toEqual(Array(6).fill(0));
    const show = await runCli(['show', String(later.runs[0].id), '--db', db]);
    expect(show.stdout).toMatch(new RegExp(`model: +sampled the model trained by run \\d+ of sweep reuse \\(model \\d+, 200 steps`));
    const own = await runCli(['show', String([...shared.models.values()][0]), '--db', db]);
    expect(own.stdout).toMatch(/model: +trained by this run \(model \d+, 200 steps, artifact checkpoint\/final\)/);

    // --retrain: this sweep trains its own two models (and shares them within itself).
    const fresh = await runCli(['sweep', '--config', file, '--db', db, '--workers', '2', '--quiet', '--retrain']);
    expect(fresh.code, fresh.stderr).toBe(0);
    const retrained = await summary(db, 'reuse-3');
    expect(retrained.models.size).toBe(2);
    for (const id of retrained.models.keys()) expect(shared.models.has(id)).toBe(false);
    expect([...retrained.trainPoints.values()].filter((n) => n > 0)).toHaveLength(2);
  });

  it('a bad SCORELAB_REUSE_MODELS is bad input: exit 2, nothing written', async () => {
    const db = dir.file('bad.db');
    const r = await runCli(['sweep', '--config', dir.write('reuse.yaml', text), '--db', db], { env: { SCORELAB_REUSE_MODELS: 'maybe' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SCORELAB_REUSE_MODELS must be 0 or 1, got 'maybe'");
    expect(existsSync(db)).toBe(false);
  });
});
