import { describe, expect, it } from 'vitest';
import { WEEK_MINUTES } from '@steward/protocol';
import { parseMinutes } from '../options.js';
import {
  describeRecurrence,
  describeTrigger,
  parseCodeList,
  parseNeighbourSpec,
  parsePhaseSpec,
  parseRange,
  parseRecurrence,
  parseSubnet,
  parseWallTime,
} from './schedule-flags.js';

const usage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toMatchObject({ code: 'USAGE', exitCode: 2 });
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected a usage error');
};

describe('parseWallTime', () => {
  it('accepts minutes, seconds and a space instead of T', () => {
    expect(parseWallTime('2025-07-01T22:00', '--at')).toBe('2025-07-01T22:00');
    expect(parseWallTime(' 2025-07-01 22:00:30 ', '--at')).toBe('2025-07-01T22:00:30');
    expect(parseWallTime('2024-02-29T00:00', '--at')).toBe('2024-02-29T00:00');
  });

  it('refuses zones, impossible dates and other shapes, naming the flag', () => {
    expect(usage(() => parseWallTime('2025-07-01T22:00Z', '--at'))).toMatch(
      /^--at is a wall time without zone .*--local-time/,
    );
    expect(usage(() => parseWallTime('2025-07-01T22:00:00+02:00', '--at'))).toMatch(/without zone/);
    expect(usage(() => parseWallTime('2025-02-29T10:00', '--start'))).toBe(
      '--start is not a real date and time: "2025-02-29T10:00"',
    );
    expect(usage(() => parseWallTime('2025-07-01T24:00', '--at'))).toMatch(/not a real date/);
    expect(usage(() => parseWallTime('2025-13-01T10:00', '--at'))).toMatch(/not a real date/);
    expect(usage(() => parseWallTime('tomorrow', '--at'))).toBe(
      '--at must be a wall time like 2025-07-01T22:00; got "tomorrow"',
    );
    expect(usage(() => parseWallTime('2025-07-01', '--at'))).toMatch(/must be a wall time/);
  });
});

describe('parseRecurrence', () => {
  it('parses daily, weekly and monthly specs', () => {
    expect(parseRecurrence('daily:2', '--recur')).toEqual({ kind: 'daily', everyDays: 2 });
    expect(parseRecurrence('weekly:1:wed,mon,Monday', '--recur')).toEqual({
      kind: 'weekly',
      everyWeeks: 1,
      days: [1, 3],
    });
    expect(parseRecurrence('monthly:1:15', '--recur')).toEqual({
      kind: 'monthly',
      everyMonths: 1,
      dayOfMonth: 15,
    });
    expect(parseRecurrence('monthly:3:last', '--recur')).toEqual({
      kind: 'monthly',
      everyMonths: 3,
      dayOfMonth: -1,
    });
    expect(parseRecurrence('none', '--recur')).toEqual({ kind: 'none' });
  });

  it('refuses bad specs with the syntax in the message', () => {
    expect(usage(() => parseRecurrence('hourly:1', '--recur'))).toMatch(
      /^--recur has an unknown kind; expected daily:N .*; got "hourly:1"$/,
    );
    expect(usage(() => parseRecurrence('daily', '--recur'))).toMatch(/is daily:N/);
    expect(usage(() => parseRecurrence('daily:0', '--recur'))).toMatch(/between 1 and 365/);
    expect(usage(() => parseRecurrence('weekly:1:funday', '--recur'))).toMatch(
      /unknown weekday "funday"/,
    );
    expect(usage(() => parseRecurrence('weekly:1', '--recur'))).toMatch(/weekly:N:DAYS/);
    expect(usage(() => parseRecurrence('weekly:53:mon', '--recur'))).toMatch(/between 1 and 52/);
    expect(usage(() => parseRecurrence('monthly:1:32', '--recur'))).toMatch(/between 1 and 31/);
    expect(usage(() => parseRecurrence('monthly:x:1', '--recur'))).toMatch(/needs a number/);
  });

  it('describes recurrences and triggers in words', () => {
    expect(describeRecurrence({ kind: 'daily', everyDays: 1 })).toBe('every day');
    expect(describeRecurrence({ kind: 'weekly', everyWeeks: 2, days: [1, 3] })).toBe(
      'every 2 weeks on Mon, Wed',
    );
    expect(describeRecurrence({ kind: 'monthly', everyMonths: 1, dayOfMonth: -1 })).toBe(
      'monthly on the last day',
    );
    expect(describeTrigger({ type: 'at', start: '2025-07-01T22:00' })).toBe('at 2025-07-01T22:00');
    expect(
      describeTrigger({
        type: 'at',
        start: '2025-07-01T22:00',
        recurrence: { kind: 'daily', everyDays: 3 },
      }),
    ).toBe('every 3 days from 2025-07-01T22:00');
  });
});

