import {
  PhaseSettings,
  WEEK_MINUTES,
  type DeploymentTrigger,
  type PhaseBody,
  type Recurrence,
} from '@steward/protocol';
import { isIP } from 'node:net';
import { usageError } from '../errors.js';
import { parseInteger } from '../options.js';
import { parseSettingInteger } from '../setting-flags.js';

/**
 * Local parsing of the software-distribution flags: wall times, recurrences, exit-code lists,
 * phase and neighbour specs, subnets and ranges. Each one fails with a usage error (exit 2) that
 * names the flag and shows an example, before any request reaches the site.
 */

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * `2025-07-01T22:00` (or with a space, or with seconds) -> `2025-07-01T22:00`. No zone: whether
 * it is UTC or the client's local time is said by `--local-time` (the schedule's time base).
 */
export function parseWallTime(text: string, what: string): string {
  const t = text.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(t) && t.length > 16) {
    throw usageError(
      `${what} is a wall time without zone (e.g. 2025-07-01T22:00): UTC, or the client's local time with --local-time; got "${text}"`,
    );
  }
  const m = WALL_TIME.exec(t);
  if (!m) throw usageError(`${what} must be a wall time like 2025-07-01T22:00; got "${text}"`);
  // An optional group that did not match is undefined (the lib types it as string).
  const [year, month, day, hour, minute, second] = m
    .slice(1)
    .map((v: string | undefined) => Number(v ?? '0'));
  const daysInMonth = new Date(Date.UTC(year ?? 0, month ?? 0, 0)).getUTCDate();
  if (
    month === undefined ||
    month < 1 ||
    month > 12 ||
    day === undefined ||
    day < 1 ||
    day > daysInMonth ||
    (hour ?? 99) > 23 ||
    (minute ?? 99) > 59 ||
    (second ?? 99) > 59
  ) {
    throw usageError(`${what} is not a real date and time: "${text}"`);
  }
  // The first 16 characters are YYYY-MM-DD?HH:MM (the pattern anchors them); the separator is T.
  return `${t.slice(0, 10)}T${t.slice(11, 16)}${m[6] !== undefined ? `:${m[6]}` : ''}`;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const RECUR_HELP =
  'daily:N (every N days), weekly:N:mon,wed (every N weeks on those days), monthly:N:DAY (day 1-31 or "last" of every N months), or none';

/** `daily:2`, `weekly:1:mon,wed`, `monthly:1:15`, `monthly:3:last`, `none`. */
export function parseRecurrence(text: string, what: string): Recurrence {
  const parts = text.trim().toLowerCase().split(':');
  const bad = (why: string) => usageError(`${what} ${why}; expected ${RECUR_HELP}; got "${text}"`);
  const every = (max: number): number => {
    const n = parts[1];
    if (n === undefined || !/^\d+$/.test(n)) throw bad('needs a number after the kind');
    const v = Number(n);
    if (v < 1 || v > max) throw bad(`needs N between 1 and ${max}`);
    return v;
  };
  switch (parts[0]) {
    case 'none':
      if (parts.length !== 1) throw bad('takes nothing after "none"');
      return { kind: 'none' };
    case 'daily':
      if (parts.length !== 2) throw bad('is daily:N');
      return { kind: 'daily', everyDays: every(365) };
    case 'weekly': {
      if (parts.length !== 3) throw bad('is weekly:N:DAYS');
      const everyWeeks = every(52);
      return { kind: 'weekly', everyWeeks, days: parseWeekdays(parts[2] ?? '', bad) };
    }
    case 'monthly': {
      if (parts.length !== 3) throw bad('is monthly:N:DAY');
      const everyMonths = every(12);
      const day = parts[2] ?? '';
      if (day === 'last' || day === '-1') return { kind: 'monthly', everyMonths, dayOfMonth: -1 };
      if (!/^\d+$/.test(day) || Number(day) < 1 || Number(day) > 31)
        throw bad('needs a day of the month between 1 and 31, or "last"');
      return { kind: 'monthly', everyMonths, dayOfMonth: Number(day) };
    }
    default:
      throw bad('has an unknown kind');
  }
}

