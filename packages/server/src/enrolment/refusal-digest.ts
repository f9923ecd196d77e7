/**
 * How many status messages refused enrolments may write. A refused enrolment is unauthenticated
 * traffic: one message each would let anyone fill the status table (314 a second from one
 * client). Per interval, only the first refusal from each address is recorded one by one, and
 * at most `maxItemised` in all; the rest are counted and written as one summary per interval.
 */
export interface RefusalDigestOptions {
  intervalMs: number;
  maxItemised: number;
}

/**
 * `STEWARD_ENROLMENT_DIGEST_SECONDS` shortens the interval (tests use it to see the summary
 * without waiting a minute).
 */
export function digestOptionsFromEnv(): RefusalDigestOptions {
  const s = Number(process.env.STEWARD_ENROLMENT_DIGEST_SECONDS);
  return { intervalMs: Number.isInteger(s) && s > 0 ? s * 1000 : 60_000, maxItemised: 20 };
}

export interface RefusalSummary {
  /** Refusals counted, not recorded one by one. */
  count: number;
  addresses: number;
  topAddress: string;
  topCount: number;
}

export class RefusalDigest {
  private itemised = new Set<string>();
  private counted = new Map<string, number>();

  constructor(readonly opts: RefusalDigestOptions) {}

  /** True when this refusal gets its own status message; otherwise it is counted. */
  record(address: string): boolean {
    if (!this.itemised.has(address) && this.itemised.size < this.opts.maxItemised) {
      this.itemised.add(address);
      return true;
    }
    this.counted.set(address, (this.counted.get(address) ?? 0) + 1);
    return false;
  }

  /** Ends the interval: what was counted (undefined if nothing), and a fresh start. */
  drain(): RefusalSummary | undefined {
    const counted = [...this.counted];
    this.itemised = new Set();
    this.counted = new Map();
    if (counted.length === 0) return undefined;
    const [topAddress, topCount] = counted.reduce((a, b) => (b[1] > a[1] ? b : a));
    return {
      count: counted.reduce((n, [, c]) => n + c, 0),
      addresses: counted.length,
      topAddress,
      topCount,
    };
  }
}
