import type { InventoryInstance } from '@steward/protocol';
import { runIfPresent } from '../system.js';
import type { ClassCollector } from '../types.js';

export interface SessionRow {
  user: string;
  terminal: string;
  host: string | null;
  since: string | null;
}

/** Parses `who` (LC_ALL=C): `user  tty  YYYY-MM-DD HH:MM [(host)]`, times in local time. */
export function parseWho(text: string): SessionRow[] {
  const out: SessionRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?:\s+\((.*)\))?/.exec(line.trim());
    if (m === null || m[1] === undefined || m[2] === undefined) continue;
    const since = new Date(Number(m[3]), Number(m[4]) - 1, Number(m[5]), Number(m[6]), Number(m[7]));
    out.push({
      user: m[1],
      terminal: m[2],
      host: m[8] !== undefined && m[8] !== '' ? m[8] : null,
      since: Number.isNaN(since.getTime()) ? null : since.toISOString(),
    });
  }
  return out;
}

/** Parses `last -w --time-format iso`: the first real logon (not reboot/shutdown pseudo-users). */
export function parseLast(text: string): { user: string; at: string | null } | undefined {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('wtmp begins') || trimmed.startsWith('btmp begins')) continue;
    const [user] = trimmed.split(/\s+/);
    if (user === undefined || user === 'reboot' || user === 'shutdown' || user === 'runlevel') continue;
    const iso = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:?\d{2}|Z)?)/.exec(trimmed)?.[1];
    const at = iso === undefined ? null : new Date(iso);
    return { user, at: at === null || Number.isNaN(at.getTime()) ? null : at.toISOString() };
  }
  return undefined;
}

async function sessions(): Promise<SessionRow[]> {
  const res = await runIfPresent('who', [], { timeoutMs: 10_000 }).catch(() => undefined);
  return res?.exitCode === 0 ? parseWho(res.stdout) : [];
}

export const sessionCollector: ClassCollector = {
  className: 'session',
  async collect(): Promise<InventoryInstance[]> {
    return (await sessions()).map((s) => ({ user: s.user, terminal: s.terminal, host: s.host, since: s.since }));
  },
};

export const userCollector: ClassCollector = {
  className: 'user',
  async collect(): Promise<InventoryInstance[]> {
    const current = await sessions();
    const res = await runIfPresent('last', ['-w', '--time-format', 'iso', '-n', '20'], { timeoutMs: 10_000 }).catch(() => undefined);
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
