import type { DeploymentTrigger, Recurrence } from '@steward/protocol';

/** A recurrence as the form edits it: every kind's fields kept, so switching kind loses nothing. */
export interface RecurrenceDraft {
  kind: Recurrence['kind'];
  everyDays: number;
  everyWeeks: number;
  days: number[];
  everyMonths: number;
  /** 1-31, or -1 for the last day of the month. */
  dayOfMonth: number;
}

export function emptyRecurrence(kind: Recurrence['kind'] = 'none'): RecurrenceDraft {
  return { kind, everyDays: 1, everyWeeks: 1, days: [1], everyMonths: 1, dayOfMonth: 1 };
}

export function draftOf(r: Recurrence | undefined): RecurrenceDraft {
  const d = emptyRecurrence(r?.kind ?? 'none');
  if (!r) return d;
  switch (r.kind) {
    case 'none':
      return d;
    case 'daily':
      return { ...d, everyDays: r.everyDays };
    case 'weekly':
      return { ...d, everyWeeks: r.everyWeeks, days: [...r.days] };
    case 'monthly':
      return { ...d, everyMonths: r.everyMonths, dayOfMonth: r.dayOfMonth };
  }
}

export function recurrenceOf(d: RecurrenceDraft): Recurrence {
  switch (d.kind) {
    case 'none':
      return { kind: 'none' };
    case 'daily':
      return { kind: 'daily', everyDays: d.everyDays };
    case 'weekly':
      return { kind: 'weekly', everyWeeks: d.everyWeeks, days: [...d.days].sort((a, b) => a - b) };
    case 'monthly':
      return { kind: 'monthly', everyMonths: d.everyMonths, dayOfMonth: d.dayOfMonth };
  }
}

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function every(n: number, one: string, many: string): string {
  return n === 1 ? `every ${one}` : `every ${n} ${many}`;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** "every 2 weeks on Mon, Thu", "monthly on the last day". */
export function describeRecurrence(r: Recurrence | undefined): string {
  if (!r) return 'once';
  switch (r.kind) {
    case 'none':
      return 'once';
    case 'daily':
      return every(r.everyDays, 'day', 'days');
    case 'weekly':
      return `${every(r.everyWeeks, 'week', 'weeks')} on ${r.days.map((d) => WEEKDAYS[d] ?? d).join(', ')}`;
    case 'monthly':
      return `${every(r.everyMonths, 'month', 'months')} on the ${r.dayOfMonth === -1 ? 'last day' : ordinal(r.dayOfMonth)}`;
  }
}

/** Wall time for display: "2026-12-01 02:00 UTC" / "... client local time". */
export function describeWallTime(wall: string, timeBase: 'utc' | 'local'): string {
  return `${wall.replace('T', ' ')} ${timeBase === 'utc' ? 'UTC' : 'client local time'}`;
}

export function describeTrigger(t: DeploymentTrigger, timeBase: 'utc' | 'local'): string {
  switch (t.type) {
    case 'asap':
      return 'As soon as possible';
    case 'on-enrolment':
      return 'When a device enrols';
    case 'at': {
      const when = describeWallTime(t.start, timeBase);
      const r = t.recurrence;
      return r && r.kind !== 'none' ? `From ${when}, ${describeRecurrence(r)}` : `At ${when}`;
    }
  }
}
