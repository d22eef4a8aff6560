/** Bad input (arguments, experiment file, missing store): exit code 2, nothing written. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose --help to point at, if any. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An expected failure after the input was accepted (e.g. the store's disk is full): its message
 * is the whole story (no stack trace), exit code 1. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

export const EXIT = { ok: 0, runsFailed: 1, usage: 2, interrupted: 130 } as const;

/**
 * The error of a run that ended because the store refused a write (a full disk): short, since the
 * sweep's own message names the file. `e` is a StoreWriteError of @scorelab/tracking.
 */
export function storeFailureText(e: { reason: string; code: string }): string {
  return `the store could not be written: ${e.reason} (${e.code})`;
}