function parseWeekdays(text: string, bad: (why: string) => Error): number[] {
  const days = text
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (days.length === 0) throw bad('needs at least one weekday');
  const out = new Set<number>();
  for (const d of days) {
    const i = WEEKDAYS.findIndex((w) => d === w || (d.length >= 3 && w === d.slice(0, 3)));
    if (i < 0) throw bad(`has an unknown weekday "${d}" (use sun, mon, tue, wed, thu, fri, sat)`);
    out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

const WEEKDAY_LABELS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A recurrence in words: "every day", "every 2 weeks on Mon, Wed", "monthly on the last day". */
export function describeRecurrence(r: Recurrence | undefined): string {
  if (r === undefined) return 'once';
  switch (r.kind) {
    case 'none':
      return 'once';
    case 'daily':
      return r.everyDays === 1 ? 'every day' : `every ${r.everyDays} days`;
    case 'weekly': {
      const on = r.days.map((d) => WEEKDAY_LABELS[d] ?? String(d)).join(', ');
      return r.everyWeeks === 1 ? `weekly on ${on}` : `every ${r.everyWeeks} weeks on ${on}`;
    }
    case 'monthly': {
      const day = r.dayOfMonth === -1 ? 'the last day' : `day ${r.dayOfMonth}`;
      return r.everyMonths === 1 ? `monthly on ${day}` : `every ${r.everyMonths} months on ${day}`;
    }
  }
}

/** A trigger in words, for tables and `show`. */
export function describeTrigger(t: DeploymentTrigger): string {
  switch (t.type) {
    case 'asap':
      return 'as soon as possible';
    case 'on-enrolment':
      return 'on enrolment';
    case 'at': {
      const rec =
        t.recurrence === undefined || t.recurrence.kind === 'none' ? undefined : t.recurrence;
      return rec === undefined ? `at ${t.start}` : `${describeRecurrence(rec)} from ${t.start}`;
    }
  }
}

/** `0,1` or `0 1` -> [0, 1]; `none` (or empty) -> []. Exit codes are 0-255. */
export function parseCodeList(text: string, what: string): number[] {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'none') return [];
  const out: number[] = [];
  for (const part of t.split(/[\s,]+/).filter((p) => p !== '')) {
    if (!/^\d+$/.test(part))
      throw usageError(
        `${what} must be exit codes separated by commas (e.g. 0,3010); got "${text}"`,
      );
    const code = parseInteger(part, what, { min: 0, max: 255 });
    if (!out.includes(code)) out.push(code);
  }
  return out;
}

/**
 * `Pilot:90%:60` (collection, success percent, soak minutes). Read from the right, so a
 * collection name may itself contain a colon.
 */
export function parsePhaseSpec(
  text: string,
  what = '--phase',
): Omit<PhaseBody, 'collectionId'> & {
  collection: string;
} {
  const parts = text.split(':');
  const soak = parts.pop();
  const success = parts.pop()?.trim().replace(/%$/, '');
  const collection = parts.join(':').trim();
  if (soak === undefined || success === undefined || collection === '') {
    throw usageError(
      `${what} must be COLLECTION:SUCCESS%:SOAKMINUTES (e.g. "Pilot:90%:60"); got "${text}"`,
    );
  }
  return {
    collection,
    successPercent: parseSettingInteger(
      PhaseSettings.successPercent,
      success,
      `${what} success percent`,
    ),
    soakMinutes: parseSettingInteger(PhaseSettings.soakMinutes, soak, `${what} soak minutes`),
  };
}

/** `Branch B` or `Branch B:30` -> the group and the minutes before clients fall back to it (120). */
export function parseNeighbourSpec(
  text: string,
  what = '--neighbour',
): { group: string; fallbackAfterMinutes: number } {
  const m = /^(.*):(\d+)$/.exec(text.trim());
  const group = (m?.[1] ?? text).trim();
  if (group === '') throw usageError(`${what} must be GROUP or GROUP:MINUTES; got "${text}"`);
  const minutes =
    m?.[2] === undefined ? 120 : parseInteger(m[2], `${what} minutes`, { max: WEEK_MINUTES });
  return { group, fallbackAfterMinutes: minutes };
}

/** `10.1.0.0/16` or `fd00::/48`: an address and a prefix length that fits it. */
export function parseSubnet(text: string, what = '--subnet'): string {
  const t = text.trim();
  const m = /^([^/]+)\/(\d{1,3})$/.exec(t);
  const family = m?.[1] === undefined ? 0 : isIP(m[1]);
  const bits = family === 4 ? 32 : 128;
  if (!m || family === 0 || Number(m[2]) > bits) {
    throw usageError(
      `${what} must be an address/prefix like 10.1.0.0/16 or fd00::/48; got "${text}"`,
    );
  }
  return t;
}

/** `10.1.0.10-10.1.0.200`: two addresses of the same family, lowest first. */
export function parseRange(text: string, what = '--range'): string {
  const parts = text
    .trim()
    .split('-')
    .map((p) => p.trim());
  const [a, b] = parts;
  const family = a === undefined ? 0 : isIP(a);
  if (
    parts.length !== 2 ||
    a === undefined ||
    b === undefined ||
    family === 0 ||
    isIP(b) !== family
  ) {
    throw usageError(
      `${what} must be two addresses of one family, like 10.1.0.10-10.1.0.200; got "${text}"`,
    );
  }
  if (family === 4 && ipv4Number(a) > ipv4Number(b))
    throw usageError(`${what} must start with the lower address; got "${text}"`);
  return `${a}-${b}`;
}

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}
