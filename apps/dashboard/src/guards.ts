// What every request goes through: security headers, the read-only and Host (DNS-rebinding) checks
// first; the JSON error answer last.
import type { NextFunction, Request, Response } from 'express';
import { NotFoundError, StoreError } from '@scorelab/tracking';
import { HttpError, quote } from './http-input';

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Everything is served from this origin; chart.js sets style attributes on its canvases.
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/** Security headers; GET and HEAD only (405 otherwise); Host must be one of allowedHosts when given (403). */
export function requestGuard(allowedHosts: readonly string[] | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw new HttpError(405, `method ${req.method} is not allowed: the dashboard is read-only`);
    }
    if (allowedHosts) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      if (!allowedHosts.includes(host)) throw new HttpError(403, `host ${quote(host)} is not allowed`);
    }
    next();
  };
}

/**
 * JSON for every error: a 4xx says what was wrong with the request; anything else is logged here
 * and answered without details (no stack traces to the client).
 */
export function errorAnswer(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  let status = 500;
  let message = 'internal error (see the server log)';
  if (err instanceof HttpError) {
    status = err.status;
    message = err.message;
  } else if (err instanceof NotFoundError) {
    status = 404;
    message = err.message;
  } else if (err instanceof StoreError) {
    status = 400;
    message = err.message;
  } else if (err instanceof RangeError) {
    status = 400;
    message = err.message;
  } else {
    // Errors raised by express itself (malformed URI encoding: 400, ...) carry a 4xx status.
    const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof s === 'number' && s >= 400 && s < 500) {
      status = s;
      message = s === 400 ? 'malformed request (bad URL encoding?)' : `request refused (${s})`;
    }
  }
  // A 503 of our own (the store file is gone) is the answer, not a fault to log at every request.
  if (status >= 500 && !(err instanceof HttpError)) console.error(`dashboard: ${req.method} ${req.originalUrl}:`, err);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).json({ error: message });
}
