import { InputError, ErrorCode } from '@steward/protocol';
import type { DeploymentPurpose, DeploymentTrigger } from '@steward/protocol';

const HOUR_MS = 3600_000;
/**
 * A wall time in client local time is read in each client's zone: from UTC+14 to UTC-12. The
 * server only refuses a time that has passed everywhere; the agent evaluates it exactly.
 */
const LOCAL_SLACK_MS = 14 * HOUR_MS;

type TimeBase = 'utc' | 'local';

/** A wall time (`YYYY-MM-DDTHH:MM[:SS]`) as epoch ms read in UTC; undefined if not a real time. */
export function wallTimeMs(wall: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall);
  if (!m) return undefined;
  // An optional group that did not match is undefined (the lib types it as string).
  const [y, mo, d, h, mi, s] = m.slice(1).map((x: string | undefined) => Number(x ?? '0'));
  if (y === undefined || mo === undefined || d === undefined) return undefined;
  if ((h ?? 0) > 23 || (mi ?? 0) > 59 || (s ?? 0) > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h ?? 0, mi ?? 0, s ?? 0);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March: such a date does not exist.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return ms;
}

/** Parses a wall time or refuses the request with INVALID_SCHEDULE naming the field. */
export function requireWallTime(wall: string, field: string): number {
  const ms = wallTimeMs(wall);
  if (ms === undefined)
    throw new InputError(
      ErrorCode.INVALID_SCHEDULE,
      `${field} "${wall}" is not a real date and time`,
      { field },
    );
  return ms;
}

/** Whether a wall time has passed for every client (with the local-time slack). */
export function wallTimePassed(
  wall: string,
  timeBase: TimeBase,
  now: Date,
  field: string,
): boolean {
  const ms = requireWallTime(wall, field);
  return ms + (timeBase === 'local' ? LOCAL_SLACK_MS : 0) < now.getTime();
}

function isOneOff(t: DeploymentTrigger): boolean {
  return t.type === 'at' && (t.recurrence === undefined || t.recurrence.kind === 'none');
}

export interface ScheduleFields {
  purpose: DeploymentPurpose;
  triggers: DeploymentTrigger[];
  availableAt: string | null;
  expiresAt: string | null;
  timeBase: TimeBase;
  extraAssignments: string[];
}

/**
 * Refuses a schedule that cannot work. `changed` names the fields this request sets: only those
 * are refused for lying in the past (an update of the name must not fail because a one-off run
 * already happened), while consistency is checked on the whole result.
 */
export function checkSchedule(
  s: ScheduleFields,
  now: Date,
  changed: { triggers: boolean; expiresAt: boolean },
): void {
  const available =
    s.availableAt === null ? undefined : requireWallTime(s.availableAt, 'availableAt');
  const expires = s.expiresAt === null ? undefined : requireWallTime(s.expiresAt, 'expiresAt');
  s.triggers.forEach((t, i) => {
    if (t.type !== 'at') return;
    const field = `triggers[${String(i)}].start`;
    const start = requireWallTime(t.start, field);
    if (changed.triggers && isOneOff(t) && wallTimePassed(t.start, s.timeBase, now, field))
      throw new InputError(
        ErrorCode.SCHEDULE_IN_PAST,
        `the one-off run at ${t.start} (${s.timeBase}) is in the past`,
        { field },
      );
    if (expires !== undefined && start >= expires)
      throw new InputError(
        ErrorCode.INVALID_SCHEDULE,
        `the run at ${t.start} is not before the expiry ${s.expiresAt ?? ''}: it would never run`,
        { field },
      );
  });
  if (s.expiresAt !== null && changed.expiresAt)
    if (wallTimePassed(s.expiresAt, s.timeBase, now, 'expiresAt'))
      throw new InputError(
        ErrorCode.SCHEDULE_IN_PAST,
        `the expiry ${s.expiresAt} (${s.timeBase}) is in the past`,
        { field: 'expiresAt' },
      );
  if (expires !== undefined && available !== undefined && expires <= available)
    throw new InputError(
      ErrorCode.INVALID_SCHEDULE,
      `the expiry ${s.expiresAt ?? ''} is not after the availability ${s.availableAt ?? ''}`,
      { field: 'expiresAt' },
    );
  if (s.purpose === 'required' && s.triggers.length === 0 && s.extraAssignments.length === 0)
    throw new InputError(
      ErrorCode.INVALID_SCHEDULE,
      'a required deployment needs at least one trigger (asap, at a time, on enrolment)',
      { field: 'triggers' },
    );
}

/** An extra one-off assignment: a real time, not past, before the expiry. */
export function checkExtraAssignment(
  at: string,
  s: Pick<ScheduleFields, 'timeBase' | 'expiresAt'>,
  now: Date,
): void {
  if (wallTimePassed(at, s.timeBase, now, 'at'))
    throw new InputError(
      ErrorCode.SCHEDULE_IN_PAST,
      `the assignment at ${at} (${s.timeBase}) is in the past`,
      { field: 'at' },
    );
  if (
    s.expiresAt !== null &&
    requireWallTime(at, 'at') >= requireWallTime(s.expiresAt, 'expiresAt')
  )
    throw new InputError(
      ErrorCode.INVALID_SCHEDULE,
      `the assignment at ${at} is not before the expiry ${s.expiresAt}: it would never run`,
      { field: 'at' },
    );
}

/** Whether a stored expiry has passed for every client (an unreadable one never expires). */
export function expiredEverywhere(wall: string | null, timeBase: string, now: Date): boolean {
  if (wall === null) return false;
  const ms = wallTimeMs(wall);
  if (ms === undefined) return false;
  return ms + (timeBase === 'local' ? LOCAL_SLACK_MS : 0) < now.getTime();
}
