/**
 * Dotted paths into a run config (`sampler.stepSize`, `model.hidden.0`): checking them against the
 * schema, and reading/writing them in plain data.
 */
import type { z } from 'zod';
import type { PathSegment } from './errors';

type Schema = z.ZodType;

/** Strips wrappers that do not change the shape: optional, default, nullable, pipe (input side), ... */
function unwrap(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    const def = s.def as any;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        s = def.innerType;
        break;
      case 'pipe':
        s = def.in;
        break;
      default:
        return s;
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The schemas `schema` may take for `data`: union options are narrowed by their discriminator
 * when `data` has one that matches, otherwise all options are kept.
 */
function variants(schema: Schema, data?: unknown): Schema[] {
  const s = unwrap(schema);
  const def = s.def as any;
  if (def.type !== 'union') return [s];
  const options = (def.options as Schema[]).flatMap((o) => variants(o));
  const disc: string | undefined = def.discriminator;
  if (disc !== undefined && isPlainObject(data) && data[disc] !== undefined) {
    const matching = options.filter((o) => {
      const shape = (o.def as any).shape as Record<string, Schema> | undefined;
      return shape?.[disc]?.safeParse(data[disc]).success === true;
    });
    if (matching.length > 0) return matching;
  }
  return options;
}

/** The schemas reached from `schema` by one step `seg` (empty if the step does not exist). */
function step(schema: Schema, seg: string, data?: unknown): Schema[] {
  const out: Schema[] = [];
  for (const v of variants(schema, data)) {
    const def = v.def as any;
    if (def.type === 'object') {
      const child = (def.shape as Record<string, Schema>)[seg];
      if (child) out.push(child);
    } else if (def.type === 'record') {
      out.push(def.valueType);
    } else if (def.type === 'array' && /^\d+$/.test(seg)) {
      out.push(def.element);
    }
  }
  return out;
}

/** The schemas that may apply at `path` in `data`, with the value there. */
function schemasAt(schema: Schema, path: readonly PathSegment[], data: unknown): { schemas: Schema[]; value: unknown } {
  let current: Schema[] = [schema];
  let value = data;
  for (const seg of path) {
    current = current.flatMap((s) => step(s, String(seg), value));
    value = isPlainObject(value) || Array.isArray(value) ? (value as any)[seg] : undefined;
  }
  return { schemas: current, value };
}

/** True when every schema that may apply at `path` is an integer (for "expected integer" messages). */
export function isIntegerAt(schema: Schema, path: readonly PathSegment[], data: unknown): boolean {
  const { schemas } = schemasAt(schema, path, data);
  return schemas.length > 0 && schemas.every((s) => (unwrap(s) as any).isInt === true);
}

/** Object keys that `schema` accepts at `path` in `data` (for "did you mean" hints). */
export function keysAt(schema: Schema, path: readonly PathSegment[], data: unknown): string[] {
  const { schemas: current, value } = schemasAt(schema, path, data);
  const keys = new Set<string>();
  for (const s of current) {
    for (const v of variants(s, value)) {
      const def = v.def as any;
      if (def.type === 'object') for (const k of Object.keys(def.shape)) keys.add(k);
    }
  }
  return [...keys];
}

/** Splits a dotted path; numeric segments index arrays (`model.hidden.0`). */
export function splitPath(path: string): string[] {
  return path.split('.');
}

/**
 * Why `path` does not name a key of `schema`, or null when it does. Union options count as
 * one: `sampler.stepsPerLevel` exists because the ald sampler has it.
 */
export function schemaPathProblem(schema: Schema, path: string): string | null {
  const segs = splitPath(path);
  if (segs.some((s) => s === '')) return `"${path}" is not a dotted path (empty segment)`;
  let current: Schema[] = [schema];
  for (let i = 0; i < segs.length; i++) {
    const next = current.flatMap((s) => step(s, segs[i]));
    if (next.length === 0) {
      const where = i === 0 ? 'base' : segs.slice(0, i).join('.');
      const keys = [...new Set(current.flatMap((s) => variants(s)).flatMap((v) => ((v.def as any).type === 'object' ? Object.keys((v.def as any).shape) : [])))];
      if (keys.length === 0) return `no such path in base: ${where} has no keys`;
      const hint = closest(segs[i], keys);
      return `no such path in base: ${where} has no key "${segs[i]}"${hint ? ` (did you mean "${hint}"?)` : ` (keys: ${keys.join(', ')})`}`;
    }
    current = next;
  }
  return null;
}

/** The value at `path` in `data`, or undefined. */
export function getAt(data: unknown, path: readonly string[]): unknown {
  let v = data;
  for (const seg of path) {
    if (Array.isArray(v)) v = /^\d+$/.test(seg) ? v[Number(seg)] : undefined;
    else if (isPlainObject(v)) v = v[seg];
    else return undefined;
  }
  return v;
}

/**
 * A deep copy of `data` with `value` at `path`; missing objects on the way are created.
 * Throws an Error with a one-line message when the path runs into a scalar or past an array's end.
 */
export function setAt<T>(data: T, path: readonly string[], value: unknown): T {
  const root = structuredClone(data) as unknown;
  let container = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (Array.isArray(container)) {
      const index = Number(seg);
      if (!/^\d+$/.test(seg) || index >= container.length) {
        throw new Error(`${path.slice(0, i).join('.')} has ${container.length} items; no index ${seg}`);
      }
      if (last) container[index] = structuredClone(value);
      else container = container[index];
    } else if (isPlainObject(container)) {
      if (last) container[seg] = structuredClone(value);
      else {
        if (container[seg] === undefined || container[seg] === null) container[seg] = {};
        container = container[seg];
      }
    } else {
      throw new Error(`${path.slice(0, i).join('.')} is not an object`);
    }
  }
  return root as T;
}

/** The candidate within edit distance 2 of `word` (case-insensitive match first), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
