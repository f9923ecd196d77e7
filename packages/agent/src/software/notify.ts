import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { AgentDeployment } from '@steward/protocol';
import { errorMessage } from '../errors.js';
import { findOnPath } from '../exec-path.js';
import type { Logger } from '../logger.js';
import type { Decision } from './deployment-evaluator.js';
import type { Notifier } from './ports.js';

/** A desktop notification to show, keyed so it is shown once per deployment revision. */
export interface Notice {
  key: string;
  title: string;
  body: string;
  /** An update deployment's reminder: the time it installs (reported as 40514). */
  reminderFor?: number;
}

/**
 * What to tell the person at the machine about a deployment, if anything: new available
 * software, or a required run due within `aheadMs`.
 */
export function deadlineNotice(
  dep: AgentDeployment,
  decision: Decision,
  nowMs: number,
  aheadMs: number,
): Notice | undefined {
  let at: number | undefined;
  switch (decision.kind) {
    case 'expired':
    case 'not-yet-available':
    case 'program-missing':
    case 'disabled':
    case 'skip':
    case 'fail':
      return undefined;
    case 'run':
      at = nowMs;
      break;
    case 'waiting-window':
      at = decision.nextRunAtMs;
      break;
    case 'postponed':
      at = decision.untilMs;
      break;
    case 'waiting-content':
      at = decision.retryAtMs;
      break;
    case 'idle':
      at = decision.nextRunAtMs;
      break;
  }
  if (dep.purpose === 'available')
    return {
      key: `available:${dep.id}:${dep.revision}`,
      title: 'New software available',
      body: `"${dep.name}" can be installed from the Software Center: steward-agent center install ${dep.id}`,
    };
  if (at === undefined || at - nowMs > aheadMs) return undefined;
  const when = at <= nowMs ? 'now' : `at ${new Date(at).toLocaleString()}`;
  const postpone =
    dep.maxPostponeMinutes > 0
      ? ` To postpone it: steward-agent center postpone ${dep.id} --minutes N`
      : '';
  const u = dep.updateInstall;
  if (u !== undefined) {
    if (!u.notifyUsers) return undefined;
    // Users who may postpone are reminded every interval as the deadline nears (the seed: 3 h).
    const slot =
      dep.maxPostponeMinutes > 0 && at > nowMs
        ? Math.floor((at - nowMs) / (u.reminderIntervalMinutes * 60_000))
        : 0;
    return {
      key: `deadline:${dep.id}:${dep.revision}:${slot}`,
      title: slot > 0 ? 'Reminder: updates will be installed' : 'Updates will be installed',
      body: `"${dep.name}" will be installed ${when}.${postpone}`,
      reminderFor: at,
    };
  }
  return {
    key: `deadline:${dep.id}:${dep.revision}`,
    title: 'Software will be installed',
    body: `"${dep.name}" will be installed ${when}.${postpone}`,
  };
}

export interface GraphicalSession {
  user: string;
  uid: number;
  display?: string;
  waylandDisplay?: string;
}

type Run = (file: string, args: readonly string[], env?: NodeJS.ProcessEnv) => Promise<string>;

const COMMAND_TIMEOUT_MS = 10_000;

const runCommand: Run = (file, args, env) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: COMMAND_TIMEOUT_MS, env: env ?? process.env, encoding: 'utf8' },
      (err, stdout) => {
        if (err === null) resolve(stdout);
        else reject(new Error(err.message, { cause: err }));
      },
    );
  });

function properties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return out;
}

/** Graphical sessions known to logind (Type=x11 or wayland). */
async function logindSessions(run: Run, env: NodeJS.ProcessEnv): Promise<GraphicalSession[]> {
  const loginctl = await findOnPath('loginctl', env['PATH']);
  if (loginctl === undefined) return [];
  const list = await run(loginctl, ['list-sessions', '--no-legend'], env).catch(() => '');
  const sessions: GraphicalSession[] = [];
  for (const line of list.split('\n')) {
    const id = line.trim().split(/\s+/)[0];
    if (id === undefined || id === '') continue;
    const show = await run(
      loginctl,
      ['show-session', id, '-p', 'Type', '-p', 'Name', '-p', 'User', '-p', 'Display'],
      env,
    ).catch(() => '');
    const p = properties(show);
    const type = p.get('Type');
    const user = p.get('Name');
    const uid = Number(p.get('User'));
    if ((type !== 'x11' && type !== 'wayland') || user === undefined || !Number.isInteger(uid))
      continue;
    const display = p.get('Display');
    sessions.push({
      user,
      uid,
      ...(display === undefined || display === '' ? {} : { display }),
      ...(type === 'wayland' ? { waylandDisplay: 'wayland-0' } : {}),
    });
  }
  return sessions;
}

