import { AgentError } from '../../errors.js';

export type ContentUnavailableCode =
  'NO_LOCATION' | 'SLOW_BOUNDARY' | 'HASH_MISMATCH' | 'DOWNLOAD_FAILED';

/** How long to wait before asking again when nothing better is known (minutes, not seconds: a DP
 * that is down or a client on a slow link rarely changes within a poll interval). */
export const DEFAULT_RETRY_MS = 10 * 60_000;

/**
 * The content of a package version cannot be made available now. `code` says why (the deployment
 * state reports it as `waiting-content`/`failed` reason), `retryAfterMs` when asking again makes
 * sense (e.g. when the next fallback tier of DPs becomes usable).
 */
export class ContentUnavailableError extends AgentError {
  override readonly code: ContentUnavailableCode;

  constructor(
    code: ContentUnavailableCode,
    message: string,
    readonly retryAfterMs: number = DEFAULT_RETRY_MS,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.code = code;
    this.name = 'ContentUnavailableError';
  }
}
