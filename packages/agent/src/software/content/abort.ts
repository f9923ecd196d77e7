/** True for the error an AbortSignal produces (fetch/https/timers all name it AbortError). */
export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === 'AbortError' || ('code' in err && err.code === 'ABORT_ERR'))
  );
}

/**
 * What an aborted operation rejects with: the signal's reason (an AbortError DOMException unless
 * the caller gave its own), whatever low-level error (socket reset...) the abort caused first.
 */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new DOMException('This operation was aborted', 'AbortError');
}
