import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canStartIn,
  instantToWallTime,
  lastOccurrence,
  lastTriggerTime,
  mergeIntervals,
  nextFittingStart,
  nextOccurrence,
  nextTriggerTime,
  occurrences,
  parseWallTime,
  type TimeBaseName,
  wallTimeToInstant,
  windowIntervals,
  type WindowSpec,
} from './eval.js';
import type { Recurrence } from './schemas.js';

// 'local' is the process zone: these tests pin it to a zone with DST.
const previousTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  if (previousTz === undefined) delete process.env.TZ;
  else process.env.TZ = previousTz;
});

const Z = (iso: string) => Date.parse(iso);
const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString());
const H = 3_600_000;
const MIN = 60_000;

describe('wall times', () => {
  it('reads the process zone for local and UTC for utc', () => {
    expect(new Date(Z('2026-01-15T09:00:00Z')).getHours()).toBe(10); // TZ really applies
    expect(wallTimeToInstant('2026-01-15T10:00', 'local')).toBe(Z('2026-01-15T09:00:00Z'));
    expect(wallTimeToInstant('2026-07-15T10:00', 'local')).toBe(Z('2026-07-15T08:00:00Z'));
    expect(wallTimeToInstant('2026-07-15T10:00:30', 'utc')).toBe(Z('2026-07-15T10:00:30Z'));
    expect(instantToWallTime(Z('2026-07-15T08:00:00Z'), 'local')).toBe('2026-07-15T10:00:00');
    expect(instantToWallTime(Z('2026-07-15T08:00:00Z'), 'utc')).toBe('2026-07-15T08:00:00');
  });

  it('moves a wall time in the spring-forward gap forward and takes the first of an ambiguous one', () => {
    expect(wallTimeToInstant('2026-03-29T02:30', 'local')).toBe(Z('2026-03-29T01:30:00Z'));
    expect(wallTimeToInstant('2026-10-25T02:30', 'local')).toBe(Z('2026-10-25T00:30:00Z'));
  });

  it('refuses text that is not a real date', () => {
    expect(() => parseWallTime('2026-02-30T10:00')).toThrow(RangeError);
    expect(() => parseWallTime('2026-01-01 10:00')).toThrow(RangeError);
    expect(() => parseWallTime('2026-01-01T24:00')).toThrow(RangeError);
    expect(parseWallTime('2028-02-29T23:59:59')).toEqual({
      year: 2028,
      month: 2,
      day: 29,
      hour: 23,
      minute: 59,
      second: 59,
    });
  });
});

interface OccurrenceCase {
  name: string;
  start: string;
  recurrence: Recurrence;
  timeBase: TimeBaseName;
  from: string;
  to: string;
  expected: string[];
}