/** Users whose processes carry DISPLAY or WAYLAND_DISPLAY (readable only as root). */
async function environmentSessions(): Promise<GraphicalSession[]> {
  const found = new Map<number, GraphicalSession>();
  const pids = await readdir('/proc').catch(() => []);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => undefined);
    if (environ === undefined) continue;
    const vars = new Map(
      environ.split('\0').flatMap((kv) => {
        const eq = kv.indexOf('=');
        return eq > 0 ? [[kv.slice(0, eq), kv.slice(eq + 1)] as const] : [];
      }),
    );
    const display = vars.get('DISPLAY');
    const wayland = vars.get('WAYLAND_DISPLAY');
    const user = vars.get('USER') ?? vars.get('LOGNAME');
    if ((display === undefined && wayland === undefined) || user === undefined) continue;
    const uid = (await stat(`/proc/${pid}`).catch(() => undefined))?.uid;
    if (uid === undefined || found.has(uid)) continue;
    found.set(uid, {
      user,
      uid,
      ...(display === undefined ? {} : { display }),
      ...(wayland === undefined ? {} : { waylandDisplay: wayland }),
    });
  }
  return [...found.values()];
}

/**
 * Desktop notifications through `notify-send`, run as the user of each graphical session
 * (`runuser` when the agent is root) with that session's display and D-Bus address. Both
 * commands are found through PATH. A machine without notify-send is told about once in the log.
 */
export class DesktopNotifier implements Notifier {
  private missingLogged = false;

  constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly run: Run = runCommand,
  ) {}

  async notify(title: string, body: string): Promise<void> {
    try {
      const notifySend = await findOnPath('notify-send', this.env['PATH']);
      if (notifySend === undefined) {
        if (!this.missingLogged) this.log.info('notify-send not found: no desktop notifications');
        this.missingLogged = true;
        return;
      }
      for (const session of await this.sessions())
        await this.show(notifySend, session, title, body).catch((err: unknown) =>
          this.log.warn(`notification for ${session.user} failed: ${errorMessage(err)}`),
        );
    } catch (err) {
      this.log.warn(`desktop notification failed: ${errorMessage(err)}`);
    }
  }

  /** Graphical sessions: logind's, else the agent's own display, else other users' processes. */
  async sessions(): Promise<GraphicalSession[]> {
    const fromLogind = await logindSessions(this.run, this.env);
    if (fromLogind.length > 0) return fromLogind;
    const display = this.env['DISPLAY'];
    const wayland = this.env['WAYLAND_DISPLAY'];
    if (display !== undefined || wayland !== undefined) {
      const me = userInfo();
      return [
        {
          user: me.username,
          uid: me.uid,
          ...(display === undefined ? {} : { display }),
          ...(wayland === undefined ? {} : { waylandDisplay: wayland }),
        },
      ];
    }
    return process.getuid?.() === 0 ? environmentSessions() : [];
  }

  private async show(
    notifySend: string,
    s: GraphicalSession,
    title: string,
    body: string,
  ): Promise<void> {
    const vars: Record<string, string> = {
      DBUS_SESSION_BUS_ADDRESS: `unix:path=/run/user/${s.uid}/bus`,
      PATH: this.env['PATH'] ?? '/usr/bin:/bin',
    };
    if (s.display !== undefined) vars['DISPLAY'] = s.display;
    if (s.waylandDisplay !== undefined) vars['WAYLAND_DISPLAY'] = s.waylandDisplay;
    const args = ['--app-name=Steward', title, body];
    const myUid = process.getuid?.();
    if (myUid === s.uid) {
      // Same user: its own session bus address, when the agent has one, is the right one.
      const bus = this.env['DBUS_SESSION_BUS_ADDRESS'];
      await this.run(notifySend, args, {
        ...this.env,
        ...vars,
        ...(bus === undefined ? {} : { DBUS_SESSION_BUS_ADDRESS: bus }),
      });
      return;
    }
    if (myUid !== 0) return; // another user's desktop is out of reach without root
    const runuser = (await findOnPath('runuser', this.env['PATH'])) ?? 'runuser';
    const assignments = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
    await this.run(runuser, ['-u', s.user, '--', 'env', ...assignments, notifySend, ...args]);
  }
}
