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

export const EXIT = { ok: 0, runsFailed: 1, usage: 2, interrupted: 130 } as const;
