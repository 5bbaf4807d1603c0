/**
 * How a backup command ends when it cannot do what was asked. The exit code tells scripts why:
 * 2 the command line is wrong, 3 the request is refused before anything was changed (nothing to
 * restore from, target out of range, target directory in use), 1 the work started and failed.
 * A wrong environment variable exits 78 (kit/config.ts).
 */
export const EXIT = { failed: 1, usage: 2, refused: 3 } as const;

export class OpsError extends Error {
  constructor(
    readonly exitCode: (typeof EXIT)[keyof typeof EXIT],
    message: string,
  ) {
    super(message);
    this.name = 'OpsError';
  }
}

export const usageError = (message: string) => new OpsError(EXIT.usage, message);
export const refused = (message: string) => new OpsError(EXIT.refused, message);
export const failed = (message: string) => new OpsError(EXIT.failed, message);
