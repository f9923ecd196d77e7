import { userInfo } from 'node:os';
import { MAX_POSTPONE_MINUTES, MAX_RESTART_SNOOZE_MINUTES } from '@steward/protocol';
import { AgentError, ExitCode } from '../errors.js';
import { centerRequest } from '../software/center-client.js';
import type { CenterEntry, CenterRequest, CenterRestart } from '../software/center-protocol.js';
import type { CliIo } from './cli-io.js';

export interface CenterArgs {
  stateDir: string;
  json: boolean;
  /** list (default), install, postpone. */
  positionals: readonly string[];
  minutes: string | undefined;
  /** center snooze: the new restart time (ISO 8601). */
  until: string | undefined;
  /** center reschedule: the new install time (ISO 8601). */
  at?: string | undefined;
  user: string | undefined;
}

/** Who is asking: the user behind sudo, else this process's user (the agent cannot see it). */
export function defaultCenterUser(env: NodeJS.ProcessEnv): string {
  const sudo = env['SUDO_USER'];
  if (sudo !== undefined && sudo !== '') return sudo;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function parseRequest(args: CenterArgs, user: string): CenterRequest {
  const [action = 'list', id, ...extra] = args.positionals;
  if (extra.length > 0) throw new AgentError('USAGE', `unexpected argument "${extra[0] ?? ''}"`);
  const needId = (): string => {
    if (id === undefined || id === '')
      throw new AgentError('USAGE', `center ${action} needs a deployment id`);
    return id;
  };
  switch (action) {
    case 'list':
      if (id !== undefined) throw new AgentError('USAGE', `unexpected argument "${id}"`);
      if (args.minutes !== undefined)
        throw new AgentError('USAGE', 'center list does not take --minutes');
      return { op: 'list' };
    // `run` reads better for a task sequence (ADR 0084); both queue the deployment.
    case 'install':
    case 'run':
      if (args.minutes !== undefined)
        throw new AgentError('USAGE', `center ${action} does not take --minutes`);
      return { op: 'install', deploymentId: needId(), user };
    case 'postpone': {
      const deploymentId = needId();
      const minutes = Number(args.minutes);
      if (
        args.minutes === undefined ||
        !Number.isInteger(minutes) ||
        minutes < 1 ||
        minutes > MAX_POSTPONE_MINUTES
      )
        throw new AgentError(
          'USAGE',
          `center postpone needs --minutes N (1 to ${MAX_POSTPONE_MINUTES})`,
        );
      return { op: 'postpone', deploymentId, minutes, user };
    }
    case 'reschedule': {
      const deploymentId = needId();
      if (args.minutes !== undefined || args.until !== undefined || args.at === undefined)
        throw new AgentError('USAGE', 'center reschedule needs --at TIME (and nothing else)');
      const ms = Date.parse(args.at);
      if (Number.isNaN(ms))
        throw new AgentError('USAGE', `--at: "${args.at}" is not a date and time`);
      return { op: 'reschedule', deploymentId, at: new Date(ms).toISOString(), user };
    }
    case 'snooze':
      return snoozeRequest(args, needId(), user);
    case 'restart':
      if (args.minutes !== undefined || args.until !== undefined)
        throw new AgentError('USAGE', 'center restart takes only the deployment id');
      return { op: 'restart-now', deploymentId: needId(), user };
    default:
      throw new AgentError(
        'USAGE',
        `unknown center action "${action}" (list, install, run, postpone, reschedule, snooze, restart)`,
      );
  }
}

/** `center snooze ID --minutes N` (postpone the restart) or `--until TIME` (reschedule it). */
function snoozeRequest(args: CenterArgs, deploymentId: string, user: string): CenterRequest {
  if ((args.minutes === undefined) === (args.until === undefined))
    throw new AgentError('USAGE', 'center snooze needs --minutes N or --until TIME (one of them)');
  if (args.until !== undefined) {
    const ms = Date.parse(args.until);
    if (Number.isNaN(ms))
      throw new AgentError('USAGE', `--until: "${args.until}" is not a date and time`);
    return { op: 'restart-snooze', deploymentId, until: new Date(ms).toISOString(), user };
  }
  const minutes = Number(args.minutes);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_RESTART_SNOOZE_MINUTES)
    throw new AgentError(
      'USAGE',
      `center snooze needs --minutes N (1 to ${MAX_RESTART_SNOOZE_MINUTES})`,
    );
  return { op: 'restart-snooze', deploymentId, minutes, user };
}

/** The pending update restarts, below the list. */
export function renderRestarts(restarts: readonly CenterRestart[]): string {
  if (restarts.length === 0) return '';
  const lines = restarts.map(
    (r) =>
      `  ${r.deploymentId}  ${r.name}: ${r.reason}` +
      (r.phase === 'countdown'
        ? ` (snooze: center snooze ${r.deploymentId} --minutes N; now: center restart ${r.deploymentId})`
        : ''),
  );
  return ['\nPending restarts:', ...lines].join('\n') + '\n';
}

function when(iso: string | null): string {
  if (iso === null) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function renderCenter(entries: readonly CenterEntry[]): string {
  if (entries.length === 0) return 'no software offered to this device\n';
  const header = ['ID', 'NAME', 'TYPE', 'STATE', 'NEXT RUN', 'LAST RESULT', 'POSTPONE'];
  const rows = entries.map((e) => [
    e.deploymentId,
    `${e.name} (${e.packageName} / ${e.programName})`,
    e.purpose,
    e.postponedUntil === null ? e.state : `${e.state} until ${when(e.postponedUntil)}`,
    when(e.nextRunAt),
    e.lastResult === null ? '-' : `${e.lastResult} ${when(e.lastRunAt)}`,
    e.purpose === 'required' && e.maxPostponeMinutes > 0
      ? `${e.postponeRemainingMinutes}/${e.maxPostponeMinutes} min`
      : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/**
 * `steward-agent center [list | install ID | postpone ID --minutes N | reschedule ID --at TIME |
 * snooze ID --minutes N |
 * snooze ID --until TIME | restart ID] [--json] [--user U]`:
 * the Software Center, answered by the running agent service over its local socket.
 */
export async function centerCommand(args: CenterArgs, io: CliIo): Promise<number> {
  const request = parseRequest(args, args.user ?? defaultCenterUser(io.env));
  const response = await centerRequest(args.stateDir, request);
  if (args.json) io.out(JSON.stringify(response, null, 2) + '\n');
  if (!response.ok) {
    if (args.json) return ExitCode.failure;
    throw new AgentError(response.code, response.message);
  }
  if (args.json) return ExitCode.ok;
  if ('deployments' in response)
    io.out(renderCenter(response.deployments) + renderRestarts(response.restarts ?? []));
  else io.out(`${response.message}\n`);
  return ExitCode.ok;
}
