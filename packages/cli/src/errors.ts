/**
 * An error the CLI reports as `error CODE: message` on stderr. Exit code 2 is a usage error
 * (bad flags, missing arguments), 1 everything else (API errors, unreachable site, ...).
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
    /** Extra lines printed under the error line (a query with a caret, a hint). */
    readonly extra?: string,
  ) {
    super(message);
  }
}

export function usageError(message: string): CliError {
  return new CliError('USAGE', message, 2);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
