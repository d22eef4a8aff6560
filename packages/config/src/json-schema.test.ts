import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { experimentJsonSchema, experimentJsonSchemaText } from './index';

const SCHEMA_FILE = fileURLToPath(new URL('../../../docs/experiment.schema.json', import.meta.url));
const REFERENCE_FILE = fileURLToPath(new URL('../../../docs/experiment-file.md', import.meta.url));

describe('docs/experiment.schema.json', () => {
  it('is up to date with the zod schema (regenerate: npx tsx packages/config/src/write-json-schema.ts)', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === experimentJsonSchemaText(), 'docs/experiment.schema.json is stale: run npx tsx packages/config/src/write-json-schema.ts').toBe(true);
  });

  it('describes every key, is strict, and carries the defaults', () => {
    const schema = experimentJsonSchema() as any;
    const undescribed: string[] = [];
    const open: string[] = [];
    const walk = (s: any, path: string) => {
      if (!s || typeof s !== 'object') return;
      if (s.properties) {
        if (s.additionalProperties !== false) open.push(path);
        for (const [k, v] of Object.entries<any>(s.properties)) {
          if (!v.description) undescribed.push(`${path}.${k}`);
          walk(v, `${path}.${k}`);
        }
      }
      for (const key of ['oneOf', 'anyOf']) (s[key] ?? []).forEach((o: any, i: number) => walk(o, `${path}|${i}`));
      if (s.items) walk(s.items, `${path}[]`);
      if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${path}{}`);
    };
    walk(schema, '');
    expect(undescribed).toEqual([]);
    expect(open).toEqual([]);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(schema.properties)).toEqual(['name', 'description', 'base', 'method', 'trials', 'searchSeed', 'parameters', 'seeds']);
    expect(schema.required).toEqual(['name', 'base']);
    const base = schema.properties.base;
    expect(Object.keys(base.properties)).toEqual(['dataset', 'model', 'noise', 'sde', 'loss', 'train', 'sampler', 'eval']);
    expect(base.required).toEqual(['dataset', 'model']);
    const mlp = base.properties.model.oneOf.find((o: any) => o.properties.kind.const === 'mlp');
    expect(mlp.properties.hidden.default).toEqual([128, 128]);
    expect(mlp.properties.activation.default).toBe('softplus');
    expect(mlp.properties.conditioning.default).toBe('embed');
    expect(base.properties.train.properties.batchSize.default).toBe(128);
    expect(schema.properties.seeds.default).toEqual([0]);
  });
});

describe('docs/experiment-file.md', () => {
  it('mentions every key and every enum value of the schema in code', () => {
    const doc = readFileSync(REFERENCE_FILE, 'utf8');
    // Text inside code spans and code blocks.
    const code = [...doc.matchAll(/```[\s\S]*?```|`[^`\n]+`/g)].map((m) => m[0]).join('\n');
    const words = new Set<string>();
    const walk = (s: any) => {
      if (!s || typeof s !== 'object') return;
      if (Array.isArray(s)) return s.forEach(walk);
      for (const k of Object.keys(s.properties ?? {})) words.add(k);
      for (const v of s.enum ?? []) words.add(String(v));
      if (typeof s.const === 'string') words.add(s.const);
      Object.values(s).forEach(walk);
    };
    walk(experimentJsonSchema());
    expect(words.size).toBeGreaterThan(60);
    const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const missing = [...words].filter((w) => !new RegExp(`(^|[^\\w-])${escape(w)}($|[^\\w-])`).test(code));
    expect(missing).toEqual([]);
  });
});
