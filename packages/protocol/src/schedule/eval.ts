import type { Static } from '@sinclair/typebox';
import type {
  DeploymentTrigger,
  Interval,
  MaintenanceWindowBody,
  Recurrence,
  TimeBase,
} from './schemas.js';

/**
 * Schedule and maintenance-window evaluation, shared by the agent (which must keep honouring
 * windows and schedules while offline, ADR 0007) and the console (which draws them). Pure and
 * browser-safe: 'local' means the zone of the process running it (Date's local methods), so the
 * agent evaluates in the client's own zone as the seed asks.
 *
 * Calendar arithmetic is done on civil dates (day numbers) and only the final wall time is turned
 * into an instant, so a daily 02:00 stays 02:00 across a DST change. Wall times that do not exist
 * (spring-forward gap) resolve as Date does: moved forward by the gap (02:30 -> 03:30); ambiguous
 * ones (fall-back) take the first, earlier, instant.
 */

export type TimeBaseName = Static<typeof TimeBase>;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** A month day missing this many times in a row never comes (the months repeat every 12 steps). */
const MONTH_MISS_LIMIT = 12;
/** Upper bound on what one call collects, so a huge range cannot exhaust memory. */
const MAX_OCCURRENCES = 100_000;

interface CivilTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] ?? 31);
}

/** Parses `YYYY-MM-DDTHH:MM[:SS]`; throws RangeError for text or fields that are not a wall time. */
export function parseWallTime(wall: string): CivilTime {
  const m = WALL_TIME.exec(wall);
  if (m === null) throw new RangeError(`"${wall}" is not a wall time (YYYY-MM-DDTHH:MM)`);
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) =>
    Number(m[i] ?? '0'),
  );
  const c = {
    year: year ?? 0,
    month: month ?? 0,
    day: day ?? 0,
    hour: hour ?? 0,
    minute: minute ?? 0,
    second: second ?? 0,
  };
  if (
    c.month < 1 ||
    c.month > 12 ||
    c.day < 1 ||
    c.day > daysInMonth(c.year, c.month) ||
    c.hour > 23 ||
    c.minute > 59 ||
    c.second > 59
  )
    throw new RangeError(`"${wall}" is not a valid date and time`);
  return c;
}

// Years 0-99 are read as 1900-1999 by Date; 400 Gregorian years later the calendar repeats.
const CYCLE_YEARS = 400;

function civilToInstant(c: CivilTime, timeBase: TimeBaseName): number {
  const shift = c.year < 100 ? CYCLE_YEARS : 0;
  const args = [c.year + shift, c.month - 1, c.day, c.hour, c.minute, c.second] as const;
  const d = timeBase === 'utc' ? new Date(Date.UTC(...args)) : new Date(...args);
  if (shift !== 0) {
    if (timeBase === 'utc') d.setUTCFullYear(d.getUTCFullYear() - shift);
    else d.setFullYear(d.getFullYear() - shift);
  }
  return d.getTime();
}

function instantToCivil(ms: number, timeBase: TimeBaseName): CivilTime {
  const d = new Date(ms);
  switch (timeBase) {
    case 'utc':
      return {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      };
    case 'local':
      return {
        year: d.getFullYear(),
        month: d.getMonth() + 1,
        day: d.getDate(),
        hour: d.getHours(),
        minute: d.getMinutes(),
        second: d.getSeconds(),
      };
  }
}

/** The instant (UTC ms) of a wall time read in UTC or in the process's local zone. */
export function wallTimeToInstant(wall: string, timeBase: TimeBaseName): number {
  return civilToInstant(parseWallTime(wall), timeBase);
}

