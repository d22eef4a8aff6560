// Exit code 2 and nothing written: bad experiment files (including combinations that only fail
// after expansion), bad flags, missing stores.
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '@scorelab/tracking';
import { TINY_YAML, runCli, tempDir, tinyExperiment, type TempDir } from './helpers';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('bad experiment files', () => {
  it('names the dotted path and the line, and creates no store', async () => {
    const file = dir.write('bad.yaml', tinyExperiment({ name: 'bad', train: '{ steps: 10, batchSize: 64, lr: -0.5 }', parameters: '  loss.kind: [dsm]' }));
    const db = dir.file('runs/bad.db');
    const r = await runCli(['sweep', '--config', file, '--db', db]);
    expect(r.code).toBe(2);
    // `train:` is line 7 of tinyExperiment's text; the error points into it.
    expect(r.stderr).toMatch(/bad\.yaml:7:\d+ base\.train\.lr: /);
    expect(existsSync(db)).toBe(false);
    expect(existsSync(dir.file('runs'))).toBe(false);
  });

  it('checks every combination of the sweep before writing, even into an existing store', async () => {
    // Each value is valid on its own; levels: 1 (a single-scale model) together with the ald sampler is not.
    const langevin = '{ kind: langevin, stepSize: 0.1, steps: 10, samples: 100, init: { kind: uniform, low: -8, high: 8 } }';
    const ald = '{ kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: 100, init: { kind: uniform, low: -8, high: 8 } }';
    const text = tinyExperiment({ name: 'combo', train: '{ steps: 10, batchSize: 64 }', parameters: `  noise.levels: [3, 1]\n  sampler: [${langevin}, ${ald}]` });
    const file = dir.write('combo.yaml', text.replace(/sampler: \{ kind: ald.*\}\n/, `sampler: ${langevin}\n`));
    const db = dir.file('existing.db');
    const store = await openStore(db);
    await store.close();
    const r = await runCli(['sweep', '--config', file, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/parameters: the combination noise\.levels=1, sampler=ald \(stepSize=0\.1, stepsPerLevel=10\) is invalid/);
    const reader = await openStore(db, { readonly: true });
    try {
      expect(await reader.listSweeps()).toEqual([]);
      expect(await reader.listRuns()).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('a bad --set override is reported by its path', async () => {
    const db = dir.file('x.db');
    const r = await runCli(['run', '--config', TINY_YAML, '--set', 'sampler.stepSiz=0.1', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--set sampler.stepSiz');
    expect(r.stderr).toContain('did you mean "stepSize"');
    expect(existsSync(db)).toBe(false);
  });

  it('a missing experiment file', async () => {
    const r = await runCli(['sweep', '--config', dir.file('nope.yaml'), '--db', dir.file('x.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file');
    expect(existsSync(dir.file('x.db'))).toBe(false);
  });
});

describe('bad arguments', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown flag', ['sweep', '--bogus', '1'], /Unknown argument: bogus/],
    ['--workers 0', ['sweep', '--workers', '0'], /--workers must be an integer >= 1/],
    ['--workers not a number', ['sweep', '--workers', 'two'], /--workers must be an integer/],
    ['unknown backend', ['sweep', '--backend', 'gpu'], /Invalid values/],
    ['--quiet with --json', ['sweep', '--quiet', '--json'], /mutually exclusive/],
    ['run without --config', ['run'], /Missing required argument: config/],
    ['export without --format', ['export'], /Missing required argument: format/],
    ['export --format xml', ['export', '--format', 'xml'], /Invalid values/],
    ['no command', [], /choose a command/],
    ['unknown command', ['swep'], /unknown command 'swep'/],
  ];
  it.each(cases)('%s -> exit 2', async (_name, args, message) => {
    const db = dir.file('x.db');
    const r = await runCli([...args, ...(args.length ? ['--db', db] : [])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(db)).toBe(false);
  });

  it('ls, show and export need an existing store', async () => {
    const db = dir.file('missing.db');
    for (const args of [['ls'], ['show', '1'], ['export', '--format', 'csv']]) {
      const r = await runCli([...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('no run store at');
    }
    expect(existsSync(db)).toBe(false);
  });

  it('--help of each command shows its flags and examples, exit 0', async () => {
    const r = await runCli(['sweep', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--config', '--db', '--workers', '--resume', '--backend', '--quiet', '--json', 'Examples:']) expect(r.stdout).toContain(flag);
  });
});
