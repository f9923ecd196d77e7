import type {
  CreatePhasedDeploymentRequest,
  DeploymentTrigger,
  RerunBehaviour,
} from '@steward/protocol';
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { parseRecurrence, parseWallTime } from './schedule-flags.js';
import { onOff, valueOrCleared } from './software-common.js';

/** Settings shared by a deployment and each phase of a phased deployment. */
export type DeploymentSettings = NonNullable<CreatePhasedDeploymentRequest['deployment']>;

export const RERUN: readonly RerunBehaviour[] = ['never', 'always', 'if-failed', 'if-succeeded'];

/** Schedule flags: when a required deployment runs. */
export function scheduleFlags(cmd: Command): Command {
  return cmd
    .option('--asap', 'run as soon as possible')
    .option('--at <walltime>', 'run at this time, e.g. 2025-07-01T22:00 (UTC unless --local-time)')
    .option(
      '--recur <spec>',
      'repeat the --at run: daily:N, weekly:N:mon,wed, monthly:N:DAY (DAY 1-31 or last)',
    )
    .option('--on-enrolment', 'run on devices that enrol later');
}

/** Every other setting; each on/off setting has both forms so update can leave it alone. */
export function settingFlags(cmd: Command): Command {
  return cmd
    .option(
      '--available-at <walltime>',
      'offered (and pre-downloaded) from this time; now by default',
    )
    .option('--expires-at <walltime>', 'no longer offered or run after this time')
    .option('--no-expires-at', 'never expires')
    .option('--local-time', "times are the client's local time")
    .option('--utc', 'times are UTC (the default)')
    .option('--rerun <behaviour>', `rerun behaviour: ${RERUN.join(', ')}`)
    .option('--pre-download', 'clients download content before the deadline (the default)')
    .option('--no-pre-download', 'clients download content only when the run is due')
    .option('--from-dp', 'run from the distribution point (fetched for the run, not cached)')
    .option('--no-from-dp', 'download then execute (the default)')
    .option('--run-over-slow', 'also run over a slow or unreliable boundary')
    .option('--no-run-over-slow', 'do not run over a slow or unreliable boundary (the default)')
    .option('--fallback', 'clients may use neighbour and fallback DPs (the default)')
    .option('--no-fallback', 'clients use only the DPs of their own boundary groups')
    .option('--override-windows', 'run outside maintenance windows')
    .option('--no-override-windows', 'run only inside maintenance windows (the default)')
    .option('--max-postpone-minutes <n>', 'how long a user may postpone a required run (0-43200)');
}

/** Triggers from the schedule flags; undefined when none is given. */
export function readTriggers(opts: Opts): DeploymentTrigger[] | undefined {
  const triggers: DeploymentTrigger[] = [];
  if (opts.flag('asap')) triggers.push({ type: 'asap' });
  const at = opts.string('at');
  const recur = opts.string('recur');
  if (recur !== undefined && at === undefined)
    throw usageError('--recur repeats the --at run: give --at too');
  if (at !== undefined) {
    const start = parseWallTime(at, '--at');
    const recurrence = recur === undefined ? undefined : parseRecurrence(recur, '--recur');
    triggers.push({
      type: 'at',
      start,
      ...(recurrence !== undefined && recurrence.kind !== 'none' ? { recurrence } : {}),
    });
  }
  if (opts.flag('onEnrolment')) triggers.push({ type: 'on-enrolment' });
  return triggers.length > 0 ? triggers : undefined;
}

/** The settings given as flags (only those), checked locally. `cmd` reads the on/off forms. */
export function readSettings(cmd: Command, opts: Opts): DeploymentSettings {
  const s: DeploymentSettings = {};
  const triggers = readTriggers(opts);
  if (triggers !== undefined) s.triggers = triggers;
  const availableAt = opts.string('availableAt');
  if (availableAt !== undefined) s.availableAt = parseWallTime(availableAt, '--available-at');
  const expires = valueOrCleared(cmd, 'expiresAt');
  if (expires !== undefined)
    s.expiresAt = expires === null ? null : parseWallTime(expires, '--expires-at');
  if (opts.flag('localTime') && opts.flag('utc'))
    throw usageError('--local-time and --utc exclude each other');
  if (opts.flag('localTime')) s.timeBase = 'local';
  if (opts.flag('utc')) s.timeBase = 'utc';
  const rerun = opts.oneOf('rerun', RERUN);
  if (rerun !== undefined) s.rerun = rerun;
  const preDownload = onOff(cmd, 'preDownload');
  if (preDownload !== undefined) s.preDownload = preDownload;
  const fromDp = onOff(cmd, 'fromDp');
  if (fromDp !== undefined) s.contentMode = fromDp ? 'from-dp' : 'download';
  const slow = onOff(cmd, 'runOverSlow');
  if (slow !== undefined) s.runOverSlowBoundary = slow;
  const fallback = onOff(cmd, 'fallback');
  if (fallback !== undefined) s.allowFallback = fallback;
  const windows = onOff(cmd, 'overrideWindows');
  if (windows !== undefined) s.overrideMaintenanceWindows = windows;
  const postpone = opts.int('maxPostponeMinutes', { min: 0, max: 43200 });
  if (postpone !== undefined) s.maxPostponeMinutes = postpone;
  if (
    s.availableAt !== undefined &&
    typeof s.expiresAt === 'string' &&
    s.expiresAt <= s.availableAt
  )
    throw usageError('--expires-at must be after --available-at');
  return s;
}
