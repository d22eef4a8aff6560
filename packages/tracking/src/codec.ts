// Encodings between JS values and SQLite columns.

/** 'nan' | 'inf' | '-inf' for a non-finite double, null otherwise. */
export type NonFinite = 'nan' | 'inf' | '-inf';

/** A double as (value REAL, nonfinite TEXT): SQLite stores NaN as NULL, so non-finite values go in
 * the text flag and value is NULL (aggregates like min/avg then skip them). */
export function encodeValue(v: number): [number | null, NonFinite | null] {
  if (Number.isFinite(v)) return [v, null];
  if (Number.isNaN(v)) return [null, 'nan'];
  return [null, v > 0 ? 'inf' : '-inf'];
}

export function decodeValue(value: number | null, nonfinite: string | null): number {
  switch (nonfinite) {
    case null:
      if (value === null) throw new Error('metric row with neither value nor nonfinite flag');
      return value;
    case 'nan':
      return NaN;
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    default:
      throw new Error(`unknown nonfinite flag '${nonfinite}'`);
  }
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** The bytes of a typed array (platform byte order: little-endian on every platform Node supports
 * in practice). */
export function typedArrayBytes(a: Float32Array | Float64Array | Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Copies a blob into a fresh, aligned ArrayBuffer (a driver Buffer may sit at any offset of a
 * shared pool, which a Float64Array view cannot). */
export function alignedCopy(blob: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(blob.byteLength);
  new Uint8Array(out).set(blob);
  return out;
}