describe('occurrences', () => {
  const daily = { kind: 'daily', everyDays: 1 } as const;
  const every3Days = { kind: 'daily', everyDays: 3 } as const;
  const cases: OccurrenceCase[] = [
    {
      name: 'keeps a daily local time across the spring-forward week in Europe/Berlin',
      start: '2026-03-01T03:00',
      recurrence: daily,
      timeBase: 'local',
      from: '2026-03-27T00:00:00Z',
      to: '2026-03-31T00:00:00Z',
      expected: [
        '2026-03-27T02:00:00.000Z',
        '2026-03-28T02:00:00.000Z',
        '2026-03-29T01:00:00.000Z',
        '2026-03-30T01:00:00.000Z',
      ],
    },
    {
      name: 'keeps a daily local time across the fall-back week in Europe/Berlin',
      start: '2026-03-01T03:00',
      recurrence: daily,
      timeBase: 'local',
      from: '2026-10-24T00:00:00Z',
      to: '2026-10-27T00:00:00Z',
      expected: [
        '2026-10-24T01:00:00.000Z',
        '2026-10-25T02:00:00.000Z',
        '2026-10-26T02:00:00.000Z',
      ],
    },
    {
      name: 'the same schedule in UTC ignores DST',
      start: '2026-03-01T03:00',
      recurrence: daily,
      timeBase: 'utc',
      from: '2026-03-28T00:00:00Z',
      to: '2026-03-31T00:00:00Z',
      expected: [
        '2026-03-28T03:00:00.000Z',
        '2026-03-29T03:00:00.000Z',
        '2026-03-30T03:00:00.000Z',
      ],
    },
    {
      name: 'steps every N days from the start date, never before the start',
      start: '2026-01-01T12:00',
      recurrence: every3Days,
      timeBase: 'utc',
      from: '2025-12-01T00:00:00Z',
      to: '2026-01-11T00:00:00Z',
      expected: [
        '2026-01-01T12:00:00.000Z',
        '2026-01-04T12:00:00.000Z',
        '2026-01-07T12:00:00.000Z',
        '2026-01-10T12:00:00.000Z',
      ],
    },
    {
      name: 'a range starting mid-cycle lands on the cycle, not on the range start',
      start: '2026-01-01T12:00',
      recurrence: every3Days,
      timeBase: 'utc',
      from: '2026-01-05T00:00:00Z',
      to: '2026-01-08T00:00:00Z',
      expected: ['2026-01-07T12:00:00.000Z'],
    },
    {
      // 2026-01-07 is a Wednesday; Monday 2026-01-05 is before the start and does not count.
      name: 'weekly: listed weekdays of every N-th week from the start week (weeks start on Sunday)',
      start: '2026-01-07T09:00',
      recurrence: { kind: 'weekly', everyWeeks: 2, days: [1, 5] },
      timeBase: 'utc',
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-07T00:00:00Z',
      expected: [
        '2026-01-09T09:00:00.000Z',
        '2026-01-19T09:00:00.000Z',
        '2026-01-23T09:00:00.000Z',
        '2026-02-02T09:00:00.000Z',
        '2026-02-06T09:00:00.000Z',
      ],
    },
    {
      name: 'monthly -1 is the last day of every month, leap years included',
      start: '2027-11-10T22:00',
      recurrence: { kind: 'monthly', everyMonths: 1, dayOfMonth: -1 },
      timeBase: 'utc',
      from: '2027-01-01T00:00:00Z',
      to: '2028-05-01T00:00:00Z',
      expected: [
        '2027-11-30T22:00:00.000Z',
        '2027-12-31T22:00:00.000Z',
        '2028-01-31T22:00:00.000Z',
        '2028-02-29T22:00:00.000Z',
        '2028-03-31T22:00:00.000Z',
        '2028-04-30T22:00:00.000Z',
      ],
    },
    {
      name: 'monthly 31 skips months without a 31st',
      start: '2026-01-01T00:00',
      recurrence: { kind: 'monthly', everyMonths: 1, dayOfMonth: 31 },
      timeBase: 'utc',
      from: '2026-01-01T00:00:00Z',
      to: '2026-10-01T00:00:00Z',
      expected: [
        '2026-01-31T00:00:00.000Z',
        '2026-03-31T00:00:00.000Z',
        '2026-05-31T00:00:00.000Z',
        '2026-07-31T00:00:00.000Z',
        '2026-08-31T00:00:00.000Z',
      ],
    },
    {
      name: 'monthly every 2 months in local time keeps the wall time across DST',
      start: '2026-01-15T08:30',
      recurrence: { kind: 'monthly', everyMonths: 2, dayOfMonth: 15 },
      timeBase: 'local',
      from: '2026-01-01T00:00:00Z',
      to: '2026-08-01T00:00:00Z',
      expected: [
        '2026-01-15T07:30:00.000Z',
        '2026-03-15T07:30:00.000Z',
        '2026-05-15T06:30:00.000Z',
        '2026-07-15T06:30:00.000Z',
      ],
    },
  ];

  it.each(cases)('$name', ({ start, recurrence, timeBase, from, to, expected }) => {
    const t = occurrences(start, recurrence, timeBase, Z(from), Z(to));
    expect(iso(t)).toEqual(expected);
    // Every occurrence keeps the start's wall-clock time in its own time base.
    expect(t.map((ms) => instantToWallTime(ms, timeBase).slice(11, 16))).toEqual(
      Array<string>(expected.length).fill(start.slice(11, 16)),
    );
  });

  it('a monthly day that never comes ends the schedule', () => {
    // Every 12 months from April: always April, which has no 31st.
    const never = { kind: 'monthly', everyMonths: 12, dayOfMonth: 31 } as const;
    expect(occurrences('2026-04-01T00:00', never, 'utc', 0, Z('2100-01-01T00:00:00Z'))).toEqual([]);
    expect(nextOccurrence('2026-04-01T00:00', never, 'utc', 0)).toBeUndefined();
  });

  it('a schedule without recurrence occurs once', () => {
    const none = { kind: 'none' } as const;
    expect(occurrences('2026-05-01T10:00', none, 'utc', 0, Z('2030-01-01T00:00:00Z'))).toEqual([
      Z('2026-05-01T10:00:00Z'),
    ]);
    expect(
      occurrences('2026-05-01T10:00', none, 'utc', Z('2026-05-01T10:00:01Z'), Z('2030-01-01')),
    ).toEqual([]);
    expect(lastOccurrence('2026-05-01T10:00', none, 'utc', Z('2029-01-01T00:00:00Z'))).toBe(
      Z('2026-05-01T10:00:00Z'),
    );
  });

  it('finds the last occurrence at or before an instant, however long ago', () => {
    const daily = { kind: 'daily', everyDays: 1 } as const;
    expect(lastOccurrence('2026-01-01T02:00', daily, 'utc', Z('2026-06-10T01:59:59Z'))).toBe(
      Z('2026-06-09T02:00:00Z'),
    );
    expect(lastOccurrence('2026-01-01T02:00', daily, 'utc', Z('2026-06-10T02:00:00Z'))).toBe(
      Z('2026-06-10T02:00:00Z'),
    );
    const yearly = { kind: 'monthly', everyMonths: 12, dayOfMonth: 1 } as const;
    expect(lastOccurrence('2010-03-01T00:00', yearly, 'utc', Z('2026-02-01T00:00:00Z'))).toBe(
      Z('2025-03-01T00:00:00Z'),
    );
    expect(
      lastOccurrence('2026-01-01T02:00', daily, 'utc', Z('2025-12-31T00:00:00Z')),
    ).toBeUndefined();
  });
});

