import { Type, type Static } from '@sinclair/typebox';

/**
 * The restart an update install left pending, as a pure state machine (ADR 0071): the seed's
 * countdown, snooze and final countdown, the maintenance-window rule, and the user's "restart
 * now". No I/O: the coordinator persists the record, runs the command and reports; this file
 * decides. Times are epoch milliseconds from the agent's clock.
 *
 *   suppressed -----------------------------(user accepts)------------------> restarting
 *   suppressed --(its restart deadline passed: mandatory)--> waiting-window (warned: final only)
 *   waiting-window --(a window opens)--> countdown --(final starts)--> final --(due)--> restarting
 *                 <--(due outside a window: auto-postponed)--------------------/
 *   countdown --(snooze / reschedule, up to mandatoryAt)--> countdown
 */

const MINUTE_MS = 60_000;

export const RestartPhase = Type.Union([
  /** Suppressed by the device role: only the user (or a later deployment) restarts it. */
  Type.Literal('suppressed'),
  /** Needed, but no maintenance window is open and the deployment keeps restarts inside one. */
  Type.Literal('waiting-window'),
  /** The user has been told; they may snooze until `mandatoryAtMs`. */
  Type.Literal('countdown'),
  /** The last minutes: no more snoozing. */
  Type.Literal('final'),
  /** The command ran (or is about to): waiting for the machine to come back restarted. */
  Type.Literal('restarting'),
]);
export type RestartPhase = Static<typeof RestartPhase>;

