// Validation of everything a request carries. Every bad input becomes an HttpError with a 4xx status
// and a message that says what was expected; the error handler turns it into `{ error }` JSON.
import type { Request } from 'express';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);

/** Largest maxPoints a client may ask for per series; larger requests are capped. */
export const MAX_POINTS_CAP = 2000;
export const DEFAULT_MAX_POINTS = 500;
/** At most this many runs in one curves request (explicit run list). */
export const MAX_RUNS_PER_REQUEST = 200;

/** A user-supplied value quoted back in an error message: short, one line. */
export function quote(text: string): string {
  const oneLine = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine);
}

/** A query parameter given at most once, as a string (the simple parser turns repeats into arrays). */
export function queryParam(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`query parameter '${name}' must be given once, as text`);
  return v;
}

const ID = /^[1-9][0-9]{0,14}$/;

/** A positive integer id (no sign, no leading zero, no exponent, below 1e15). */
export function parseId(text: string, what: string): number {
  if (!ID.test(text)) throw badRequest(`${what} must be a positive integer, got ${quote(text)}`);
  return Number(text);
}

export function parseIdList(text: string, what: string, max = MAX_RUNS_PER_REQUEST): number[] {
  const parts = text.split(',').filter((s) => s !== '');
  if (parts.length === 0) throw badRequest(`${what} must be a comma-separated list of run ids`);
  if (parts.length > max) throw badRequest(`${what}: at most ${max} ids per request, got ${parts.length}`);
  return [...new Set(parts.map((p) => parseId(p.trim(), `each id in ${what}`)))];
}

/** maxPoints: an integer >= 2; values above the cap are capped (the response says which was used). */
export function parseMaxPoints(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_POINTS;
  if (!/^[0-9]{1,9}$/.test(text)) throw badRequest(`maxPoints must be an integer >= 2, got ${quote(text)}`);
  const n = Number(text);
  if (n < 2) throw badRequest(`maxPoints must be an integer >= 2, got ${n}`);
  return Math.min(n, MAX_POINTS_CAP);
}

/** A name-like value (metric key, parameter path, sweep name, artifact name): 1-200 printable characters. */
export function parseName(text: string | undefined, what: string): string {
  if (text === undefined || text === '') throw badRequest(`${what} is required`);
  if (text.length > 200) throw badRequest(`${what} is too long (at most 200 characters)`);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw badRequest(`${what} contains control characters`);
  return text;
}

export function parseNameList(text: string, what: string, max = 50): string[] {
  const parts = text.split(',').filter((s) => s !== '');
  if (parts.length === 0 || parts.length > max) throw badRequest(`${what} must list 1 to ${max} comma-separated names`);
  return parts.map((p) => parseName(p, `each name in ${what}`));
}
