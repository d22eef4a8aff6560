// dataset kind file on the Node side: where the file may be, how its problems are reported, and the sha256 pin.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DatasetSchema, expandSweep, parseExperiment } from '@scorelab/config';
import { loadFileDataset, pinFileDatasets, resolveDataPath } from '../src/file-dataset';

const root = mkdtempSync(join(tmpdir(), 'scorelab-file-dataset-'));
const dir = join(root, 'exp');
const experimentFile = join(dir, 'experiment.yaml');
mkdirSync(join(dir, 'data'), { recursive: true });
writeFileSync(join(dir, 'data', 'my.csv'), 'x,y\n1,2\n3,4\n5,6\n');
writeFileSync(join(root, 'secret.csv'), '1,2\n');
writeFileSync(join(dir, 'ragged.csv'), '1,2\n3,4\n5\n');
symlinkSync(join(root, 'secret.csv'), join(dir, 'out.csv'));
symlinkSync(join(dir, 'data', 'my.csv'), join(dir, 'in.csv'));
symlinkSync(root, join(dir, 'up'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec = (input: Record<string, unknown>) => {
  const s = DatasetSchema.parse({ kind: 'file', ...input });
  if (s.kind !== 'file') throw new Error('not a file spec');
  return s;
};
const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('did not throw');
};

describe('resolveDataPath', () => {
  it('accepts a relative path inside the experiment directory, and a symbolic link that stays inside', () => {
    expect(resolveDataPath('data/my.csv', experimentFile)).toMatch(/exp\/data\/my\.csv$/);
    expect(resolveDataPath('./data/../in.csv', experimentFile)).toMatch(/exp\/data\/my\.csv$/);
  });

  it.each([
    ['../secret.csv', /dataset\.path: '\.\.\/secret\.csv' leaves the experiment file's directory/],
    ['data/../../secret.csv', /leaves the experiment file's directory/],
    [join(root, 'secret.csv'), /is absolute: give the data file's path relative/],
    ['out.csv', /'out\.csv' is a symbolic link \(or inside one\) to .*secret\.csv, outside the experiment file's directory/],
    ['up/secret.csv', /'up\/secret\.csv' is a symbolic link \(or inside one\)/],
    ['nope.csv', /'nope\.csv': no such file/],
    ['data', /'data' is not a file/],
  ])('refuses %s', (given, message) => {
    const text = messageOf(() => resolveDataPath(given, experimentFile));
    expect(text).toMatch(message);
    expect(text.startsWith(`${experimentFile} dataset.path: `)).toBe(true);
  });
});

describe('loadFileDataset', () => {
  it('reads the points, the header and the sha256', () => {
    const loaded = loadFileDataset(spec({ path: 'data/my.csv' }), experimentFile);
    expect(Array.from(loaded.points.values)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(loaded.header).toEqual(['x', 'y']);
    // printf 'x,y\n1,2\n3,4\n5,6\n' | sha256sum
    expect(loaded.sha256).toBe('d1a204d054632471fea3ed96e764a9e70402f69ff2818394a182a8d73bf64a4e');
  });

  it('names the data file and line of a parse problem, and refuses a sha256 that does not match', () => {
    expect(messageOf(() => loadFileDataset(spec({ path: 'ragged.csv' }), experimentFile))).toBe(
      `${experimentFile} dataset.path: ragged.csv:3: 1 value, but line 1 has 2 (ragged rows)`,
    );
    writeFileSync(join(dir, 'binary.npy'), Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    expect(messageOf(() => loadFileDataset(spec({ path: 'binary.npy' }), experimentFile))).toMatch(/dataset\.path: binary\.npy: not a \.npy file/);
    const wrong = '0'.repeat(64);
    expect(messageOf(() => loadFileDataset(spec({ path: 'data/my.csv', sha256: wrong }), experimentFile))).toMatch(/dataset\.sha256: data\/my\.csv has sha256 [0-9a-f]{64}, not 0{64}: the file changed/);
  });
});

describe('pinFileDatasets', () => {
  const yaml = `name: mine
base:
  dataset: { kind: file, path: data/points.csv }
  model: { kind: mlp, hidden: [16] }
  noise: { schedule: geometric, sigmaMax: 1, sigmaMin: 0.1, levels: 3 }
  loss: { kind: dsm }
  train: { steps: 10 }
seeds: [0, 1]
`;
  it('records the file sha256 in the resolved config, so a changed file changes the config and training hashes', () => {
    writeFileSync(join(dir, 'data', 'points.csv'), '1,2\n3,4\n');
    const runs = expandSweep(parseExperiment(yaml, experimentFile));
    const pinned = pinFileDatasets(runs, experimentFile);
    expect(pinned).toHaveLength(2);
    const first = pinned[0].config.dataset;
    expect(first.kind === 'file' && first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pinned[0].hash).not.toBe(runs[0].hash);
    writeFileSync(join(dir, 'data', 'points.csv'), '1,2\n3,5\n');
    const again = pinFileDatasets(runs, experimentFile);
    expect(again[0].hash).not.toBe(pinned[0].hash);
    expect(again[0].trainingHash).not.toBe(pinned[0].trainingHash);
    // The same file gives the same pin (a resumed sweep matches its runs).
    expect(pinFileDatasets(runs, experimentFile)[1].hash).toBe(again[1].hash);
  });
});
