import { describe, expect, it } from 'vitest';
import {
  describeRecurrence,
  describeTrigger,
  draftOf,
  emptyRecurrence,
  recurrenceOf,
} from './recurrence';

describe('recurrence drafts', () => {
  it('round-trips every kind and keeps only the fields of the chosen kind', () => {
    for (const r of [
      { kind: 'none' as const },
      { kind: 'daily' as const, everyDays: 3 },
      { kind: 'weekly' as const, everyWeeks: 2, days: [1, 4] },
      { kind: 'monthly' as const, everyMonths: 1, dayOfMonth: -1 as const },
    ])
      expect(recurrenceOf(draftOf(r))).toEqual(r);
    expect(recurrenceOf({ ...emptyRecurrence('weekly'), days: [5, 0] })).toEqual({
      kind: 'weekly',
      everyWeeks: 1,
      days: [0, 5],
    });
  });

  it('describes schedules in words', () => {
    expect(describeRecurrence({ kind: 'weekly', everyWeeks: 2, days: [1, 4] })).toBe(
      'every 2 weeks on Mon, Thu',
    );
    expect(describeRecurrence({ kind: 'monthly', everyMonths: 1, dayOfMonth: 22 })).toBe(
      'every month on the 22nd',
    );
    expect(describeRecurrence({ kind: 'monthly', everyMonths: 3, dayOfMonth: 11 })).toBe(
      'every 3 months on the 11th',
    );
    expect(describeRecurrence({ kind: 'monthly', everyMonths: 1, dayOfMonth: -1 })).toBe(
      'every month on the last day',
    );
    expect(
      describeTrigger(
        { type: 'at', start: '2030-01-01T02:00', recurrence: { kind: 'daily', everyDays: 1 } },
        'local',
      ),
    ).toBe('From 2030-01-01 02:00 client local time, every day');
    expect(describeTrigger({ type: 'at', start: '2030-01-01T02:00' }, 'utc')).toBe(
      'At 2030-01-01 02:00 UTC',
    );
  });
});
