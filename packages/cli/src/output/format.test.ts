import { describe, expect, it } from 'vitest';
import { formatDuration, formatMegabytes, humanTime, truncate, utcTime } from './format.js';

const now = new Date('2025-06-01T12:00:00Z');

describe('humanTime', () => {
  it.each([
    ['2025-06-01T11:59:50Z', 'just now'],
    ['2025-06-01T11:57:00Z', '3 min ago'],
    ['2025-06-01T07:00:00Z', '5 h ago'],
    ['2025-05-31T12:00:00Z', '1 day ago'],
    ['2025-05-20T12:00:00Z', '12 days ago'],
    ['2025-06-01T12:04:00Z', 'in 4 min'],
    ['2024-01-02T00:00:00Z', '2024-01-02'],
  ])('%s -> %s', (iso, expected) => {
    expect(humanTime(iso, now)).toBe(expected);
  });

  it('says never for a missing time', () => {
    expect(humanTime(null, now)).toBe('never');
    expect(humanTime(undefined, now, '-')).toBe('-');
  });
});

describe('other formats', () => {
  it('formats durations, sizes and UTC times', () => {
    expect(formatDuration(4_200)).toBe('4 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_780_000)).toBe('1 h 3 min');
    expect(formatDuration(1_800_000)).toBe('30 min');
    expect(formatDuration(604_800_000)).toBe('7 days');
    expect(formatDuration(90_000_000)).toBe('1 day 1 h');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatMegabytes(512)).toBe('512 MB');
    expect(formatMegabytes(16_000)).toBe('16 GB');
    expect(formatMegabytes(2048)).toBe('2.0 GB');
    expect(formatMegabytes(null)).toBe('-');
    expect(utcTime('2025-01-31T08:00:00.123Z')).toBe('2025-01-31 08:00:00Z');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
