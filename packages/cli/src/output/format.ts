import { graphemes } from './terminal-text.js';

/** Human renderings shared by the tables: times, sizes, counts. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "3 min ago", "5 h ago", "12 days ago", "in 4 min"; older than 60 days: the date. */
export function humanTime(iso: string | null | undefined, now: Date, never = 'never'): string {
  if (iso === null || iso === undefined || iso === '') return never;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const delta = now.getTime() - t;
  const abs = Math.abs(delta);
  if (abs < 45_000) return 'just now';
  if (abs > 60 * DAY) return new Date(t).toISOString().slice(0, 10);
  const span =
    abs < HOUR
      ? `${Math.max(1, Math.round(abs / MINUTE))} min`
      : abs < DAY
        ? `${Math.round(abs / HOUR)} h`
        : plural(Math.round(abs / DAY), 'day');
  return delta >= 0 ? `${span} ago` : `in ${span}`;
}

const UNITS: readonly (readonly [number, string])[] = [
  [86400, 'day'],
  [3600, 'h'],
  [60, 'min'],
  [1, 's'],
];

function unit(n: number, name: string): string {
  return name === 'day' ? plural(n, 'day') : `${n} ${name}`;
}

/** A span of time in its largest unit and the next: "4 s", "2 min 5 s", "1 h 3 min", "30 min", "7 days". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const i = UNITS.findIndex(([size]) => total >= size);
  const first = UNITS[i];
  if (first === undefined) return '0 s';
  const n = Math.floor(total / first[0]);
  const next = UNITS[i + 1];
  const m = next === undefined ? 0 : Math.floor((total - n * first[0]) / next[0]);
  return next !== undefined && m > 0
    ? `${unit(n, first[1])} ${unit(m, next[1])}`
    : unit(n, first[1]);
}

/** An absolute UTC time, to the second: 2025-01-31 08:00:00Z. */
export function utcTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function formatMegabytes(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return '-';
  if (mb < 1024) return `${Math.round(mb)} MB`;
  const gb = mb / 1024;
  return `${gb < 10 ? gb.toFixed(1) : Math.round(gb)} GB`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '-';
  return `${Math.round((part / whole) * 100)}%`;
}

export function orDash(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === '' ? '-' : String(v);
}

/** Shortens to `max` characters with an ellipsis. */
export function truncate(s: string, max: number): string {
  const chars = graphemes(s);
  if (chars.length <= max) return s;
  return max <= 1 ? '…' : chars.slice(0, max - 1).join('') + '…';
}

/** What an update install left (or a rehearsal predicts) to restart, in a table cell. */
export function restartText(
  need: { reboot: boolean; services: readonly string[]; source: string } | null,
): string {
  if (need === null) return '-';
  const parts = [
    ...(need.reboot ? ['reboot'] : []),
    ...(need.services.length > 0 ? [`restart ${need.services.join(', ')}`] : []),
  ];
  return `${parts.length > 0 ? parts.join('; ') : 'no restart'} (${need.source})`;
}
