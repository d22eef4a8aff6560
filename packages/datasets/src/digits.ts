/**
 * The UCI "Optical Recognition of Handwritten Digits" 8x8 images (data/README.md): 1,797 images of
 * 64 pixels, integer values 0..16. Split: row i (the file's order) is held out when i % 5 = 4 (359
 * images), the other 1,438 train. Scaling: x = v / 16 in [0, 1]; dequantised: x = (v + u) / 17, u ~ U(0, 1).
 */
import type { Rng } from '@scorelab/core';
import { type DataPoints, selectRows } from './data-points';
import type { DigitsDatasetSpec, EmpiricalDataset } from './dataset';
import { DIGITS_LABELS, DIGITS_PIXEL_CHUNKS } from './digits-data';
import { empiricalDataset } from './empirical-dataset';

export const DIGITS_IMAGES = 1797;
export const DIGITS_SIDE = 8;
export const DIGITS_DIM = DIGITS_SIDE * DIGITS_SIDE;
/** Largest pixel value (a pixel counts the on pixels of a 4x4 block of the 32x32 bitmap). */
export const DIGITS_MAX_PIXEL = 16;
/** Row i is a test row when i % DIGITS_TEST_EVERY === DIGITS_TEST_EVERY - 1. */
export const DIGITS_TEST_EVERY = 5;

const PIXEL_BASE = 'a'.charCodeAt(0);

/** The whole table, pixels 0..16 as float32 [1797, 64], and the labels, decoded once. */
let decoded: { pixels: DataPoints; labels: Uint8Array } | null = null;

export function digitsTable(): { pixels: DataPoints; labels: Uint8Array } {
  if (decoded) return decoded;
  const text = DIGITS_PIXEL_CHUNKS.join('');
  if (text.length !== DIGITS_IMAGES * DIGITS_DIM || DIGITS_LABELS.length !== DIGITS_IMAGES) throw new Error('digits-data.ts is damaged: rebuild it (npx tsx packages/datasets/scripts/build-digits.ts)');
  const values = new Float32Array(text.length);
  for (let i = 0; i < text.length; i++) values[i] = text.charCodeAt(i) - PIXEL_BASE;
  const labels = new Uint8Array(DIGITS_IMAGES);
  for (let i = 0; i < DIGITS_IMAGES; i++) labels[i] = DIGITS_LABELS.charCodeAt(i) - 48;
  decoded = { pixels: { values, rows: DIGITS_IMAGES, dim: DIGITS_DIM }, labels };
  return decoded;
}

/** Whether row i of the file is a test row. */
export function isDigitsTestRow(i: number): boolean {
  return i % DIGITS_TEST_EVERY === DIGITS_TEST_EVERY - 1;
}

/** Row indices of each split among the images of the given classes (all when omitted), in the file's order. */
export function digitsSplit(classes?: readonly number[]): { train: number[]; test: number[] } {
  const { labels } = digitsTable();
  const keep = classes ? new Set(classes) : null;
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < DIGITS_IMAGES; i++) {
    if (keep && !keep.has(labels[i])) continue;
    (isDigitsTestRow(i) ? test : train).push(i);
  }
  return { train, test };
}

/** Pixels v to data values in place: v / 16, or (v + u) / 17 with u ~ U(0, 1) from rng (in row-major order). */
export function scaleDigits(values: Float32Array, rng: Rng, dequantize: boolean): void {
  if (dequantize) {
    for (let i = 0; i < values.length; i++) values[i] = (values[i] + rng.uniform()) / (DIGITS_MAX_PIXEL + 1);
  } else {
    for (let i = 0; i < values.length; i++) values[i] = values[i] / DIGITS_MAX_PIXEL;
  }
}

export function digitsDataset(spec: DigitsDatasetSpec): EmpiricalDataset {
  const classes = spec.classes;
  if (classes?.some((c) => !Number.isInteger(c) || c < 0 || c > 9)) throw new Error(`digits: classes must be digits 0..9, got [${classes.join(', ')}]`);
  const { pixels } = digitsTable();
  const split = digitsSplit(classes);
  const dequantize = spec.dequantize === true;
  return empiricalDataset(spec, selectRows(pixels, split.train), selectRows(pixels, split.test), {
    decode: (values, rng) => scaleDigits(values, rng, dequantize),
    image: { height: DIGITS_SIDE, width: DIGITS_SIDE, low: 0, high: 1 },
  });
}