const window = (w: Partial<WindowSpec> & Pick<WindowSpec, 'start'>): WindowSpec => ({
  durationMinutes: 60,
  recurrence: { kind: 'daily', everyDays: 1 },
  timeBase: 'utc',
  appliesTo: 'all',
  enabled: true,
  ...w,
});

describe('maintenance windows', () => {
  const day = Z('2026-06-10T00:00:00Z');

  it('merges overlapping and touching windows into one interval', () => {
    const windows = [
      window({ start: '2026-01-01T22:00', durationMinutes: 120 }), // 22:00-00:00
      window({ start: '2026-01-01T23:30', durationMinutes: 60 }), // overlaps: -00:30
      window({ start: '2026-01-01T00:30', durationMinutes: 30 }), // touches: -01:00
    ];
    const intervals = windowIntervals(windows, day + 20 * H, day + 28 * H, 'all');
    expect(intervals).toEqual([{ start: day + 22 * H, end: day + 25 * H }]);
    expect(canStartIn(intervals, day + 22 * H + 10 * MIN, 170 * MIN)).toBe(true);
    expect(canStartIn(intervals, day + 22 * H + 10 * MIN, 171 * MIN)).toBe(false);
    expect(canStartIn(intervals, day + 21 * H, MIN)).toBe(false); // not in a window
    expect(canStartIn(intervals, day + 25 * H, 0)).toBe(false); // the end is outside
  });

  it('does not merge windows with a gap between them', () => {
    expect(
      mergeIntervals([
        { start: 10, end: 20 },
        { start: 0, end: 5 },
        { start: 21, end: 30 },
        { start: 20, end: 20 }, // empty: dropped
      ]),
    ).toEqual([
      { start: 0, end: 5 },
      { start: 10, end: 20 },
      { start: 21, end: 30 },
    ]);
  });

  it('includes a window that began before the range and finds the next one that fits', () => {
    const windows = [
      window({ start: '2026-01-01T01:00', durationMinutes: 30 }),
      window({ start: '2026-01-01T03:00', durationMinutes: 240 }),
    ];
    const now = day + H + 10 * MIN; // inside the 30-minute window
    const intervals = windowIntervals(windows, now, now + 2 * 24 * H, 'all');
    expect(intervals[0]).toEqual({ start: day + H, end: day + H + 30 * MIN });
    expect(canStartIn(intervals, now, 20 * MIN)).toBe(true);
    expect(canStartIn(intervals, now, 21 * MIN)).toBe(false);
    expect(nextFittingStart(intervals, now, 21 * MIN)).toBe(day + 3 * H);
    expect(nextFittingStart(intervals, now, 20 * MIN)).toBe(now);
    expect(nextFittingStart(intervals, now, 5 * H)).toBeUndefined();
  });

  it('a 24-hour daily window is one continuous interval', () => {
    const intervals = windowIntervals(
      [window({ start: '2026-01-01T00:00', durationMinutes: 1440 })],
      day,
      day + 3 * 24 * H,
      'all',
    );
    expect(intervals).toHaveLength(1);
    expect(intervals[0]?.start).toBeLessThanOrEqual(day);
    expect(intervals[0]?.end).toBeGreaterThanOrEqual(day + 3 * 24 * H);
    expect(canStartIn(intervals, day + 13 * H, 24 * H)).toBe(true);
  });

  it('a 5-minute window fits a 5-minute run only from its start', () => {
    const intervals = windowIntervals(
      [window({ start: '2026-01-01T12:00', durationMinutes: 5 })],
      day,
      day + 24 * H,
      'all',
    );
    expect(intervals).toEqual([{ start: day + 12 * H, end: day + 12 * H + 5 * MIN }]);
    expect(canStartIn(intervals, day + 12 * H, 5 * MIN)).toBe(true);
    expect(canStartIn(intervals, day + 12 * H, 6 * MIN)).toBe(false);
    expect(canStartIn(intervals, day + 12 * H + 1000, 5 * MIN)).toBe(false);
  });

  it('ignores disabled windows; software-update windows bind only software updates', () => {
    const windows = [
      window({ start: '2026-01-01T01:00', enabled: false }),
      window({ start: '2026-01-01T05:00', appliesTo: 'software-updates' }),
      window({ start: '2026-01-01T09:00' }),
    ];
    expect(windowIntervals(windows, day, day + 24 * H, 'all')).toEqual([
      { start: day + 9 * H, end: day + 10 * H },
    ]);
    expect(windowIntervals(windows, day, day + 24 * H, 'software-updates')).toEqual([
      { start: day + 5 * H, end: day + 6 * H },
      { start: day + 9 * H, end: day + 10 * H },
    ]);
  });

  it('a local window keeps its wall-clock start over the DST change', () => {
    const intervals = windowIntervals(
      [window({ start: '2026-03-01T22:00', timeBase: 'local', durationMinutes: 120 })],
      Z('2026-03-28T00:00:00Z'),
      Z('2026-03-30T00:00:00Z'),
      'all',
    );
    expect(intervals.map((i) => new Date(i.start).toISOString())).toEqual([
      '2026-03-28T21:00:00.000Z',
      '2026-03-29T20:00:00.000Z',
    ]);
  });
});

