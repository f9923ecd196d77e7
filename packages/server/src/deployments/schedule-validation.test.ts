import { AppError } from '@steward/protocol';
import { describe, expect, it } from 'vitest';
import {
  checkExtraAssignment,
  checkSchedule,
  expiredEverywhere,
  wallTimeMs,
  type ScheduleFields,
} from './schedule-validation.js';
import { closesCycle, withDependants } from './program-repository.js';
import { normaliseWorkingDirectory } from './program-service.js';
import { recurrenceIntervalMs } from './summary.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const ALL = { triggers: true, expiresAt: true };

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return undefined;
}

function schedule(s: Partial<ScheduleFields>): ScheduleFields {
  return {
    purpose: 'required',
    triggers: [{ type: 'asap' }],
    availableAt: null,
    expiresAt: null,
    timeBase: 'utc',
    extraAssignments: [],
    ...s,
  };
}

describe('wall times', () => {
  it('reads real times and refuses impossible ones', () => {
    expect(wallTimeMs('2026-06-01T12:00')).toBe(NOW.getTime());
    expect(wallTimeMs('2026-06-01T12:00:30')).toBe(NOW.getTime() + 30_000);
    expect(wallTimeMs('2026-02-30T10:00')).toBeUndefined();
    expect(wallTimeMs('2026-06-01T24:00')).toBeUndefined();
    expect(wallTimeMs('2026-06-01 12:00')).toBeUndefined();
  });
});

describe('schedule checks', () => {
  it('refuses a one-off run in the past, allowing 14 hours for client local time', () => {
    const at = (start: string, timeBase: 'utc' | 'local' = 'utc') =>
      codeOf(() =>
        checkSchedule(schedule({ triggers: [{ type: 'at', start }], timeBase }), NOW, ALL),
      );
    expect(at('2026-06-01T11:59')).toBe('SCHEDULE_IN_PAST');
    expect(at('2026-06-01T12:01')).toBeUndefined();
    expect(at('2026-06-01T02:00', 'local')).toBeUndefined();
    expect(at('2026-05-31T21:00', 'local')).toBe('SCHEDULE_IN_PAST');
  });

  it('accepts a recurring trigger whose first occurrence has passed', () => {
    const triggers = [
      {
        type: 'at' as const,
        start: '2020-01-01T03:00',
        recurrence: { kind: 'daily' as const, everyDays: 1 },
      },
    ];
    expect(codeOf(() => checkSchedule(schedule({ triggers }), NOW, ALL))).toBeUndefined();
    const none = [
      { type: 'at' as const, start: '2020-01-01T03:00', recurrence: { kind: 'none' as const } },
    ];
    expect(codeOf(() => checkSchedule(schedule({ triggers: none }), NOW, ALL))).toBe(
      'SCHEDULE_IN_PAST',
    );
  });

  it('only refuses the past for the fields a request sets', () => {
    const s = schedule({
      triggers: [{ type: 'at', start: '2026-01-01T00:00' }],
      expiresAt: '2026-01-02T00:00',
    });
    expect(
      codeOf(() => checkSchedule(s, NOW, { triggers: false, expiresAt: false })),
    ).toBeUndefined();
    expect(codeOf(() => checkSchedule(s, NOW, { triggers: false, expiresAt: true }))).toBe(
      'SCHEDULE_IN_PAST',
    );
  });

  it('refuses inconsistent schedules', () => {
    const check = (s: Partial<ScheduleFields>) =>
      codeOf(() => checkSchedule(schedule(s), NOW, ALL));
    expect(check({ availableAt: '2026-07-02T00:00', expiresAt: '2026-07-01T00:00' })).toBe(
      'INVALID_SCHEDULE',
    );
    expect(check({ availableAt: '2026-07-01T00:00', expiresAt: '2026-07-01T00:00' })).toBe(
      'INVALID_SCHEDULE',
    );
    expect(check({ triggers: [] })).toBe('INVALID_SCHEDULE');
    expect(check({ purpose: 'available', triggers: [] })).toBeUndefined();
    expect(check({ expiresAt: '2026-06-01T11:00' })).toBe('SCHEDULE_IN_PAST');
    expect(check({ availableAt: '2026-02-30T00:00' })).toBe('INVALID_SCHEDULE');
    expect(
      check({
        triggers: [{ type: 'at', start: '2026-08-01T00:00' }],
        expiresAt: '2026-07-01T00:00',
      }),
    ).toBe('INVALID_SCHEDULE');
  });

  it('checks extra assignments like one-off triggers', () => {
    const s = { timeBase: 'utc' as const, expiresAt: '2026-07-01T00:00' };
    expect(codeOf(() => checkExtraAssignment('2026-06-01T11:00', s, NOW))).toBe('SCHEDULE_IN_PAST');
    expect(codeOf(() => checkExtraAssignment('2026-07-02T00:00', s, NOW))).toBe('INVALID_SCHEDULE');
    expect(codeOf(() => checkExtraAssignment('2026-06-02T00:00', s, NOW))).toBeUndefined();
  });

  it('expires a local-time deployment only once it has passed in every zone', () => {
    expect(expiredEverywhere('2026-06-01T11:00', 'utc', NOW)).toBe(true);
    expect(expiredEverywhere('2026-06-01T11:00', 'local', NOW)).toBe(false);
    expect(expiredEverywhere(null, 'utc', NOW)).toBe(false);
  });
});

describe('program dependencies', () => {
  const edges = new Map<string, string | null>([
    ['a', null],
    ['b', 'a'],
    ['c', 'b'],
    ['x', null],
  ]);
  it('finds self dependencies and loops', () => {
    expect(closesCycle(edges, 'a', 'a')).toEqual(['a', 'a']);
    expect(closesCycle(edges, 'a', 'b')).toEqual(['a', 'b', 'a']);
    expect(closesCycle(edges, 'a', 'c')).toEqual(['a', 'c', 'b', 'a']);
    expect(closesCycle(edges, 'c', 'x')).toBeUndefined();
    expect(closesCycle(edges, 'x', 'c')).toBeUndefined();
  });
  it('lists a program and everything that depends on it', () => {
    expect(withDependants(edges, 'a').sort()).toEqual(['a', 'b', 'c']);
    expect(withDependants(edges, 'c')).toEqual(['c']);
  });
  it('keeps working directories inside the package', () => {
    expect(normaliseWorkingDirectory(undefined)).toBe('.');
    expect(normaliseWorkingDirectory('./bin//x/')).toBe('bin/x');
    expect(codeOf(() => normaliseWorkingDirectory('/etc'))).toBe('INVALID_WORKING_DIRECTORY');
    expect(codeOf(() => normaliseWorkingDirectory('bin/../../x'))).toBe(
      'INVALID_WORKING_DIRECTORY',
    );
  });
});

describe('recurrence intervals', () => {
  it('takes the shortest recurring trigger', () => {
    expect(recurrenceIntervalMs([{ type: 'asap' }])).toBeUndefined();
    expect(
      recurrenceIntervalMs([
        {
          type: 'at',
          start: '2026-01-01T00:00',
          recurrence: { kind: 'monthly', everyMonths: 1, dayOfMonth: -1 },
        },
        {
          type: 'at',
          start: '2026-01-01T00:00',
          recurrence: { kind: 'weekly', everyWeeks: 2, days: [1] },
        },
      ]),
    ).toBe(14 * 86_400_000);
  });
});