/** The deployment's restart options as the record keeps them (a later policy cannot shift them). */
export const RestartOptions = Type.Object({
  notifyUsers: Type.Boolean(),
  allowRestartOutsideWindows: Type.Boolean(),
  restartCountdownMinutes: Type.Integer({ minimum: 0 }),
  restartMaxSnoozeMinutes: Type.Integer({ minimum: 0 }),
  restartFinalCountdownMinutes: Type.Integer({ minimum: 0 }),
  /** A suppressed restart becomes mandatory this long after it was suppressed; 0: never. */
  suppressedRestartDeadlineMinutes: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type RestartOptions = Static<typeof RestartOptions>;

export const PendingRestart = Type.Object({
  /** The software deployment the update deployment owns (its state rows are this one's). */
  deploymentId: Type.String(),
  name: Type.String(),
  revision: Type.Integer(),
  /** The install run whose outcome this restart completes. */
  runId: Type.String(),
  /** Set once that outcome is in the outbox: nothing restarts before the site can hear of it. */
  armed: Type.Boolean(),
  /** What the install did and who asked for the restart (shown with every state). */
  summary: Type.String(),
  phase: RestartPhase,
  /** Why it is suppressed (the role), shown while it waits. */
  note: Type.Optional(Type.String()),
  /** suppressed by the role: since when (its restart deadline counts from here). */
  suppressedAtMs: Type.Optional(Type.Number()),
  /** countdown / final: when the restart runs. */
  restartAtMs: Type.Optional(Type.Number()),
  /** countdown: snoozing may not move the restart past this. */
  mandatoryAtMs: Type.Optional(Type.Number()),
  /** A countdown already ran once (a second one after a window wait is the final one only). */
  warned: Type.Boolean(),
  restartedAtMs: Type.Optional(Type.Number()),
  /** The kernel's boot id when the command ran: a different one proves the machine restarted. */
  bootId: Type.Optional(Type.String()),
  options: RestartOptions,
});
export type PendingRestart = Static<typeof PendingRestart>;

/** What the coordinator must do after a step (report, notify, run the command). */
export type RestartEvent =
  | { kind: 'none' }
  | { kind: 'countdown-started' }
  | { kind: 'final-countdown' }
  | { kind: 'auto-postponed'; reason: string }
  | { kind: 'suppression-ended'; deadlineMs: number }
  | { kind: 'restart' };

export interface Step {
  restart: PendingRestart;
  event: RestartEvent;
}

const none = (restart: PendingRestart): Step => ({ restart, event: { kind: 'none' } });

/** When the final (non-snoozable) countdown of a restart at `restartAtMs` begins. */
function finalStartMs(r: PendingRestart, restartAtMs: number): number {
  return restartAtMs - r.options.restartFinalCountdownMinutes * MINUTE_MS;
}

/**
 * Tells the user: a countdown to now + countdown minutes, snoozable up to the snooze limit past
 * that. Without notifications (nobody is told) or with no countdown, the restart is due now. A
 * second warning (after an automatic postponement) is the final countdown alone.
 */
export function beginCountdown(r: PendingRestart, nowMs: number): Step {
  const o = r.options;
  if (!o.notifyUsers || (o.restartCountdownMinutes === 0 && o.restartFinalCountdownMinutes === 0))
    return { restart: { ...r, phase: 'restarting' }, event: { kind: 'restart' } };
  if (r.warned) {
    const restartAtMs = nowMs + o.restartFinalCountdownMinutes * MINUTE_MS;
    return {
      restart: { ...r, phase: 'final', restartAtMs, mandatoryAtMs: restartAtMs },
      event: { kind: 'final-countdown' },
    };
  }
  const restartAtMs =
    nowMs + Math.max(o.restartCountdownMinutes, o.restartFinalCountdownMinutes) * MINUTE_MS;
  const mandatoryAtMs = restartAtMs + o.restartMaxSnoozeMinutes * MINUTE_MS;
  const phase = finalStartMs(r, restartAtMs) <= nowMs ? 'final' : 'countdown';
  return {
    restart: { ...r, phase, restartAtMs, mandatoryAtMs, warned: true },
    event: { kind: phase === 'final' ? 'final-countdown' : 'countdown-started' },
  };
}

/** A new pending restart, in the phase the install's restart decision put it. */
export function newRestart(
  base: Omit<PendingRestart, 'phase' | 'warned' | 'armed'>,
  decision: 'suppressed' | 'wait-window' | 'restart',
  nowMs: number,
): PendingRestart {
  const r: PendingRestart = { ...base, armed: false, warned: false, phase: 'waiting-window' };
  if (decision === 'suppressed') return { ...r, phase: 'suppressed', suppressedAtMs: nowMs };
  if (decision === 'wait-window') return r;
  return beginCountdown(r, nowMs).restart;
}

/** When a restart suppressed by the role becomes mandatory (undefined: it waits for the user). */
export function suppressedDeadlineMs(r: PendingRestart): number | undefined {
  const minutes = r.options.suppressedRestartDeadlineMinutes ?? 0;
  if (r.phase !== 'suppressed' || r.suppressedAtMs === undefined || minutes <= 0) return undefined;
  return r.suppressedAtMs + minutes * MINUTE_MS;
}

/**
 * One step of time. `inWindow` says whether an update maintenance window is open now (true when
 * the device has none); `nextWindowMs` is when the next one opens, for the postponement message.
 */
export function advance(
  r: PendingRestart,
  nowMs: number,
  inWindow: boolean,
  nextWindowMs: number | undefined,
): Step {
  const windowOk = inWindow || r.options.allowRestartOutsideWindows;
  switch (r.phase) {
    case 'suppressed': {
      // Past its restart deadline the suppression ends: the restart is mandatory, announced by
      // the final countdown alone (the role's user was told at the install), in a window.
      const deadlineMs = suppressedDeadlineMs(r);
      if (deadlineMs === undefined || nowMs < deadlineMs) return none(r);
      const { suppressedAtMs: _since, note: _note, ...rest } = r;
      return {
        restart: { ...rest, phase: 'waiting-window', warned: true },
        event: { kind: 'suppression-ended', deadlineMs },
      };
    }
    case 'restarting':
      return none(r);
    case 'waiting-window':
      return windowOk ? beginCountdown(r, nowMs) : none(r);
    case 'countdown':
    case 'final': {
      const at = r.restartAtMs ?? nowMs;
      if (nowMs >= at) {
        if (!windowOk) {
          const when =
            nextWindowMs === undefined ? 'no window is scheduled' : new Date(nextWindowMs);
          return {
            restart: { ...r, phase: 'waiting-window' },
            event: {
              kind: 'auto-postponed',
              reason:
                typeof when === 'string'
                  ? `outside a maintenance window; ${when}`
                  : `outside a maintenance window; the next opens at ${when.toISOString()}`,
            },
          };
        }
        return { restart: { ...r, phase: 'restarting' }, event: { kind: 'restart' } };
      }
      if (r.phase === 'countdown' && nowMs >= finalStartMs(r, at))
        return { restart: { ...r, phase: 'final' }, event: { kind: 'final-countdown' } };
      return none(r);
    }
  }
}

export type SnoozeResult =
  | { ok: true; restart: PendingRestart }
  | { ok: false; code: 'NOT_SNOOZABLE' | 'SNOOZE_LIMIT'; message: string };

/**
 * The user moves the restart later: by `minutes` (snooze, "postponed") or to `untilMs`
 * ("rescheduled"). Only during the countdown, and never past the mandatory time.
 */
export function snooze(
  r: PendingRestart,
  nowMs: number,
  by: { minutes: number } | { untilMs: number },
): SnoozeResult {
  if (r.phase !== 'countdown' || r.restartAtMs === undefined || r.mandatoryAtMs === undefined)
    return {
      ok: false,
      code: 'NOT_SNOOZABLE',
      message:
        r.phase === 'final'
          ? `the final countdown is running: "${r.name}" restarts at ${new Date(r.restartAtMs ?? nowMs).toISOString()}`
          : `no restart countdown is running for "${r.name}"`,
    };
  const target =
    'minutes' in by ? Math.max(r.restartAtMs, nowMs) + by.minutes * MINUTE_MS : by.untilMs;
  if (target > r.mandatoryAtMs)
    return {
      ok: false,
      code: 'SNOOZE_LIMIT',
      message: `"${r.name}" cannot restart later than ${new Date(r.mandatoryAtMs).toISOString()} (the snooze limit)`,
    };
  if (target <= nowMs)
    return { ok: false, code: 'NOT_SNOOZABLE', message: 'the new restart time is in the past' };
  return { ok: true, restart: { ...r, restartAtMs: target } };
}

/** The user chose to restart now (any phase but one already restarting). */
export function accept(r: PendingRestart): Step {
  if (r.phase === 'restarting') return none(r);
  return { restart: { ...r, phase: 'restarting' }, event: { kind: 'restart' } };
}

/** The reason the site shows while the restart is pending. */
export function pendingReason(r: PendingRestart): string {
  const at = (ms: number | undefined) => (ms === undefined ? '?' : new Date(ms).toISOString());
  switch (r.phase) {
    case 'suppressed': {
      const deadlineMs = suppressedDeadlineMs(r);
      const note = r.note ?? 'restart required, suppressed';
      return deadlineMs === undefined ? note : `${note}; mandatory from ${at(deadlineMs)}`;
    }
    case 'waiting-window':
      return 'restart required, waiting for a maintenance window';
    case 'countdown':
      return `restart countdown: restarts at ${at(r.restartAtMs)} (snooze allowed until ${at(r.mandatoryAtMs)})`;
    case 'final':
      return `final restart countdown: restarts at ${at(r.restartAtMs)}`;
    case 'restarting':
      return `restarting (the restart command ran at ${at(r.restartedAtMs)}); waiting for the machine to come back`;
  }
}
