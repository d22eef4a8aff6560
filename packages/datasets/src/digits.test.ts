import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, selectBackend } from '@scorelab/core';
import { DIGITS_MODULE, generatedDigitsModule, readDigitsSource } from '../scripts/digits-module';
import { createDataset } from './create-dataset';
import { hasExactDensity } from './dataset';
import { DIGITS_SOURCE_SHA256 } from './digits-data';
import { DIGITS_DIM, DIGITS_IMAGES, digitsSplit, digitsTable, isDigitsTestRow } from './digits';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('the committed digits module', () => {
  it('is the encoding of data/digits.csv.gz (rebuild: npx tsx packages/datasets/scripts/build-digits.ts)', () => {
    const { gz, table } = readDigitsSource();
    expect(readFileSync(DIGITS_MODULE, 'utf8'), 'src/digits-data.ts is stale').toBe(generatedDigitsModule(gz, table));
    // The source is the file Debian's python3-sklearn 1.2.1 ships (data/README.md).
    expect(createHash('sha256').update(gz).digest('hex')).toBe('46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a');
    expect(DIGITS_SOURCE_SHA256).toBe('46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a');
    const decoded = digitsTable();
    expect(Array.from(decoded.pixels.values)).toEqual(Array.from(table.pixels));
    expect(Array.from(decoded.labels)).toEqual(Array.from(table.labels));
  });

  it('has the 1,797 images of load_digits: 64 pixels in 0..16, labels 0..9 with their counts', () => {
    const { pixels, labels } = digitsTable();
    expect([pixels.rows, pixels.dim]).toEqual([1797, 64]);
    expect(Math.min(...pixels.values)).toBe(0);
    expect(Math.max(...pixels.values)).toBe(16);
    const counts = new Array<number>(10).fill(0);
    labels.forEach((l) => counts[l]++);
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    // The first image is a 0: the first row of scikit-learn's digits.csv.
    expect(Array.from(pixels.values.subarray(0, 16))).toEqual([0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]);
  });
});

describe('dataset kind digits', () => {
  it('splits every 5th row off as the test set, the same every time, with no row in both', () => {
    const { train, test } = digitsSplit();
    expect([train.length, test.length]).toEqual([1438, 359]);
    expect(test.slice(0, 3)).toEqual([4, 9, 14]);
    expect(test.every(isDigitsTestRow)).toBe(true);
    expect(new Set([...train, ...test]).size).toBe(DIGITS_IMAGES);
    expect(digitsSplit()).toEqual({ train, test });
  });

  it('has no known density and rows scaled by 1/16 to [0, 1]', () => {
    const ds = createDataset({ kind: 'digits', dequantize: false });
    expect(hasExactDensity(ds)).toBe(false);
    if (hasExactDensity(ds)) return;
    expect(ds.dim).toBe(DIGITS_DIM);
    expect(ds.size).toEqual({ train: 1438, test: 359 });
    expect(ds.image).toEqual({ height: 8, width: 8, low: 0, high: 1 });
    const test = ds.rows('test', new Rng(0));
    const values = test.dataSync();
    const raw = digitsTable().pixels.values;
    // Test row 0 is file row 4.
    for (let j = 0; j < 64; j++) expect(values[j]).toBe(raw[4 * 64 + j] / 16);
    test.dispose();
  });

  it('samples training rows uniformly with replacement from the seed', () => {
    const ds = createDataset({ kind: 'digits', dequantize: false });
    if (hasExactDensity(ds)) throw new Error('digits has no density');
    const a = ds.sample(4000, new Rng(3));
    const b = ds.sample(4000, new Rng(3));
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    // Every sampled row is a training row: match each against the set of training rows.
    const train = ds.rows('train', new Rng(0)).arraySync();
    const known = new Set(train.map((r) => r.join(',')));
    const rows = a.arraySync();
    expect(rows.every((r) => known.has(r.join(',')))).toBe(true);
    // Mean pixel of the draws against the training mean: 4000 draws, per-coordinate sd <= 0.5 / sqrt(4000) = 0.008; 5 sd.
    const mean = tf.tidy(() => tf.mean(a, 0).dataSync());
    const trainMean = tf.tidy(() => tf.mean(tf.tensor2d(train), 0).dataSync());
    for (let j = 0; j < 64; j++) expect(Math.abs(mean[j] - trainMean[j])).toBeLessThan(0.04);
    tf.dispose([a, b]);
  });

  it('dequantises as (v + u) / 17 with u ~ U(0, 1): every value in the bin of its pixel, uniform within it', () => {
    const ds = createDataset({ kind: 'digits', dequantize: true });
    if (hasExactDensity(ds)) throw new Error('digits has no density');
    const x = ds.rows('train', new Rng(5));
    const v = x.dataSync();
    const raw = digitsTable().pixels.values;
    const trainRows = digitsSplit().train;
    let fracSum = 0;
    for (let i = 0; i < trainRows.length; i++) {
      for (let j = 0; j < 64; j++) {
        const pixel = raw[trainRows[i] * 64 + j];
        const y = v[i * 64 + j] * 17 - pixel; // = u
        expect(y).toBeGreaterThanOrEqual(-1e-5);
        expect(y).toBeLessThan(1 + 1e-5);
        fracSum += y;
      }
    }
    // Mean of 92,032 U(0, 1) draws: sd 0.289 / sqrt(92032) = 0.00095; 5 sd.
    expect(Math.abs(fracSum / (trainRows.length * 64) - 0.5)).toBeLessThan(0.005);
    // A second draw dequantises afresh.
    const y = ds.rows('train', new Rng(6));
    expect(Array.from(y.dataSync().subarray(0, 64))).not.toEqual(Array.from(v.subarray(0, 64)));
    tf.dispose([x, y]);
  });

  it('keeps only the listed classes, in both splits', () => {
    const ds = createDataset({ kind: 'digits', classes: [0, 1], dequantize: false });
    if (hasExactDensity(ds)) throw new Error('digits has no density');
    const { labels } = digitsTable();
    const { train, test } = digitsSplit([0, 1]);
    expect(train.length + test.length).toBe(178 + 182);
    expect([...train, ...test].every((i) => labels[i] <= 1)).toBe(true);
    expect(ds.size).toEqual({ train: train.length, test: test.length });
  });
});
