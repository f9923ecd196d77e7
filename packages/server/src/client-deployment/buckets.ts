import type { FailurePeriod } from '@steward/protocol';

/** How many buckets the failure chart shows by default: a month of days, a quarter of weeks, a year of months. */
export const DEFAULT_BUCKETS: Record<FailurePeriod, number> = { day: 30, week: 13, month: 12 };

/** The start (UTC) of the bucket holding `at`: midnight; Monday midnight; the 1st at midnight. */
export function bucketStart(at: Date, period: FailurePeriod): Date {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  switch (period) {
    case 'day':
      return d;
    case 'week':
      // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
      d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
      return d;
    case 'month':
      return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  }
}

/** `start` moved by `n` buckets (negative: back). */
export function addBuckets(start: Date, period: FailurePeriod, n: number): Date {
  const d = new Date(start.getTime());
  switch (period) {
    case 'day':
      d.setUTCDate(d.getUTCDate() + n);
      return d;
    case 'week':
      d.setUTCDate(d.getUTCDate() + 7 * n);
      return d;
    case 'month':
      d.setUTCMonth(d.getUTCMonth() + n);
      return d;
  }
}

/** The starts of the `count` buckets ending with the one holding `now`, oldest first. */
export function bucketStarts(now: Date, period: FailurePeriod, count: number): Date[] {
  const last = bucketStart(now, period);
  return Array.from({ length: count }, (_, i) => addBuckets(last, period, i - count + 1));
}
