import { ErrorCode } from '@steward/protocol';

/**
 * The agent's error classes. Codes the site sends come from protocol's `ErrorCode` (ADR 0012);
 * the agent adds its own for what never crosses HTTP (SERVER_UNREACHABLE, USAGE, ...). Every error that reaches the CLI carries a stable `code`, printed as
 * `error CODE: message`; scripts and tests switch on the code, never on the text.
 */
export class AgentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AgentError';
  }
}

/** Codes with which the site says this device must stop talking to it. */
export const FATAL_DEVICE_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  ErrorCode.DEVICE_REVOKED,
  ErrorCode.DEVICE_UNKNOWN,
  // A wrong key never becomes right by retrying; treating it as fatal avoids hammering the site.
  ErrorCode.DEVICE_AUTH_FAILED,
]);

/** The site revoked or does not know this device: `run` exits with code 3 and does not retry. */
export class DeviceRejectedError extends AgentError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'DeviceRejectedError';
  }
}

/** The site could not be reached (DNS, TCP, TLS handshake, timeout, 5xx). Retried with backoff. */
export class UnreachableError extends AgentError {
  /** The HTTP status when the site answered (5xx, 429); undefined when it could not be reached. */
  readonly status: number | undefined;

  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super('SERVER_UNREACHABLE', message, options);
    this.name = 'UnreachableError';
    this.status = options?.status;
  }
}

/** The site answered with a 4xx error body `{code, message}`. */
export class HttpStatusError extends AgentError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
    this.name = 'HttpStatusError';
  }
}

/** Process exit codes of `steward-agent`. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  deviceRejected: 3,
} as const;

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
