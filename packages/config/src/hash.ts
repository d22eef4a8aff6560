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

/** Sections of a resolved config that change the trained model (DESIGN.md section 3); sampler and eval do not. */
export const TRAINING_SECTIONS = ['dataset', 'model', 'noise', 'sde', 'loss', 'train'] as const;

/**
 * Keys inside the training sections that do not change the trained weights: model.engine (both engines
 * compute the same model, to float32 round-off), how often and how many checkpoints are kept, and the
 * sde's sampling eps (training draws t from sde.trainEps).
 */
export const NON_TRAINING_KEYS: readonly string[] = ['model.engine', 'train.checkpointEvery', 'train.keepCheckpoints', 'sde.eps'];

/** Whether a dotted config path (`train.lr`, `sampler.stepSize`, `model`) names something that changes the trained model. */
export function isTrainingKey(path: string): boolean {
  const [section] = path.split('.');
  if (!(TRAINING_SECTIONS as readonly string[]).includes(section)) return false;
  return !NON_TRAINING_KEYS.some((k) => path === k || path.startsWith(`${k}.`));
}

/** The part of a resolved config that the trained model depends on (training sections minus NON_TRAINING_KEYS). */
export function trainingPart(config: ResolvedRunConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const section of TRAINING_SECTIONS) {
    const value = (config as Record<string, unknown>)[section];
    if (value === undefined) continue;
    const copy = { ...(value as Record<string, unknown>) };
    for (const key of NON_TRAINING_KEYS) {
      const [s, k] = key.split('.');
      if (s === section) delete copy[k];
    }
    out[section] = copy;
  }
  return out;
}

/**
 * First 16 hex digits of SHA-256 of canonicalJson({ training: trainingPart(config), seed }): runs that
 * share it train the same model (same weights, bit for bit, on one backend and engine).
 */
export function trainingHash(config: ResolvedRunConfig, seed: number): string {
  return sha256Hex(canonicalJson({ training: trainingPart(config), seed })).slice(0, 16);
}
