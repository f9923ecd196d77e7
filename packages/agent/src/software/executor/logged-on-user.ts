import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface LoggedOnUser {
  name: string;
  home: string;
}

interface Session {
  id: string;
  user: string;
  uid: number;
}

const GRAPHICAL = new Set(['x11', 'wayland', 'mir']);

function run(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { timeout: 5000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } },
      (err, stdout) => resolve(err ? undefined : stdout),
    );
  });
}

/** `loginctl list-sessions --no-legend`: `SESSION UID USER [SEAT] [TTY]` per line. */
export function parseLoginctlSessions(text: string): Session[] {
  const sessions: Session[] = [];
  for (const line of text.split('\n')) {
    const [id, uid, user] = line.trim().split(/\s+/);
    if (id === undefined || uid === undefined || user === undefined || !/^\d+$/.test(uid)) continue;
    sessions.push({ id, uid: Number(uid), user });
  }
  return sessions;
}

/** `loginctl show-session ID -p Type -p State -p Class`: `Key=value` lines. */
export function parseProperties(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) props[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return props;
}

/** `who`: `USER LINE TIME [(HOST)]` per line; the first user that is not root. */
export function parseWho(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const user = line.trim().split(/\s+/)[0];
    if (user !== undefined && user !== '' && user !== 'root') return user;
  }
  return undefined;
}

/**
 * The user programs with "run as the logged-on user" run as: the first active graphical session
 * of a user who is not root, else the first active tty session (logind), else the first non-root
 * line of `who` (systems without logind).
 */
export async function findLoggedOnUser(): Promise<LoggedOnUser | undefined> {
  const name = (await fromLogind()) ?? parseWho((await run('who', [])) ?? '');
  if (name === undefined) return undefined;
  return { name, home: await homeOf(name) };
}

async function fromLogind(): Promise<string | undefined> {
  const list = await run('loginctl', ['list-sessions', '--no-legend']);
  if (list === undefined) return undefined;
  let tty: string | undefined;
  for (const s of parseLoginctlSessions(list)) {
    if (s.uid === 0 || s.user === 'root') continue;
    const out = await run('loginctl', [
      'show-session',
      s.id,
      '-p',
      'Type',
      '-p',
      'State',
      '-p',
      'Class',
    ]);
    const p = parseProperties(out ?? '');
    if (p['State'] !== 'active' || (p['Class'] ?? 'user') !== 'user') continue;
    if (GRAPHICAL.has(p['Type'] ?? '')) return s.user;
    if (p['Type'] === 'tty') tty ??= s.user;
  }
  return tty;
}

/** Home directory from the passwd database (getent covers LDAP/SSSD users too). */
async function homeOf(name: string): Promise<string> {
  const line =
    (await run('getent', ['passwd', name])) ??
    (await readFile('/etc/passwd', 'utf8').catch(() => ''))
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
  const home = line?.trim().split(':')[5];
  return home !== undefined && home !== '' ? home : '/';
}
