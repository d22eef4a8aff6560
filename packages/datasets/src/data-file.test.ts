import { Rng, selectBackend } from '@scorelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetSchema } from '@scorelab/config';
import { createDataset, createDensityDataset } from './create-dataset';
import { parseCsvPoints, parseNpyPoints } from './data-file';
import { hasExactDensity } from './dataset';
import { splitIndices } from './file-split';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** A .npy file (format 1.0) of `values` with this descr, shape and order; the header padded to 64 bytes as NumPy does. */
function npy(descr: string, shape: number[], bytes: Uint8Array, fortran = false): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + bytes.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(bytes, 10 + header.length);
  return out;
}
const f64 = (v: number[]) => new Uint8Array(Float64Array.from(v).buffer);
const f32 = (v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

describe('parseCsvPoints', () => {
  it('reads comma- or whitespace-separated rows, skips blank and # lines, and takes a first line of names as a header', () => {
    const a = parseCsvPoints('x,y\n1,2\n\n# a comment\n-3.5, 4e-1\r\n.5,+6\n');
    expect(a.header).toEqual(['x', 'y']);
    expect([a.points.rows, a.points.dim]).toEqual([3, 2]);
    expect(Array.from(a.points.values)).toEqual([1, 2, -3.5, Math.fround(0.4), 0.5, 6]);
    const b = parseCsvPoints('1 2 3\n4\t5  6');
    expect(b.header).toBeNull();
    expect(Array.from(b.points.values)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it.each([
    ['', /line|empty/, 'the file is empty'],
    ['x,y\n', /only a header line \(line 1\)/, 'a header only'],
    ['1,2\n3,4\n5\n', /^line 3: 1 value, but line 1 has 2 \(ragged rows\)$/, 'a ragged row'],
    ['x,y,z\n1,2\n', /^line 2: 2 values, but the header \(line 1\) names 3 columns/, 'a row shorter than the header'],
    ['1,2\n3,abc\n', /^line 2: column 2 is 'abc', not a number$/, 'a non-number'],
    ['1,2\n3,\n', /^line 2: column 2 is '', not a number$/, 'an empty field'],
    ['1,x\n3,4\n', /^line 1: column 2 is 'x', not a number \(a header line must name every column with a non-number\)$/, 'a half header'],
    ['1,2\nNaN,4\n', /^line 2: column 1 is NaN: only finite numbers/, 'NaN'],
    ['1,2\n3,-Infinity\n', /^line 2: column 2 is -Infinity: only finite numbers/, 'Infinity'],
    ['1,2\n3,1e39\n', /^line 2: column 2 is 1e39, beyond the float32 range/, 'a number float32 cannot hold'],
  ])('refuses %j with an error naming the line (%s)', (text, message) => {
    expect(() => parseCsvPoints(text)).toThrow(message);
  });
});

describe('parseNpyPoints', () => {
  it('reads float64, float32 and integer arrays of shape (N, D) or (N,)', () => {
    const a = parseNpyPoints(npy('<f8', [2, 3], f64([1, 2, 3, 4, 5, 6.5])));
    expect([a.rows, a.dim]).toEqual([2, 3]);
    expect(Array.from(a.values)).toEqual([1, 2, 3, 4, 5, 6.5]);
    expect(Array.from(parseNpyPoints(npy('<f4', [3], f32([0.25, -1, 2]))).values)).toEqual([0.25, -1, 2]);
    expect(parseNpyPoints(npy('<f4', [3], f32([0.25, -1, 2]))).dim).toBe(1);
    expect(Array.from(parseNpyPoints(npy('<i4', [1, 2], new Uint8Array(Int32Array.from([-7, 9]).buffer))).values)).toEqual([-7, 9]);
    expect(Array.from(parseNpyPoints(npy('|u1', [2, 1], Uint8Array.from([3, 250]))).values)).toEqual([3, 250]);
  });

  it.each([
    [npy('>f8', [1, 1], new Uint8Array(8)), /unsupported .npy dtype '>f8'/, 'big-endian'],
    [npy('<c16', [1, 1], new Uint8Array(16)), /unsupported .npy dtype '<c16'/, 'complex'],
    [npy('|O', [1, 1], new Uint8Array(8)), /unsupported .npy dtype '\|O'/, 'objects'],
    [npy('<f8', [2, 2], f64([1, 2, 3, 4]), true), /Fortran order/, 'Fortran order'],
    [npy('<f8', [1, 2, 2], f64([1, 2, 3, 4])), /shape \(1, 2, 2\); expected \(N, D\)/, 'a 3-D array'],
    [npy('<f8', [0, 2], new Uint8Array(0)), /no data rows/, 'no rows'],
    [npy('<f8', [2, 2], f64([1, 2, 3])), /truncated .npy data/, 'missing bytes'],
    [npy('<f8', [2, 1], f64([1, NaN])), /row 1 \(from 0\), column 1 is NaN/, 'NaN'],
    [npy('<f8', [1, 2], f64([1, 1e300])), /beyond the float32 range/, 'a number float32 cannot hold'],
    [new TextEncoder().encode('1,2\n3,4\n'), /not a .npy file/, 'a csv'],
  ])('refuses a file with %#: %s', (bytes, message) => {
    expect(() => parseNpyPoints(bytes)).toThrow(message);
  });
});

describe('dataset kind file', () => {
  it('holds out round(test * N) rows chosen by the split seed, the same every time, disjoint from the training rows', () => {
    const a = splitIndices(50, 0.1, 7);
    expect([a.train.length, a.test.length]).toEqual([45, 5]);
    expect(splitIndices(50, 0.1, 7)).toEqual(a);
    expect(new Set([...a.train, ...a.test]).size).toBe(50);
    expect(splitIndices(50, 0.1, 8).test).not.toEqual(a.test);
    // At least one row each side.
    expect(splitIndices(3, 0.01, 0).test.length).toBe(1);
    expect(splitIndices(3, 0.99, 0).test.length).toBe(2);
    expect(() => splitIndices(1, 0.5, 0)).toThrow(/at least 2 rows/);
  });

  it('builds an EmpiricalDataset from the loaded points: training rows sampled, test rows held out', () => {
    const rows = 40;
    const values = Float32Array.from({ length: rows * 3 }, (_, k) => k);
    const spec = DatasetSchema.parse({ kind: 'file', path: 'my.csv', split: { test: 0.25, seed: 1 } });
    const ds = createDataset(spec, { values, rows, dim: 3 });
    if (hasExactDensity(ds)) throw new Error('file data has no density');
    expect(ds.dim).toBe(3);
    expect(ds.size).toEqual({ train: 30, test: 10 });
    const { test } = splitIndices(rows, 0.25, 1);
    const held = ds.rows('test', new Rng(0)).arraySync();
    expect(held.map((r) => r[0] / 3)).toEqual(test);
    const drawn = ds.sample(200, new Rng(2)).arraySync();
    expect(drawn.every((r) => !test.includes(r[0] / 3))).toBe(true);
    expect(() => createDataset(spec)).toThrow(/file \(my.csv\): the file's points must be loaded first/);
    expect(() => createDensityDataset(spec, 'model analytic needs it')).toThrow(/dataset kind file has no known density: model analytic needs it/);
  });
});
