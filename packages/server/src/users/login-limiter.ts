/**
 * Failed sign-in throttle that slows the attacker, not the account (the Fleet / Keycloak
 * approach). Failures are counted three ways over a sliding window:
 *  - per (address, name): a few guesses at one account from one place, then that pair waits;
 *  - per address: brute force from one place, over any names, is refused hard;
 *  - per name across addresses: only a slow-down (an increasing delay between attempts, capped),
 *    never a lock: the right password from another address gets through, at worst after
 *    `Retry-After` seconds, and an address that signed in as that name before is not slowed.
 * Throttled attempts are refused before the password is checked, so they cost nothing and do
 * not count. In memory, per process: an attacker spreading over N processes gets N times the
 * budget, which is still tiny.
 */
export interface LoginThrottlePolicy {
  windowMs: number;
  perPairFailures: number;
  perAddressFailures: number;
  /** Failures of a name (all addresses) before its slow-down starts. */
  perNameFreeFailures: number;
  /** The slow-down's delay doubles per failure from 1 s up to this. */
  perNameMaxDelayMs: number;
  /** How long an address that signed in as a name is exempt from that name's slow-down. */
  knownAddressMs: number;
  /** Bound on tracked keys: an attacker cycling names or addresses cannot grow memory for ever. */
  maxKeys: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  windowMs: 15 * 60_000,
  perPairFailures: 5,
  perAddressFailures: 20,
  perNameFreeFailures: 10,
  perNameMaxDelayMs: 30_000,
  knownAddressMs: 30 * 24 * 3600_000,
  maxKeys: 100_000,
};

export interface LoginAttempt {
  /** The user name as typed, lower-cased. */
  name: string;
  address: string;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly known = new Map<string, number>();
  constructor(private readonly policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE) {}

  /** Seconds to wait, or 0 when the attempt may check its password. */
  retryAfter(attempt: LoginAttempt, now: number): number {
    const { windowMs, perPairFailures, perAddressFailures } = this.policy;
    const waitMs = Math.max(
      this.lockedFor(pairKey(attempt), perPairFailures, now),
      this.lockedFor(addressKey(attempt), perAddressFailures, now),
      this.isKnown(attempt, now) ? 0 : this.slowDownFor(attempt, now),
    );
    return waitMs > 0 ? Math.max(1, Math.ceil(Math.min(waitMs, windowMs) / 1000)) : 0;
  }

  fail(attempt: LoginAttempt, now: number): void {
    for (const key of [pairKey(attempt), addressKey(attempt), nameKey(attempt)]) {
      const list = this.recent(key, now);
      list.push(now);
      this.failures.set(key, list);
    }
    this.bound(now);
  }

  /**
   * Forgets the pair's failures and remembers the address for this name. The address's and the
   * name's counts stay: signing in to one's own account must not buy guesses at another.
   */
  succeed(attempt: LoginAttempt, now: number): void {
    this.failures.delete(pairKey(attempt));
    this.known.delete(pairKey(attempt));
    this.known.set(pairKey(attempt), now + this.policy.knownAddressMs);
    this.bound(now);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.policy.windowMs);
  }

  /** Locked until the oldest counted failure leaves the window, once `max` are counted. */
  private lockedFor(key: string, max: number, now: number): number {
    const list = this.recent(key, now);
    if (list.length < max) return 0;
    return (list[list.length - max] ?? now) + this.policy.windowMs - now;
  }

  private slowDownFor(attempt: LoginAttempt, now: number): number {
    const list = this.recent(nameKey(attempt), now);
    const over = list.length - this.policy.perNameFreeFailures;
    if (over < 0) return 0;
    const delay = Math.min(1000 * 2 ** over, this.policy.perNameMaxDelayMs);
    return (list[list.length - 1] ?? now) + delay - now;
  }

  private isKnown(attempt: LoginAttempt, now: number): boolean {
    return (this.known.get(pairKey(attempt)) ?? 0) > now;
  }

  /** Drops expired entries, then the oldest, when more keys are tracked than the bound. */
  private bound(now: number): void {
    const { maxKeys, windowMs } = this.policy;
    if (this.failures.size > maxKeys)
      for (const [key, list] of this.failures)
        if ((list[list.length - 1] ?? 0) <= now - windowMs) this.failures.delete(key);
    for (const map of [this.failures, this.known])
      for (const key of map.keys()) {
        if (map.size <= maxKeys) break;
        map.delete(key);
      }
  }
}

const pairKey = (a: LoginAttempt) => `pair:${a.address}\0${a.name}`;
const addressKey = (a: LoginAttempt) => `address:${a.address}`;
const nameKey = (a: LoginAttempt) => `name:${a.name}`;