describe('parseCodeList', () => {
  it('reads commas or spaces, drops repeats, and "none" is empty', () => {
    expect(parseCodeList('0,1', '--success-codes')).toEqual([0, 1]);
    expect(parseCodeList('0 1 1', '--success-codes')).toEqual([0, 1]);
    expect(parseCodeList('none', '--reboot-codes')).toEqual([]);
  });

  it('refuses codes out of 0-255 and words', () => {
    expect(usage(() => parseCodeList('0,3010', '--reboot-codes'))).toBe(
      '--reboot-codes must be between 0 and 255, got 3010',
    );
    expect(usage(() => parseCodeList('0,one', '--success-codes'))).toMatch(
      /^--success-codes must be exit codes separated by commas/,
    );
    expect(usage(() => parseCodeList('-1', '--success-codes'))).toMatch(/separated by commas/);
  });
});

describe('phase and neighbour specs', () => {
  it('reads a phase from the right so collection names may hold colons', () => {
    expect(parsePhaseSpec('Pilot:90%:60')).toEqual({
      collection: 'Pilot',
      successPercent: 90,
      soakMinutes: 60,
    });
    expect(parsePhaseSpec('Ring: east:95:0')).toEqual({
      collection: 'Ring: east',
      successPercent: 95,
      soakMinutes: 0,
    });
  });

  it('refuses incomplete phases and out-of-range numbers', () => {
    expect(usage(() => parsePhaseSpec('Pilot:90'))).toBe(
      '--phase must be COLLECTION:SUCCESS%:SOAKMINUTES (e.g. "Pilot:90%:60"); got "Pilot:90"',
    );
    expect(usage(() => parsePhaseSpec('Pilot:0%:60'))).toBe(
      '--phase success percent must be between 1 and 100, got 0',
    );
    expect(usage(() => parsePhaseSpec('Pilot:90%:soon'))).toMatch(/soak minutes must be a whole/);
  });

  it('neighbours default to 120 minutes', () => {
    expect(parseNeighbourSpec('Branch B')).toEqual({
      group: 'Branch B',
      fallbackAfterMinutes: 120,
    });
    expect(parseNeighbourSpec('Branch B:30')).toEqual({
      group: 'Branch B',
      fallbackAfterMinutes: 30,
    });
    expect(usage(() => parseNeighbourSpec(':30'))).toMatch(/GROUP or GROUP:MINUTES/);
    expect(usage(() => parseNeighbourSpec('B:99999'))).toMatch(`at most ${WEEK_MINUTES}`);
  });
});

describe('minutes, subnets, ranges', () => {
  it('reads minutes with units and keeps to the range', () => {
    expect(parseMinutes('90', '--duration', { min: 5, max: 1440 })).toBe(90);
    expect(parseMinutes('2h', '--duration', { min: 5, max: 1440 })).toBe(120);
    expect(usage(() => parseMinutes('0', '--duration', { min: 5, max: 1440 }))).toBe(
      '--duration must be between 5 minutes and 1440 minutes; got 0',
    );
    expect(usage(() => parseMinutes('25h', '--duration', { min: 5, max: 1440 }))).toMatch(
      /got 1500/,
    );
  });

  it('checks subnets and ranges', () => {
    expect(parseSubnet('10.1.0.0/16')).toBe('10.1.0.0/16');
    expect(parseSubnet('fd00:1::/48')).toBe('fd00:1::/48');
    expect(usage(() => parseSubnet('10.1.0.0/33'))).toMatch(/address\/prefix/);
    expect(usage(() => parseSubnet('10.1.0.0'))).toMatch(/address\/prefix/);
    expect(parseRange('10.1.0.10 - 10.1.0.200')).toBe('10.1.0.10-10.1.0.200');
    expect(usage(() => parseRange('10.1.0.200-10.1.0.10'))).toMatch(/lower address/);
    expect(usage(() => parseRange('10.1.0.1-fd00::1'))).toMatch(/one family/);
  });
});