/** The wall time (`YYYY-MM-DDTHH:MM:SS`) of an instant in UTC or in the local zone. */
export function instantToWallTime(ms: number, timeBase: TimeBaseName): string {
  const c = instantToCivil(ms, timeBase);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(c.year, 4)}-${p(c.month)}-${p(c.day)}T${p(c.hour)}:${p(c.minute)}:${p(c.second)}`;
}

/** Days since 1970-01-01 of a civil date (no zone: calendar arithmetic only). */
function dayNumber(year: number, month: number, day: number): number {
  return Math.round(
    civilToInstant({ year, month, day, hour: 0, minute: 0, second: 0 }, 'utc') / DAY_MS,
  );
}

function civilDate(dayNo: number): { year: number; month: number; day: number } {
  const d = new Date(dayNo * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday, as in the Recurrence schema. 1970-01-01 was a Thursday. */
function weekday(dayNo: number): number {
  return (((dayNo + 4) % 7) + 7) % 7;
}

/**
 * Occurrences of a schedule from `fromMs` on, in increasing order, without end (the caller
 * stops). Never earlier than the start itself.
 */
export function* occurrenceIterator(
  start: string,
  recurrence: Recurrence,
  timeBase: TimeBaseName,
  fromMs: number,
): Generator<number, void, undefined> {
  const s = parseWallTime(start);
  const startMs = civilToInstant(s, timeBase);
  const lower = Math.max(fromMs, startMs);
  const at = (year: number, month: number, day: number): number =>
    civilToInstant({ ...s, year, month, day }, timeBase);
  const atDay = (dayNo: number): number => {
    const c = civilDate(dayNo);
    return at(c.year, c.month, c.day);
  };
  const startDay = dayNumber(s.year, s.month, s.day);
  const low = instantToCivil(lower, timeBase);
  // One day of slack: DST never moves a wall time across midnight, but it costs nothing.
  const fromDay = Math.max(startDay, dayNumber(low.year, low.month, low.day) - 1);

  switch (recurrence.kind) {
    case 'none':
      if (startMs >= fromMs) yield startMs;
      return;
    case 'daily': {
      const every = recurrence.everyDays;
      const k = Math.ceil((fromDay - startDay) / every);
      for (let day = startDay + k * every; ; day += every) {
        const t = atDay(day);
        if (t >= lower) yield t;
      }
    }
    case 'weekly': {
      const every = recurrence.everyWeeks;
      const days = new Set(recurrence.days);
      const startSunday = startDay - weekday(startDay);
      for (let day = fromDay; ;) {
        const week = Math.floor((day - startSunday) / 7);
        if (week % every !== 0) {
          day = startSunday + (week + every - (week % every)) * 7;
          continue;
        }
        if (days.has(weekday(day))) {
          const t = atDay(day);
          if (t >= lower) yield t;
        }
        day++;
      }
    }
    case 'monthly': {
      const every = recurrence.everyMonths;
      const startMonth = s.year * 12 + (s.month - 1);
      const first = Math.max(startMonth, low.year * 12 + (low.month - 1) - 1);
      const k = Math.ceil((first - startMonth) / every);
      let misses = 0;
      for (let mi = startMonth + k * every; ; mi += every) {
        const year = Math.floor(mi / 12);
        const month = (mi % 12) + 1;
        const dim = daysInMonth(year, month);
        const dom = recurrence.dayOfMonth === -1 ? dim : recurrence.dayOfMonth;
        if (dom > dim) {
          // "A month without that day is skipped"; a day no visited month has never comes.
          if (++misses >= MONTH_MISS_LIMIT) return;
          continue;
        }
        misses = 0;
        const t = at(year, month, dom);
        if (t >= lower) yield t;
      }
    }
  }
}

/** Occurrence instants t of a schedule with fromMs <= t < toMs, in order. */
export function occurrences(
  start: string,
  recurrence: Recurrence,
  timeBase: TimeBaseName,
  fromMs: number,
  toMs: number,
): number[] {
  const out: number[] = [];
  if (toMs <= fromMs) return out;
  for (const t of occurrenceIterator(start, recurrence, timeBase, fromMs)) {
    if (t >= toMs || out.length >= MAX_OCCURRENCES) break;
    out.push(t);
  }
  return out;
}

/** The first occurrence strictly after `afterMs`, if any. */
export function nextOccurrence(
  start: string,
  recurrence: Recurrence,
  timeBase: TimeBaseName,
  afterMs: number,
): number | undefined {
  const next = occurrenceIterator(start, recurrence, timeBase, afterMs + 1).next();
  return next.done === true ? undefined : next.value;
}

/** The latest occurrence at or before `atMs`, if any (searching back in growing steps). */
export function lastOccurrence(
  start: string,
  recurrence: Recurrence,
  timeBase: TimeBaseName,
  atMs: number,
): number | undefined {
  const startMs = wallTimeToInstant(start, timeBase);
  if (startMs > atMs) return undefined;
  for (const spanDays of [2, 35, 400, 4000]) {
    const from = Math.max(startMs, atMs - spanDays * DAY_MS);
    const found = occurrences(start, recurrence, timeBase, from, atMs + 1).at(-1);
    if (found !== undefined) return found;
    if (from === startMs) return undefined;
  }
  let last: number | undefined;
  for (const t of occurrenceIterator(start, recurrence, timeBase, startMs)) {
    if (t > atMs) break;
    last = t;
  }
  return last;
}

/** Sorts and merges intervals; overlapping or touching ones become one. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last !== undefined && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

export type WindowSpec = Pick<
  MaintenanceWindowBody,
  'start' | 'durationMinutes' | 'recurrence' | 'timeBase' | 'appliesTo' | 'enabled'
>;

/**
 * The maintenance-window intervals that overlap [fromMs, toMs), merged. `appliesTo` is the kind
 * of deployment being evaluated: an ordinary deployment honours only windows for 'all'; a
 * software-update deployment honours both kinds. Intervals are not clipped to the range (a run
 * needs the real end of the window it starts in), so ask for a range reaching past the longest
 * run you care about.
 */
export function windowIntervals(
  windows: readonly WindowSpec[],
  fromMs: number,
  toMs: number,
  appliesTo: 'all' | 'software-updates',
): Interval[] {
  const intervals: Interval[] = [];
  for (const w of windows) {
    if (!w.enabled) continue;
    if (appliesTo === 'all' && w.appliesTo !== 'all') continue;
    const duration = w.durationMinutes * MINUTE_MS;
    for (const t of occurrences(w.start, w.recurrence, w.timeBase, fromMs - duration, toMs))
      if (t + duration > fromMs) intervals.push({ start: t, end: t + duration });
  }
  return mergeIntervals(intervals);
}

/** True when `nowMs` is inside an interval and a run of `durationMs` ends before it closes. */
export function canStartIn(
  intervals: readonly Interval[],
  nowMs: number,
  durationMs: number,
): boolean {
  return intervals.some((i) => i.start <= nowMs && nowMs < i.end && nowMs + durationMs <= i.end);
}

/** The earliest instant >= nowMs at which a run of `durationMs` fits in an interval. */
export function nextFittingStart(
  intervals: readonly Interval[],
  nowMs: number,
  durationMs: number,
): number | undefined {
  let best: number | undefined;
  for (const i of intervals) {
    if (i.end <= nowMs) continue;
    const begin = Math.max(i.start, nowMs);
    if (i.end - begin >= durationMs && (best === undefined || begin < best)) best = begin;
  }
  return best;
}

/**
 * When the next timed trigger of a deployment fires strictly after `afterMs`: 'at' triggers
 * (with their recurrence) and extra one-off assignments, all read in `timeBase`. 'asap' and
 * 'on-enrolment' are not times and are ignored here.
 */
export function nextTriggerTime(
  triggers: readonly DeploymentTrigger[],
  extraAssignments: readonly string[],
  timeBase: TimeBaseName,
  afterMs: number,
): number | undefined {
  let best: number | undefined;
  const consider = (t: number | undefined): void => {
    if (t !== undefined && t > afterMs && (best === undefined || t < best)) best = t;
  };
  for (const trigger of triggers) {
    if (trigger.type !== 'at') continue;
    consider(nextOccurrence(trigger.start, trigger.recurrence ?? NONE, timeBase, afterMs));
  }
  for (const wall of extraAssignments) consider(wallTimeToInstant(wall, timeBase));
  return best;
}

/** The latest timed trigger (as in nextTriggerTime) at or before `atMs`. */
export function lastTriggerTime(
  triggers: readonly DeploymentTrigger[],
  extraAssignments: readonly string[],
  timeBase: TimeBaseName,
  atMs: number,
): number | undefined {
  let best: number | undefined;
  const consider = (t: number | undefined): void => {
    if (t !== undefined && t <= atMs && (best === undefined || t > best)) best = t;
  };
  for (const trigger of triggers) {
    if (trigger.type !== 'at') continue;
    consider(lastOccurrence(trigger.start, trigger.recurrence ?? NONE, timeBase, atMs));
  }
  for (const wall of extraAssignments) consider(wallTimeToInstant(wall, timeBase));
  return best;
}

const NONE: Recurrence = { kind: 'none' };
