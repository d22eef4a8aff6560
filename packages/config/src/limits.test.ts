// Experiment files beyond the documented sizes (docs/experiment-file.md#limits) and non-finite
// numbers: each is a ConfigError naming the file position and dotted path, found before any
// expansion work (so each case here takes milliseconds, not minutes and gigabytes).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, EXPERIMENT_LIMITS, expandSweep, loadExperimentFile, parseExperiment, validateExperiment, type ExperimentFile } from './index';

const BASE = `name: t
description: limits
base:
  dataset: { kind: mog2d-weighted }
  model: { kind: mlp, hidden: [16] }
  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }
  loss: { kind: dsm }
  train: { steps: 50 }
  sampler: { kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: 200, init: { kind: uniform, low: -8, high: 8 } }
  eval: { metrics: [mmd] }
parameters:
  loss.kind: [dsm, ssm-vr]
seeds: [0, 1]
`;

function errorOf(run: () => unknown): string {
  const t0 = performance.now();
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    // Refused before any expansion work.
    expect(performance.now() - t0).toBeLessThan(2000);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const parse = (text: string) => () => parseExperiment(text, 'e.yaml');

describe('YAML aliases', () => {
  it('an alias bomb is a ConfigError at the alias that crosses the value limit, not a ReferenceError', () => {
    const lol = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [prev, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg']) lol.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    const message = errorOf(parse(`name: bomb\n${lol.join('\n')}\nbase: *g\n`));
    // a..e expand to 10 + 91 + 820 + 7381 + 66430 values; f's first alias passes 100,000.
    expect(message).toBe(`e.yaml:7:8 f[0]: YAML aliases expand the file to more than 100,000 values (an alias bomb?); write the values out, at most 100,000 (docs/experiment-file.md#limits)`);
  });

  it('an alias inside the node it names', () => {
    expect(errorOf(parse(`${BASE}extra: &x [1, *x]\n`))).toBe('e.yaml:14:15 extra[1]: the alias *x refers to a node that contains it');
  });

  it('ordinary aliases still work', () => {
    const text = BASE.replace('init: { kind: uniform, low: -8, high: 8 }', 'init: &init { kind: uniform, low: -8, high: 8 }').replace('loss.kind: [dsm, ssm-vr]', 'sampler.init: [*init, { kind: gaussian, std: 8 }]');
    expect(expandSweep(parseExperiment(text, 'e.yaml'))).toHaveLength(4);
  });
});

describe('sizes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scorelab-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a file over 1 MiB is refused before it is parsed (and, on disk, before it is read)', () => {
    const big = BASE.replace('description: limits', `description: "${'x'.repeat(EXPERIMENT_LIMITS.fileBytes)}"`);
    const expected = `the file has 1,048,991 bytes; an experiment file may have at most 1,048,576 (1 MiB, docs/experiment-file.md#limits)`;
    expect(errorOf(parse(big))).toBe(`e.yaml ${expected}`);
    const file = join(dir, 'big.yaml');
    writeFileSync(file, big);
    expect(errorOf(() => loadExperimentFile(file))).toBe(`${file} ${expected}`);
  });

  it('a long description names its path and line', () => {
    const text = BASE.replace('description: limits', `description: ${'x'.repeat(20_000)}`);
    expect(errorOf(parse(text))).toBe('e.yaml:2:14 description: has 20,000 characters; a string may have at most 10,000 (docs/experiment-file.md#limits)');
  });

  it('a long parameter list (3 million values, given as data) is refused without walking it', () => {
    const values = new Array<number>(3_000_000).fill(0.1);
    const data = { name: 't', base: {}, parameters: { 'sampler.stepSize': values } };
    expect(errorOf(() => validateExperiment(data, 'e.yaml'))).toBe('e.yaml parameters.sampler.stepSize: has 3,000,000 items; a list may have at most 10,000 (docs/experiment-file.md#limits)');
  });

  it('nesting deeper than 100 levels (JSON that would overflow the stack)', () => {
    const deep = JSON.parse(`{"name": "t", "base": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    expect(errorOf(() => validateExperiment(deep, 'e.json'))).toBe('e.json base[0][0]: lists and maps are nested more than 100 levels deep here; at most 100 are allowed (docs/experiment-file.md#limits)');
  });

  it('a grid is counted as a product before it is expanded', () => {
    const list = (n: number, f: (i: number) => string) => `[${Array.from({ length: n }, (_, i) => f(i)).join(', ')}]`;
    const text = BASE.replace(
      'loss.kind: [dsm, ssm-vr]',
      `sampler.stepSize: ${list(200, (i) => String(0.01 * (i + 1)))}\n  train.lr: ${list(100, (i) => String(1e-4 * (i + 1)))}\n  train.batchSize: ${list(100, (i) => String(i + 1))}`,
    );
    expect(errorOf(parse(text))).toBe('e.yaml:11:1 parameters: 200 x 100 x 100 x 2 seeds = 4,000,000 runs; a sweep may have at most 10,000 runs (docs/experiment-file.md#limits): sweep fewer values or split the experiment');
    // expandSweep, for experiments built in code, counts first as well.
    const experiment = parseExperiment(BASE, 'e.yaml');
    const huge: ExperimentFile = { ...experiment, parameters: { 'train.lr': Array.from({ length: 5000 }, (_, i) => (i + 1) * 1e-6) }, seeds: [0, 1, 2] };
    expect(errorOf(() => expandSweep(huge))).toMatch(/^parameters: 5,000 x 3 seeds = 15,000 runs; a sweep may have at most 10,000 runs/);
  });

  it('random search: trials x seeds', () => {
    const text = BASE.replace('loss.kind: [dsm, ssm-vr]', 'train.lr: { distribution: log-uniform, low: 1e-4, high: 1e-2 }').replace('seeds: [0, 1]', 'seeds: [0, 1, 2]\nmethod: random\ntrials: 4000');
    expect(errorOf(parse(text))).toBe('e.yaml:15:9 trials: 4,000 trials x 3 seeds = 12,000 runs; a sweep may have at most 10,000 runs (docs/experiment-file.md#limits): sweep fewer values or split the experiment');
  });
});

describe('non-finite numbers', () => {
  it.each([
    ['.nan', 'e.yaml:9:35 base.sampler.stepSize: NaN is not allowed (expected number)'],
    ['.inf', 'e.yaml:9:35 base.sampler.stepSize: must be finite, received Infinity'],
    ['-.inf', 'e.yaml:9:35 base.sampler.stepSize: must be finite, received -Infinity'],
  ])('%s', (value, expected) => {
    expect(errorOf(parse(BASE.replace('stepSize: 0.1', `stepSize: ${value}`)))).toBe(expected);
  });

  it('in an integer key and in a swept value', () => {
    expect(errorOf(parse(BASE.replace('steps: 50', 'steps: .inf')))).toBe('e.yaml:8:19 base.train.steps: must be finite, received Infinity');
    expect(errorOf(parse(BASE.replace('loss.kind: [dsm, ssm-vr]', 'sampler.stepSize: [0.1, .nan]')))).toBe('e.yaml:12:27 parameters.sampler.stepSize[1]: NaN is not allowed (expected number)');
  });
});
