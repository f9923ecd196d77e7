/**
 * Exponential backoff with full jitter (AWS architecture blog): the n-th retry waits a random
 * time in [0, min(cap, base * 2^n)], so a fleet that lost its site does not return in lockstep.
 * Starts at 1 s, caps at 5 minutes, and resets after a success.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 1_000,
    private readonly capMs = 5 * 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next retry; each call doubles the ceiling up to the cap. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  /** Current ceiling, for logs. */
  get failures(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
