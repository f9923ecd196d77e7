import { usageError } from './errors.js';
import { plural } from './output/format.js';

/**
 * Typed reads of commander's option bag. Commander hands back untyped values; every read here
 * checks the value and turns a bad one into a usage error (exit 2) naming the flag.
 */
export class Opts {
  constructor(private readonly values: Readonly<Record<string, unknown>>) {}

  string(name: string): string | undefined {
    const v = this.values[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw usageError(`${flag(name)} takes a value`);
    return v;
  }

  requiredString(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === '') throw usageError(`${flag(name)} is required`);
    return v;
  }

  /** A repeatable or variadic option (`--query a --query b`). */
  strings(name: string): string[] {
    const v = this.values[name];
    if (v === undefined) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
    throw usageError(`${flag(name)} takes values`);
  }

  flag(name: string): boolean {
    const v = this.values[name];
    return v === true;
  }

  int(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const v = this.string(name);
    return v === undefined ? undefined : parseInteger(v, flag(name), range);
  }

  oneOf<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    return parseChoice(v, flag(name), choices);
  }

  /** An ISO 8601 time, or a duration back from now (`15m`, `2h`, `7d`). Returns ISO UTC. */
  time(name: string, now: Date): string | undefined {
    const v = this.string(name);
    return v === undefined ? undefined : parseTime(v, flag(name), now);
  }

  /** Seconds: a plain number, or a number with s/m/h/d. */
  seconds(name: string, range: { min?: number } = {}): number | undefined {
    const v = this.string(name);
    return v === undefined ? undefined : parseSeconds(v, flag(name), range);
  }
}

/** `searchText` -> `--search-text`, for messages. */
export function flag(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export function parseInteger(
  text: string,
  what: string,
  range: { min?: number; max?: number } = {},
): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw usageError(`${what} must be a whole number, got "${text}"`);
  const n = Number(t);
  const { min, max } = range;
  if (
    !Number.isSafeInteger(n) ||
    (min !== undefined && n < min) ||
    (max !== undefined && n > max)
  ) {
    const bounds =
      min !== undefined && max !== undefined
        ? `between ${min} and ${max}`
        : min !== undefined
          ? `at least ${min}`
          : `at most ${String(max)}`;
    throw usageError(`${what} must be ${bounds}, got ${t}`);
  }
  return n;
}

export function parseChoice<T extends string>(
  text: string,
  what: string,
  choices: readonly T[],
): T {
  const found = choices.find((c) => c === text);
  if (found === undefined)
    throw usageError(`${what} must be one of ${choices.join(', ')}; got "${text}"`);
  return found;
}

/** `90`, `90m` or `2h` -> minutes, within the range. */
export function parseMinutes(text: string, what: string, range: { min: number; max: number }) {
  const m = /^(\d+)\s*(m|min|h)?$/i.exec(text.trim());
  if (!m?.[1]) throw usageError(`${what} must be minutes (e.g. 90, 90m or 2h); got "${text}"`);
  const minutes = Number(m[1]) * (m[2]?.toLowerCase() === 'h' ? 60 : 1);
  if (minutes < range.min || minutes > range.max) {
    throw usageError(
      `${what} must be between ${plural(range.min, 'minute')} and ${plural(range.max, 'minute')}; got ${minutes}`,
    );
  }
  return minutes;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `90` (seconds), `90s`, `15m`, `2h`, `1d`, `1w`. */
export function parseSeconds(
  text: string,
  what: string,
  range: { min?: number; max?: number } = {},
): number {
  const m = /^(\d+)\s*([smhdw]?)$/.exec(text.trim());
  const unit = m?.[2] === undefined || m[2] === '' ? 's' : m[2];
  const factor = UNIT_SECONDS[unit];
  if (!m?.[1] || factor === undefined) {
    throw usageError(
      `${what} must be a number of seconds or a duration like 15m, 2h, 1d; got "${text}"`,
    );
  }
  const seconds = Number(m[1]) * factor;
  if (range.min !== undefined && seconds < range.min) {
    throw usageError(`${what} must be at least ${range.min} seconds, got ${seconds}`);
  }
  if (range.max !== undefined && seconds > range.max) {
    throw usageError(`${what} must be at most ${range.max} seconds, got ${seconds}`);
  }
  return seconds;
}

/** An ISO 8601 date/time, or a duration ago (`30m` = thirty minutes before `now`). */
export function parseTime(text: string, what: string, now: Date): string {
  const t = text.trim();
  if (/^\d+\s*[smhdw]$/.test(t))
    return new Date(now.getTime() - parseSeconds(t, what) * 1000).toISOString();
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  throw usageError(
    `${what} must be an ISO 8601 time (2025-01-31T08:00:00Z) or a duration like 30m, 2h, 7d; got "${text}"`,
  );
}

/** `host:port` (IPv6 as `[::1]:8080`), port 0-65535. Returns it unchanged when valid. */
export function parseListen(
  text: string,
  what: string,
): { host: string; port: number; text: string } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(text.trim());
  const port = m?.[2] === undefined ? NaN : Number(m[2]);
  if (!m?.[1] || !Number.isInteger(port) || port > 65535) {
    throw usageError(
      `${what} must be host:port (e.g. 127.0.0.1:8080, 0.0.0.0:8443, [::1]:8080); got "${text}"`,
    );
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port, text: text.trim() };
}

/** `admin,mp` or repeated flags -> ['admin', 'mp']. */
export function parseList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A site address: `http(s)://host:port`; a bare `host:port` means http. */
export function parseServerUrl(text: string, what: string): string {
  const t = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? t : `http://${t}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(
      `${what} must be the site's admin URL, e.g. http://127.0.0.1:8080; got "${text}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`${what} must be an http:// or https:// URL; got "${text}"`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
