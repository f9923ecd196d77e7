import type { InventoryInstance } from '@steward/protocol';
import { runIfPresent } from '../system.js';
import type { ClassCollector } from '../types.js';

export interface SessionRow {
  user: string;
  terminal: string;
  host: string | null;
  since: string | null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The login time `who` prints: `YYYY-MM-DD HH:MM` in most locales, `Mon DD HH:MM` (no year) in
 * the C locale the agent runs tools under. Local time; a yearless date in the future is last year's.
 */
function parseWhoTime(text: string, now: Date): string | null {
  let date: Date | undefined;
  const iso = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (iso !== null) {
    date = new Date(
      Number(iso[1]),
      Number(iso[2]) - 1,
      Number(iso[3]),
      Number(iso[4]),
      Number(iso[5]),
    );
  }
  const short = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2})$/.exec(text);
  if (short?.[1] !== undefined && MONTHS.includes(short[1])) {
    const args = [
      MONTHS.indexOf(short[1]),
      Number(short[2]),
      Number(short[3]),
      Number(short[4]),
    ] as const;
    date = new Date(now.getFullYear(), ...args);
    if (date.getTime() > now.getTime() + 86_400_000)
      date = new Date(now.getFullYear() - 1, ...args);
  }
  return date === undefined || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Parses `who`: `user  tty  <time>  [(host)]`. */
export function parseWho(text: string, now: Date = new Date()): SessionRow[] {
  const out: SessionRow[] = [];
  for (const line of text.split('\n')) {
    const m =
      /^(\S+)\s+(\S+)\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}|[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2})(?:\s+\((.*)\))?/.exec(
        line.trim(),
      );
    if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined) continue;
    out.push({
      user: m[1],
      terminal: m[2],
      host: m[4] !== undefined && m[4] !== '' ? m[4] : null,
      since: parseWhoTime(m[3], now),
    });
  }
  return out;
}

/** Parses `last -w --time-format iso`: the first real logon (not reboot/shutdown pseudo-users). */
export function parseLast(text: string): { user: string; at: string | null } | undefined {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('wtmp begins') || trimmed.startsWith('btmp begins'))
      continue;
    const [user] = trimmed.split(/\s+/);
    if (user === undefined || user === 'reboot' || user === 'shutdown' || user === 'runlevel')
      continue;
    const iso = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:?\d{2}|Z)?)/.exec(trimmed)?.[1];
    const at = iso === undefined ? null : new Date(iso);
    return { user, at: at === null || Number.isNaN(at.getTime()) ? null : at.toISOString() };
  }
  return undefined;
}

/** Current sessions from utmp through `who` (another utmp file can be named, for tests). */
export async function whoSessions(utmpFile?: string): Promise<SessionRow[]> {
  const args = utmpFile === undefined ? [] : [utmpFile];
  const res = await runIfPresent('who', args, { timeoutMs: 10_000 }).catch(() => undefined);
  return res?.exitCode === 0 ? parseWho(res.stdout) : [];
}

export const sessionCollector: ClassCollector = {
  className: 'session',
  async collect(): Promise<InventoryInstance[]> {
    return (await whoSessions()).map((s) => ({
      user: s.user,
      terminal: s.terminal,
      host: s.host,
      since: s.since,
    }));
  },
};

export const userCollector: ClassCollector = {
  className: 'user',
  async collect(): Promise<InventoryInstance[]> {
    const current = await whoSessions();
    const res = await runIfPresent('last', ['-w', '--time-format', 'iso', '-n', '20'], {
      timeoutMs: 10_000,
    }).catch(() => undefined);
    const last = res?.exitCode === 0 ? parseLast(res.stdout) : undefined;
    const users = [...new Set(current.map((s) => s.user))].sort();
    return [
      {
        lastLoggedOnUser: last?.user ?? null,
        lastLogonTime: last?.at ?? null,
        loggedOnUsers: users.join(','),
        loggedOnCount: users.length,
      },
    ];
  },
};