describe('triggers', () => {
  const triggers = [
    { type: 'asap' as const },
    {
      type: 'at' as const,
      start: '2026-01-01T02:00',
      recurrence: { kind: 'weekly' as const, everyWeeks: 1, days: [0] },
    },
    { type: 'at' as const, start: '2026-06-10T12:00' },
    { type: 'on-enrolment' as const },
  ];

  it('the next timed trigger after an instant, extra assignments included', () => {
    // 2026-06-10 is a Wednesday; the weekly trigger fires on Sundays.
    expect(nextTriggerTime(triggers, [], 'utc', Z('2026-06-10T00:00:00Z'))).toBe(
      Z('2026-06-10T12:00:00Z'),
    );
    expect(nextTriggerTime(triggers, [], 'utc', Z('2026-06-10T12:00:00Z'))).toBe(
      Z('2026-06-14T02:00:00Z'),
    );
    expect(nextTriggerTime(triggers, ['2026-06-11T08:00'], 'utc', Z('2026-06-10T12:00:00Z'))).toBe(
      Z('2026-06-11T08:00:00Z'),
    );
    expect(nextTriggerTime([{ type: 'asap' }], [], 'utc', 0)).toBeUndefined();
    expect(
      nextTriggerTime(triggers, ['2026-06-11T08:00'], 'local', Z('2026-06-10T12:00:00Z')),
    ).toBe(Z('2026-06-11T06:00:00Z'));
  });

  it('the last timed trigger at or before an instant', () => {
    expect(lastTriggerTime(triggers, ['2026-06-13T23:00'], 'utc', Z('2026-06-14T01:00:00Z'))).toBe(
      Z('2026-06-13T23:00:00Z'),
    );
    expect(lastTriggerTime(triggers, [], 'utc', Z('2026-06-14T03:00:00Z'))).toBe(
      Z('2026-06-14T02:00:00Z'),
    );
    expect(lastTriggerTime(triggers, [], 'utc', Z('2025-01-01T00:00:00Z'))).toBeUndefined();
  });
});
