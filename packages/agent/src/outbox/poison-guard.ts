import type { OutboxItem } from '@steward/protocol';

/** A batch that failed this many times (same first item) is then sent one item at a time. */
export const BATCH_FAILURES_BEFORE_ISOLATION = 3;
/** An item sent alone must fail this many times before the next item is tried as a probe. */
export const SINGLE_FAILURES_BEFORE_PROBE = 2;

/**
 * The agent's own safety net against a poison report item, for a site that cannot refuse it
 * alone (an older site, or a failure the site did not foresee): it remembers (in memory) how
 * often a batch starting at a given item failed and, past a bound, has the outbox sent one item
 * at a time up to the end of that batch, so the item that fails alone can be found.
 */
export class PoisonGuard {
  private readonly batchFailures = new Map<number, number>();
  private readonly singleFailures = new Map<number, number>();
  /** Items up to this sequence number are sent one at a time. */
  private isolateThrough = 0;

  /** How many items the next batch may hold. */
  batchSize(firstSeq: number | undefined, configured: number): number {
    return firstSeq !== undefined && firstSeq <= this.isolateThrough ? 1 : configured;
  }

  /** A batch of several items failed; returns whether one-by-one sending starts now. */
  batchFailed(items: readonly OutboxItem[]): boolean {
    const first = items[0]?.seq;
    const last = items.at(-1)?.seq;
    if (first === undefined || last === undefined) return false;
    const count = (this.batchFailures.get(first) ?? 0) + 1;
    if (count < BATCH_FAILURES_BEFORE_ISOLATION) {
      this.batchFailures.set(first, count);
      return false;
    }
    this.batchFailures.delete(first);
    this.isolateThrough = Math.max(this.isolateThrough, last);
    return true;
  }

  /** An item sent alone failed; returns whether it has failed alone often enough to be probed. */
  itemFailedAlone(seq: number): boolean {
    const count = (this.singleFailures.get(seq) ?? 0) + 1;
    this.singleFailures.set(seq, count);
    return count >= SINGLE_FAILURES_BEFORE_PROBE;
  }

  /** These items were delivered (or set aside): nothing about them is remembered any more. */
  succeeded(items: readonly OutboxItem[]): void {
    for (const { seq } of items) {
      this.batchFailures.delete(seq);
      this.singleFailures.delete(seq);
    }
  }
}
