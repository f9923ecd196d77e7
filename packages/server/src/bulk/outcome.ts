import { BULK_FAILURE_EXAMPLES, type BulkFailure, type BulkFailureReason } from '@steward/protocol';

/**
 * What a bulk action (ADR 0031, ADR 0040) made of its targets, before counting: shared by the
 * device and the discovered-machine bulk actions so their summaries are counted alike.
 */
export interface BulkOutcome {
  done: number;
  unchanged: number;
  failed: Map<BulkFailureReason, string[]>;
}

export function emptyOutcome(): BulkOutcome {
  return { done: 0, unchanged: 0, failed: new Map() };
}

/** Records one target that failed for `reason` (named in the examples). */
export function failWith(outcome: BulkOutcome, reason: BulkFailureReason, name: string): void {
  const names = outcome.failed.get(reason) ?? [];
  names.push(name);
  outcome.failed.set(reason, names);
}

/** How many failed in all. */
export function failedCount(outcome: BulkOutcome): number {
  let failed = 0;
  for (const names of outcome.failed.values()) failed += names.length;
  return failed;
}

/** The summary's counts: matched, done, unchanged, failed, and each reason with examples. */
export function summaryOf(
  matched: number,
  o: BulkOutcome,
): { matched: number; done: number; unchanged: number; failed: number; failures: BulkFailure[] } {
  const failures: BulkFailure[] = [...o.failed].map(([reason, names]) => ({
    reason,
    count: names.length,
    examples: names.slice(0, BULK_FAILURE_EXAMPLES),
  }));
  return { matched, done: o.done, unchanged: o.unchanged, failed: failedCount(o), failures };
}
