import { describe, expect, it } from 'vitest';
import { bucketStart, bucketStarts } from './buckets.js';

describe('failure chart buckets', () => {
  const at = new Date('2026-12-06T16:45:00.000Z'); // a Sunday

  it('starts days at UTC midnight, weeks on Monday, months on the 1st', () => {
    expect(bucketStart(at, 'day').toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(bucketStart(at, 'week').toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(bucketStart(new Date('2026-11-30T00:00:00.000Z'), 'week').toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
    expect(bucketStart(at, 'month').toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('lists the buckets ending with the current one, oldest first, across a year end', () => {
    const months = bucketStarts(new Date('2027-01-15T00:00:00.000Z'), 'month', 3);
    expect(months.map((d) => d.toISOString().slice(0, 10))).toEqual([
      '2026-11-01',
      '2026-12-01',
      '2027-01-01',
    ]);
    const weeks = bucketStarts(at, 'week', 2);
    expect(weeks.map((d) => d.toISOString().slice(0, 10))).toEqual(['2026-11-23', '2026-11-30']);
  });
});
