import { isIPv6 } from 'node:net';

/**
 * The address a refusal is charged to: IPv4 as is, IPv6 by its /64 (one host usually holds a
 * whole /64, so per-address limits on single IPv6 addresses would be no limit at all).
 */
export function throttleKey(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!isIPv6(plain)) return plain;
  const [head = '', tail] = plain.split('::');
  const groups = head ? head.split(':') : [];
  if (tail !== undefined) {
    const rest = tail ? tail.split(':') : [];
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - rest.length)).fill('0'), ...rest);
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export interface ThrottleOptions {
  /** Refusals an address may collect at once. */
  burst: number;
  /** Refusals an address earns back per minute. */
  perMinute: number;
  /** Addresses remembered; the least recently refused are forgotten first. */
  maxAddresses: number;
}

/**
 * `STEWARD_AGENT_REFUSALS_PER_MINUTE` (default 30; 0 turns the limit off) sets both the burst
 * and the rate, for sites that need another figure and for suites that refuse on purpose.
 */
export function throttleOptionsFromEnv(): ThrottleOptions {
  const raw = process.env.STEWARD_AGENT_REFUSALS_PER_MINUTE;
  const n = raw === undefined || raw === '' ? 30 : Number(raw);
  const perMinute = Number.isInteger(n) && n >= 0 ? n : 30;
  return { burst: perMinute, perMinute, maxAddresses: 100_000 };
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per address, in memory (each process limits on its own; a refusal budget needs
 * no coordination). Hand-written rather than @fastify/rate-limit because that plugin counts every
 * request up front, and here only refusals may count: successes behind a shared address are
 * never limited.
 */
export class RefusalThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly opts: ThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the address may go on, else the seconds until it may. */
  retryAfterSeconds(key: string): number {
    if (this.opts.perMinute === 0) return 0;
    const b = this.buckets.get(key);
    if (!b) return 0;
    const tokens = this.refilled(b);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 60) / this.opts.perMinute);
  }

  /** One refusal for this address. */
  charge(key: string): void {
    if (this.opts.perMinute === 0) return;
    const b = this.buckets.get(key);
    const tokens = b ? this.refilled(b) : this.opts.burst;
    // Re-inserted so the map's order is least recently refused first.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: Math.max(0, tokens - 1), at: this.now() });
    while (this.buckets.size > this.opts.maxAddresses) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
  }

  private refilled(b: Bucket): number {
    const earned = ((this.now() - b.at) / 60_000) * this.opts.perMinute;
    return Math.min(this.opts.burst, b.tokens + earned);
  }
}
