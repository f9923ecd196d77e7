import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import {
  Opts,
  flag,
  parseInteger,
  parseListen,
  parseList,
  parseSeconds,
  parseServerUrl,
  parseTime,
} from './options.js';

function usage(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a usage error');
}

describe('option parsing', () => {
  it('turns option keys into flag names', () => {
    expect(flag('expiresInHours')).toBe('--expires-in-hours');
    expect(flag('json')).toBe('--json');
  });

  it('parses whole numbers within bounds and names the flag when not', () => {
    expect(parseInteger('42', '--limit', { min: 1, max: 1000 })).toBe(42);
    expect(usage(() => parseInteger('4.5', '--limit')).message).toBe(
      '--limit must be a whole number, got "4.5"',
    );
    const e = usage(() => parseInteger('0', '--limit', { min: 1, max: 1000 }));
    expect(e.exitCode).toBe(2);
    expect(e.code).toBe('USAGE');
    expect(e.message).toBe('--limit must be between 1 and 1000, got 0');
  });

  it('parses durations into seconds', () => {
    expect(parseSeconds('90', '--x')).toBe(90);
    expect(parseSeconds('15m', '--x')).toBe(900);
    expect(parseSeconds('2h', '--x')).toBe(7200);
    expect(parseSeconds('1d', '--x')).toBe(86400);
    expect(usage(() => parseSeconds('soon', '--x')).exitCode).toBe(2);
    expect(usage(() => parseSeconds('10', '--policy-interval', { min: 30 })).message).toMatch(
      /at least 30 seconds/,
    );
  });

  it('parses ISO times and durations ago into ISO UTC', () => {
    const now = new Date('2025-06-01T12:00:00Z');
    expect(parseTime('2025-05-31T08:00:00+02:00', '--since', now)).toBe('2025-05-31T06:00:00.000Z');
    expect(parseTime('30m', '--since', now)).toBe('2025-06-01T11:30:00.000Z');
    expect(parseTime('7d', '--since', now)).toBe('2025-05-25T12:00:00.000Z');
    expect(usage(() => parseTime('yesterday', '--since', now)).message).toMatch(/ISO 8601/);
  });

  it('parses host:port, IPv6 included', () => {
    expect(parseListen('127.0.0.1:8080', '--admin-listen')).toEqual({
      host: '127.0.0.1',
      port: 8080,
      text: '127.0.0.1:8080',
    });
    expect(parseListen('[::1]:0', '--admin-listen')).toMatchObject({ host: '::1', port: 0 });
    expect(usage(() => parseListen('8080', '--admin-listen')).message).toMatch(/host:port/);
    expect(usage(() => parseListen('x:70000', '--admin-listen')).exitCode).toBe(2);
  });

  it('splits comma lists', () => {
    expect(parseList(['admin, mp', 'dp'])).toEqual(['admin', 'mp', 'dp']);
  });

  it('normalises site URLs', () => {
    expect(parseServerUrl('127.0.0.1:8080', '--server')).toBe('http://127.0.0.1:8080');
    expect(parseServerUrl('https://site.example/', '--server')).toBe('https://site.example');
    expect(usage(() => parseServerUrl('ftp://x', '--server')).message).toMatch(/http/);
  });
});

describe('Opts', () => {
  const opts = new Opts({ limit: '10', query: ['a', 'b'], json: true, status: 'online', bad: 3 });

  it('reads typed values', () => {
    expect(opts.int('limit', { min: 1 })).toBe(10);
    expect(opts.strings('query')).toEqual(['a', 'b']);
    expect(opts.strings('missing')).toEqual([]);
    expect(opts.flag('json')).toBe(true);
    expect(opts.flag('desc')).toBe(false);
    expect(opts.oneOf('status', ['active', 'online'] as const)).toBe('online');
  });

  it('rejects values of the wrong kind as usage errors', () => {
    expect(usage(() => opts.string('bad')).exitCode).toBe(2);
    expect(usage(() => opts.oneOf('status', ['active'] as const)).message).toBe(
      '--status must be one of active; got "online"',
    );
    expect(usage(() => opts.requiredString('missing')).message).toBe('--missing is required');
  });
});
