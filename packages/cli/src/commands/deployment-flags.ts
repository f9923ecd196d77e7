import {
  DeploymentOptions,
  type CreatePhasedDeploymentRequest,
  type DeploymentTrigger,
} from '@steward/protocol';
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { parseRecurrence, parseWallTime } from './schedule-flags.js';
import { valueOrCleared } from './software-common.js';

/** Settings shared by a deployment and each phase of a phased deployment. */
export type DeploymentSettings = NonNullable<CreatePhasedDeploymentRequest['deployment']>;

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

/**
 * Every other setting: the availability times and time base, then one flag (or on/off pair, so
 * update can leave it alone) per deployment option, generated from the protocol's declaration.
 */
export function settingFlags(cmd: Command): Command {
  cmd
    .option(
      '--available-at <walltime>',
      'offered (and pre-downloaded) from this time; now by default',
    )
    .option('--expires-at <walltime>', 'no longer offered or run after this time')
    .option('--no-expires-at', 'never expires')
    .option('--local-time', "times are the client's local time")
    .option('--utc', 'times are UTC (the default)');
  return addSettingFlags(cmd, DeploymentOptions);
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
  Object.assign(s, readSettingFlags(cmd, DeploymentOptions));
  if (
    s.availableAt !== undefined &&
    typeof s.expiresAt === 'string' &&
    s.expiresAt <= s.availableAt
  )
    throw usageError('--expires-at must be after --available-at');
  return s;
}
