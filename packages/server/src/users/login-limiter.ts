/**
 * Failed-login throttle per user name and per client address: after `maxFailures` failures in
 * `windowMs`, further attempts are refused until the window passes. In memory, per process:
 * an attacker spreading over N processes gets N times the budget, which is still tiny.
 */
export class LoginLimiter {
  private failures = new Map<string, number[]>();
  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 5 * 60_000,
  ) {}

  /** Seconds to wait, or 0 when an attempt is allowed. */
  retryAfter(keys: string[], now: number): number {
    let wait = 0;
    for (const key of keys) {
      const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
      this.failures.set(key, list);
      if (list.length >= this.maxFailures) {
        const oldest = list[0] ?? now;
        wait = Math.max(wait, Math.ceil((oldest + this.windowMs - now) / 1000));
      }
    }
    return wait;
  }

  fail(keys: string[], now: number): void {
    for (const key of keys) {
      const list = this.failures.get(key) ?? [];
      list.push(now);
      this.failures.set(key, list);
    }
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
