/**
 * Download throttle ("throttle to a configured rate"): a token bucket holding at most `burst`
 * bytes, refilled at `rateBytesPerSec`. A reader takes the bytes it has just received and waits
 * the returned delay before reading more, so the socket is paused (TCP backpressure slows the
 * sender) instead of spinning. The balance may go negative: one large chunk is paid off by a
 * proportionally longer wait, which keeps the long-run rate exact whatever the chunk sizes.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly burst: number;

  constructor(
    readonly rateBytesPerSec: number,
    private readonly nowMs: () => number = () => performance.now(),
    burst?: number,
  ) {
    if (!(rateBytesPerSec > 0)) throw new RangeError('rateBytesPerSec must be positive');
    // A quarter of a second of traffic, at least 64 KiB so a single TLS record never waits alone.
    this.burst = burst ?? Math.max(64 * 1024, Math.floor(rateBytesPerSec / 4));
    this.tokens = this.burst;
    this.last = nowMs();
  }

  /** Accounts for `bytes` just transferred; returns how many ms to wait before the next read. */
  take(bytes: number): number {
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens / this.rateBytesPerSec) * 1000);
  }

  /** Current balance in bytes (negative while a wait is owed). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.nowMs();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.rateBytesPerSec);
  }
}
