// scorelab sample (a stored model sampled again with other settings, no training) and scorelab model
// export (weights and architecture in one documented file, read back exactly).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '@scorelab/pipeline';
import { openStore, type RunStore } from '@scorelab/tracking';
import { decodeModelFile, encodeModelFile } from '../src/sample';
import { runCli, tempDir, tinyExperiment, type TempDir } from './helpers';

let dir: TempDir;
let db: string;
beforeAll(async () => {
  dir = tempDir();
  db = dir.file('s.db');
  const file = dir.write('s.yaml', tinyExperiment({ name: 's', train: '{ steps: 100, batchSize: 64, logEvery: 20 }', parameters: '  sampler.stepSize: [0.05, 0.1]', eval: '{ metrics: [mmd, swd, modeWeights], samples: 100 }' }));
  const r = await runCli(['sweep', '--config', file, '--db', db, '--workers', '1', '--quiet']);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => dir.remove());

async function withStore<T>(body: (s: RunStore) => Promise<T>): Promise<T> {
  const store = await openStore(db, { readonly: true });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

const samples = (latest: Record<string, number>) => Object.fromEntries(Object.entries(latest).filter(([k]) => k.startsWith('sample/')));

describe('scorelab sample', () => {
  it("samples run 1's model with another step size: the metrics of the sweep's run with that step size, no training", async () => {
    const r = await runCli(['sample', '--run', '1', '--set', 'sampler.stepSize=0.1', '--db', db, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    await withStore(async (store) => {
      const sweep = await store.getSweep('s-sample');
      expect(sweep?.description).toBe('scorelab sample of run 1 (sweep s) with --set sampler.stepSize=0.1');
      const [run] = await store.listRuns({ sweepId: sweep!.id });
      const twin = (await store.listRuns({ sweepId: (await store.getSweep('s'))!.id })).find((x) => x.params['sampler.stepSize'] === 0.1)!;
      expect(run.status).toBe('finished');
      expect(run.params).toEqual({ 'sampler.stepSize': 0.1 });
      expect(run.configHash).toBe(twin.configHash);
      expect(run.modelId).toBe((await store.getRun(1))!.modelId);
      expect(Object.keys(samples(run.latest)).length).toBeGreaterThan(3);
      expect(samples(run.latest)).toEqual(samples(twin.latest));
      expect((await store.metricSeries(run.id, 'train/loss')).total).toBe(0);
    });
  });

  it('exits 2 with nothing written for a --set of a training key, an unknown run, a run without a model', async () => {
    const sweeps = async () => withStore(async (s) => (await s.listSweeps()).length);
    const before = await sweeps();
    const training = await runCli(['sample', '--run', '1', '--set', 'train.lr=0.01', '--set', 'sampler.stepSize=0.2', '--set', 'loss.kind=ssm', '--db', db]);
    expect(training.code).toBe(2);
    expect(training.stderr).toContain('--set train.lr, loss.kind: they change the trained model');
    const unknown = await runCli(['sample', '--run', '999', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no run 999 in this store');
    // A queued run of another sweep: nothing trained yet.
    const store = await openStore(db);
    const other = await store.createSweep({ name: 'pending', config: {} });
    const [pending] = await store.addRuns(other.id, [{ idx: 0, params: {}, config: (await store.getRun(1))!.config, configHash: 'x', trainingHash: '0000000000000000', seed: 0 }]);
    await store.close();
    const none = await runCli(['sample', '--run', String(pending.id), '--db', db]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`run ${pending.id} has no stored model: it is queued and has not finished training`);
    expect(await sweeps()).toBe(before + 1);
  });
});

describe('scorelab model export', () => {
  it("writes run 2's weights and architecture; reading the file back gives the stored checkpoint's weights exactly", async () => {
    const out = dir.file('model.slm');
    const r = await runCli(['model', 'export', '--run', '2', '--out', out, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    // [x, log sigma] (3) -> 16 -> 2
    expect(r.stderr).toContain('wrote 98 weights');
    const { header, weights } = decodeModelFile(new Uint8Array(readFileSync(out)));
    expect(header.architecture.widths).toEqual([3, 16, 2]);
    expect(header.tensors).toEqual([
      { name: 'dense_1/kernel', shape: [3, 16], offset: 0 },
      { name: 'dense_1/bias', shape: [16], offset: 48 },
      { name: 'dense_2/kernel', shape: [16, 2], offset: 64 },
      { name: 'dense_2/bias', shape: [2], offset: 96 },
    ]);
    expect([header.format, header.version, header.dtype, header.endianness, header.steps, header.architecture.activation]).toEqual(['scorelab-model', 1, 'float32', 'little', 100, 'softplus']);
    const stored = await withStore(async (store) => {
      const run = (await store.getRun(2))!;
      const model = (await store.getModel(run.modelId!))!;
      expect(header.trainingHash).toBe(run.trainingHash);
      const artifact = await store.getArtifact(model.sourceRunId, model.checkpoint);
      return decodeCheckpoint((artifact!.content as { data: Uint8Array }).data).trainer.weights;
    });
    expect(weights).toEqual(stored);
    // And the encoding itself round-trips.
    expect(decodeModelFile(encodeModelFile(header, weights))).toEqual({ header, weights });
    const none = await runCli(['model', 'export', '--run', '999', '--out', out, '--db', db]);
    expect(none.code).toBe(2);
  });
});
