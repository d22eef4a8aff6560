/**
 * Parsers of `dataset: { kind: file }` data, pure (no file system: the runner reads the bytes, a browser
 * could hand over an upload). A problem is a DataFileError naming the line (csv) or row (npy).
 */
import { type DataPoints, dataPoints } from './data-points';

export class DataFileError extends Error {
  /** 1-based line of a csv file, when the problem has one. */
  readonly line?: number;
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'DataFileError';
    this.line = line;
  }
}

export interface ParsedCsv {
  points: DataPoints;
  /** The column names when the first line was a header (every field a non-number). */
  header: string[] | null;
}

/** A decimal number as written in data files: 1, -2.5, .5, 3e-4 (no hex, no empty field). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * CSV: one point per line, numbers separated by commas (or, when the first data line has no comma, by
 * whitespace). Blank lines and lines starting with # are skipped. A first line whose fields are all
 * non-numbers is a header of column names. Every row must have the first row's number of values; NaN,
 * Infinity and numbers beyond float32's range are refused.
 */
export function parseCsvPoints(text: string): ParsedCsv {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  let header: string[] | null = null;
  let comma: boolean | null = null;
  let dim = 0;
  let headerLine = 0;
  const values: number[] = [];
  let rows = 0;
  let firstRowLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '').trim();
    const lineNo = i + 1;
    if (line === '' || line.startsWith('#')) continue;
    if (comma === null) comma = line.includes(',');
    const fields = comma ? line.split(',').map((f) => f.trim()) : line.split(/\s+/);
    if (header === null && rows === 0 && fields.every((f) => f !== '' && !NUMBER.test(f) && !NON_FINITE.test(f))) {
      header = fields;
      headerLine = lineNo;
      dim = fields.length;
      comma = null; // the separator of the data is read from the first data line
      continue;
    }
    if (rows === 0 && header === null) dim = fields.length;
    if (fields.length !== dim) {
      const what = header !== null && rows === 0 ? `the header (line ${headerLine}) names ${dim} columns` : `line ${firstRowLine || lineNo} has ${dim}`;
      throw new DataFileError(`${fields.length} value${fields.length === 1 ? '' : 's'}, but ${what} (ragged rows)`, lineNo);
    }
    fields.forEach((f, c) => {
      if (NON_FINITE.test(f)) throw new DataFileError(`column ${c + 1} is ${f}: only finite numbers are allowed`, lineNo);
      if (!NUMBER.test(f)) {
        const hint = rows === 0 && header === null ? ' (a header line must name every column with a non-number)' : '';
        throw new DataFileError(`column ${c + 1} is '${f}', not a number${hint}`, lineNo);
      }
      const v = Number(f);
      if (!Number.isFinite(Math.fround(v))) throw new DataFileError(`column ${c + 1} is ${f}, beyond the float32 range`, lineNo);
      values.push(v);
    });
    if (rows === 0) firstRowLine = lineNo;
    rows++;
  }
  if (rows === 0) throw new DataFileError(header ? `no data rows: the file has only a header line (line ${headerLine})` : 'no data rows: the file is empty');
  return { points: dataPoints(Float32Array.from(values), rows, dim), header };
}

/** dtypes of .npy files that are read (little-endian or single-byte), by their descr. */
const NPY_DTYPES: Record<string, { bytes: number; read: (view: DataView, offset: number) => number }> = {
  '<f4': { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  '<f8': { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  '|u1': { bytes: 1, read: (v, o) => v.getUint8(o) },
  '|i1': { bytes: 1, read: (v, o) => v.getInt8(o) },
  '<u2': { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  '<i2': { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  '<u4': { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  '<i4': { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  '<i8': { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  '<u8': { bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
};

/**
 * A NumPy .npy file (format versions 1-3) holding an array of shape [N, D] (or [N]: D = 1) of a
 * little-endian float or integer dtype, C order. Fortran order, big-endian, object, complex and
 * structured dtypes are refused, as are NaN and Infinity.
 */
export function parseNpyPoints(bytes: Uint8Array): DataPoints {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new DataFileError('not a .npy file (it does not start with \\x93NUMPY)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) throw new DataFileError(`unsupported .npy format version ${major}.${bytes[7]}`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new DataFileError('truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new DataFileError(`cannot read the .npy header ${header.trim()}`);
  const dtype = NPY_DTYPES[descr.replace(/^=/, '<')];
  if (!dtype) throw new DataFileError(`unsupported .npy dtype '${descr}': use float32 or float64 (or a little-endian integer type), e.g. np.save(path, x.astype(np.float32))`);
  if (fortran === 'True') throw new DataFileError('the .npy array is in Fortran order: save it in C order, e.g. np.save(path, np.ascontiguousarray(x))');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.length < 1 || shape.length > 2 || shape.some((s) => !Number.isInteger(s) || s < 0)) throw new DataFileError(`the .npy array has shape (${shapeText}); expected (N, D) or (N,)`);
  const rows = shape[0];
  const dim = shape.length === 2 ? shape[1] : 1;
  if (rows === 0 || dim === 0) throw new DataFileError(`no data rows: the .npy array has shape (${shapeText})`);
  const count = rows * dim;
  if (bytes.length - dataStart < count * dtype.bytes) throw new DataFileError(`truncated .npy data: shape (${shapeText}) needs ${count * dtype.bytes} bytes, the file has ${bytes.length - dataStart}`);
  const values = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    const v = dtype.read(view, dataStart + k * dtype.bytes);
    const f = Math.fround(v);
    if (!Number.isFinite(f)) throw new DataFileError(`row ${Math.floor(k / dim)} (from 0), column ${(k % dim) + 1} is ${v}${Number.isFinite(v) ? ', beyond the float32 range' : ''}: only finite numbers are allowed`);
    values[k] = f;
  }
  return dataPoints(values, rows, dim);
}
