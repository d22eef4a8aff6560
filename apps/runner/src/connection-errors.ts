/**
 * Errors that say a PostgreSQL server cannot be reached right now (stopped, restarting, network gone),
 * as opposed to errors of the request itself. A queue worker waits and tries again after these.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNECTION']);
// SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
const SERVER_GOING = /^(08|57P0[123])/;
const DRIVER_TEXT = /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)|Client was closed|Cannot use a pool after calling end|cannot be reached/i;

export function isConnectionError(e: unknown): boolean {
  for (let cause = e, depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    if (typeof cause !== 'object') return false;
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_GOING.test(code))) return true;
    if (typeof message === 'string' && DRIVER_TEXT.test(message)) return true;
    if (Array.isArray((cause as { errors?: unknown }).errors) && (cause as { errors: unknown[] }).errors.some(isConnectionError)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
