// Your own points through the real CLI: a CSV of 2-D points runs the quickstart's comparison (sm, ssm-vr,
// dsm with annealed Langevin) with dataset kind file; a bad CSV is exit 2 naming the file and line, with
// nothing written.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type RunStore, type RunSummary } from '@scorelab/tracking';
import { runCli, tempDir, type CliResult, type TempDir } from './helpers';

const ROWS = 300;

/** 300 points of 0.2 N((-5,-5), I) + 0.8 N((5,5), I) (the quickstart's mixture) from a fixed LCG, with a header line. */
function mixtureCsv(): string {
  let state = 12345;
  const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const lines = ['x,y'];
  for (let i = 0; i < ROWS; i++) {
    const m = uniform() < 0.2 ? -5 : 5;
    lines.push(`${(m + normal()).toFixed(4)},${(m + normal()).toFixed(4)}`);
  }
  return `${lines.join('\n')}\n`;
}

const experiment = (path: string) => `name: my-points
base:
  dataset: { kind: file, path: ${path} }
  model: { kind: mlp, hidden: [32, 32], activation: softplus, conditioning: embed }
  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 4 }
  loss: { kind: dsm, weighting: sigma2 }
  train: { steps: 60, batchSize: 64, logEvery: 30 }
  sampler: { kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: 100, init: { kind: uniform, low: -8, high: 8 } }
  eval: { metrics: [dsm, ssm, mmd, swd, nnDist], samples: 100 }
parameters:
  loss.kind: [sm, ssm-vr, dsm]
seeds: [0]
`;

describe('scorelab sweep of a file dataset (a CSV of 2-D points)', () => {
  let dir: TempDir;
  let result: CliResult;
  let store: RunStore;
  let runs: RunSummary[];
  let csv: string;

  beforeAll(async () => {
    dir = tempDir();
    csv = mixtureCsv();
    dir.write('my.csv', csv);
    const file = dir.write('my.yaml', experiment('my.csv'));
    result = await runCli(['sweep', '--config', file, '--db', dir.file('store.db'), '--workers', '2']);
    store = await openStore(dir.file('store.db'), { readonly: true });
    runs = await store.listRuns({ sweepId: (await store.getSweep('my-points'))!.id });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    dir.remove();
  });

  it('runs sm, ssm-vr and dsm with the file pinned by its sha256 in every resolved config', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(runs.map((r) => [r.params['loss.kind'], r.status]).sort()).toEqual([
      ['dsm', 'finished'],
      ['sm', 'finished'],
      ['ssm-vr', 'finished'],
    ]);
    const sha256 = createHash('sha256').update(csv).digest('hex');
    for (const r of runs) expect(r.config.dataset).toEqual({ kind: 'file', path: 'my.csv', format: 'csv', split: { test: 0.1, seed: 0 }, sha256 });
  });

  it('logs the ground-truth-free metrics and no eval/fisher', () => {
    for (const r of runs) {
      for (const k of ['eval/dsm', 'eval/dsm@20', 'eval/dsm@1', 'eval/ssm', 'sample/mmd', 'ref/mmd', 'sample/swd', 'ref/swd', 'sample/nn_dist', 'ref/nn_dist']) {
        expect(Number.isFinite(r.latest[k]), `${r.params['loss.kind']} ${k}`).toBe(true);
      }
      expect(Object.keys(r.latest).filter((k) => k.startsWith('eval/fisher'))).toEqual([]);
      // ref/nn_dist depends on the split only (the 30 held-out rows against the 270 training rows): one value for all runs.
      expect(r.latest['ref/nn_dist']).toBe(runs[0].latest['ref/nn_dist']);
    }
  });

  it('stores the 2-D pictures that need no density: samples, the held-out points, the trajectory', async () => {
    for (const r of runs) {
      const names = (await store.listArtifacts(r.id)).map((a) => a.name).filter((n) => !n.startsWith('checkpoint'));
      expect(names.sort()).toEqual(['data-samples', 'samples', 'trajectory']);
      const data = await store.getArtifact(r.id, 'data-samples');
      // The held-out split: round(0.1 * 300) = 30 rows, fewer than eval.samples.
      expect(data?.content.format === 'float32' && data.content.shape).toEqual([30, 2]);
    }
  });

  it('scorelab sample of a file run reads the file through the source sweep, and refuses it once changed', async () => {
    const source = runs.find((r) => r.params['loss.kind'] === 'dsm')!;
    const db = dir.file('store.db');
    const sampled = await runCli(['sample', '--run', String(source.id), '--set', 'sampler.stepsPerLevel=5', '--db', db, '--quiet']);
    expect(sampled.code, sampled.stderr).toBe(0);
    const sweep = (await store.getSweep('my-points-sample'))!;
    expect(sweep.filePath).toBe((await store.getSweep('my-points'))!.filePath);
    const [run] = await store.listRuns({ sweepId: sweep.id });
    expect(run.status).toBe('finished');
    // Same split, same rows: the same floor.
    expect(run.latest['ref/nn_dist']).toBe(source.latest['ref/nn_dist']);
    expect(Number.isFinite(run.latest['sample/nn_dist'])).toBe(true);

    dir.write('my.csv', csv.replace(/\n[^\n]*\n$/, '\n'));
    const changed = await runCli(['sample', '--run', String(source.id), '--db', db]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/dataset\.sha256: my\.csv has sha256 [0-9a-f]{64}, not [0-9a-f]{64}: the file changed/);
    expect((await store.listRuns({})).length).toBe(runs.length + 1);
  });
});

describe('a bad data file', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  it.each([
    ['ragged.csv', '1,2\n3,4\n5\n', /ragged\.csv:3: /],
    ['nan.csv', 'x,y\n1,2\nNaN,4\n', /nan\.csv:3: /],
    ['empty.csv', 'x,y\n', /empty\.csv: /],
  ])('%s is exit 2 naming the file (and line) with nothing written', async (name, text, message) => {
    dir.write(name, text);
    const file = dir.write(`${name}.yaml`, experiment(name));
    const db = dir.file(`${name}.db`);
    const r = await runCli(['sweep', '--config', file, '--db', db]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/dataset\.path/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(db)).toBe(false);
  });

  it('a path outside the experiment directory is exit 2, and so is a file changed after its sha256 was given', async () => {
    const outside = await runCli(['sweep', '--config', dir.write('out.yaml', experiment('../elsewhere.csv')), '--db', dir.file('out.db')]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/leaves the experiment file's directory/);
    dir.write('good.csv', '1,2\n3,4\n5,6\n');
    const pinned = experiment('good.csv').replace('path: good.csv', `path: good.csv, sha256: '${'a'.repeat(64)}'`);
    const changed = await runCli(['sweep', '--config', dir.write('pinned.yaml', pinned), '--db', dir.file('pinned.db')]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/dataset\.sha256: good\.csv has sha256 [0-9a-f]{64}, not a{64}/);
    expect(existsSync(dir.file('out.db')) || existsSync(dir.file('pinned.db'))).toBe(false);
    expect(readFileSync(dir.file('good.csv'), 'utf8')).toBe('1,2\n3,4\n5,6\n');
  });
});
