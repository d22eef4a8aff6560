/** Zod issues -> short messages in the user's terms (`expected number, received string`). */
import type { z } from 'zod';
import type { PathSegment, RawIssue } from './errors';
import { closest, isIntegerAt, keysAt } from './paths';

type ZodIssue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, string> = { int: 'integer', record: 'object', nonoptional: 'a value' };

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function receivedName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function sizeMessage(issue: { origin: string; inclusive?: boolean }, bound: number | bigint, below: boolean): string {
  const n = Number(bound);
  switch (issue.origin) {
    case 'array':
    case 'set':
      return below ? `must have at least ${n} item${n === 1 ? '' : 's'}` : `must have at most ${n} item${n === 1 ? '' : 's'}`;
    case 'string':
      return below ? (n === 1 ? 'must not be empty' : `must have at least ${n} characters`) : `must have at most ${n} characters`;
    default:
      return `must be ${below ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<'} ${n}`;
  }
}

/**
 * Converts zod issues (parsed with `reportInput: true`) into raw issues under `prefix`.
 * `schema` and `input` are the parse root, used to suggest the key a misspelt one was meant to be.
 */
export function fromZodIssues(issues: readonly ZodIssue[], prefix: readonly PathSegment[], schema: z.ZodType, input: unknown): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    switch (issue.code) {
      case 'invalid_type': {
        const expected = issue.expected === 'number' && isIntegerAt(schema, issue.path as PathSegment[], input) ? 'integer' : typeName(issue.expected);
        if (issue.input === undefined) out.push({ path, message: `required (expected ${expected})` });
        // YAML's .nan and .inf are numbers to JavaScript, which zod rejects as "expected number".
        else if (typeof issue.input === 'number' && Number.isNaN(issue.input)) out.push({ path, message: `NaN is not allowed (expected ${expected})` });
        else if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) out.push({ path, message: `must be finite, received ${issue.input}` });
        else if (issue.expected === 'int' && typeof issue.input === 'number') out.push({ path, message: `expected integer, received ${issue.input}` });
        else out.push({ path, message: `expected ${expected}, received ${receivedName(issue.input)}` });
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map((v) => String(v));
        const expected = values.length === 1 ? show(issue.values[0]) : `one of ${values.join(' | ')}`;
        if (issue.input === undefined) out.push({ path, message: `required (expected ${expected})` });
        else out.push({ path, message: `expected ${expected}, received ${show(issue.input)}` });
        break;
      }
      case 'invalid_union': {
        const disc = (issue as { discriminator?: string }).discriminator;
        const options = (issue as { options?: unknown[] }).options;
        if (disc !== undefined && options) {
          const expected = `one of ${options.map(String).join(' | ')}`;
          const value = (issue.input as Record<string, unknown> | undefined)?.[disc];
          if (value === undefined) {
            // zod reports the union node itself when the input is not an object.
            if (issue.input === undefined) out.push({ path: path.slice(0, -1), message: 'required (expected object)' });
            else if (typeof issue.input !== 'object' || issue.input === null || Array.isArray(issue.input)) {
              out.push({ path: path.slice(0, -1), message: `expected object, received ${receivedName(issue.input)}` });
            } else out.push({ path, message: `required (expected ${expected})`, at: path.slice(0, -1), key: true });
          } else out.push({ path, message: `expected ${expected}, received ${show(value)}` });
        } else {
          out.push({ path, message: issue.message });
        }
        break;
      }
      case 'unrecognized_keys': {
        const allowed = keysAt(schema, issue.path as PathSegment[], input);
        for (const key of issue.keys) {
          const hint = closest(key, allowed);
          const message = hint ? `unknown key (did you mean "${hint}"?)` : `unknown key${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`;
          out.push({ path: [...path, key], message, key: true });
        }
        break;
      }
      case 'too_small':
        out.push({ path, message: sizeMessage(issue, issue.minimum, true) });
        break;
      case 'too_big':
        out.push({ path, message: sizeMessage(issue, issue.maximum, false) });
        break;
      default:
        out.push({ path, message: issue.message });
    }
  }
  return out;
}
