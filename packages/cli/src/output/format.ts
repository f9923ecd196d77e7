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

/** Elapsed time: "4 s", "2 min 5 s", "1 h 3 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
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
  const chars = [...s];
  if (chars.length <= max) return s;
  return max <= 1 ? '…' : chars.slice(0, max - 1).join('') + '…';
}
