import type { ResolvedRunConfig } from './schema';
import { sha256Hex } from './sha256';

/**
 * JSON with object keys sorted (by UTF-16 code units) and no whitespace, so equal values give
 * equal text whatever the key order. Keys whose value is undefined are left out, as in JSON.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`canonicalJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

/** First 16 hex digits (64 bits) of SHA-256 of canonicalJson({ config, seed }). */
export function configHash(config: ResolvedRunConfig, seed: number): string {
  return sha256Hex(canonicalJson({ config, seed })).slice(0, 16);
}
