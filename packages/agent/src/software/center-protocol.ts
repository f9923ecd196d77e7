import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { MAX_POSTPONE_MINUTES, MAX_RESTART_SNOOZE_MINUTES } from '@steward/protocol';

/**
 * The Software Center's local protocol: JSON lines over `<state>/center.sock` between
 * `steward-agent center` (any local user) and the agent service (root). One request line, one
 * response line. It never leaves the machine, so it lives in the agent, not in protocol.
 */

export function centerSocketPath(stateDir: string): string {
  return join(stateDir, 'center.sock');
}

/** A request line is refused beyond this size (the connection is closed). */
export const MAX_CENTER_LINE_BYTES = 64 * 1024;

const DeploymentIdField = Type.String({ minLength: 1, maxLength: 200 });
/** Who asked (sent by the client: SO_PEERCRED is not reachable from Node). */
const UserField = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f]+$' });

export const CenterRequest = Type.Union([
  Type.Object({ op: Type.Literal('list') }, { additionalProperties: false }),
  Type.Object(
    { op: Type.Literal('install'), deploymentId: DeploymentIdField, user: UserField },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('postpone'),
      deploymentId: DeploymentIdField,
      // A user postpones by at most what any deployment may allow (the protocol's limit).
      minutes: Type.Integer({ minimum: 1, maximum: MAX_POSTPONE_MINUTES }),
      user: UserField,
    },
    { additionalProperties: false },
  ),
  // Seed table 3, 11252: the user moves the run to a chosen time (within the same limit).
  Type.Object(
    {
      op: Type.Literal('reschedule'),
      deploymentId: DeploymentIdField,
      at: Type.String({ format: 'date-time', maxLength: 40 }),
      user: UserField,
    },
    { additionalProperties: false },
  ),
  // Update restarts (ADR 0071): snooze by N minutes (postponed) or to a time (rescheduled).
  Type.Object(
    {
      op: Type.Literal('restart-snooze'),
      deploymentId: DeploymentIdField,
      minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RESTART_SNOOZE_MINUTES })),
      until: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
      user: UserField,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { op: Type.Literal('restart-now'), deploymentId: DeploymentIdField, user: UserField },
    { additionalProperties: false },
  ),
]);
export type CenterRequest = Static<typeof CenterRequest>;

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** One line of the Software Center list. */
export const CenterEntry = Type.Object({
  deploymentId: Type.String(),
  name: Type.String(),
  purpose: Type.Union([Type.Literal('available'), Type.Literal('required')]),
  /** A program (absent: older agents) or a task sequence (ADR 0084; programName is its name). */
  kind: Type.Optional(Type.Union([Type.Literal('software'), Type.Literal('task-sequence')])),
  packageName: Type.String(),
  programName: Type.String(),
  /**
   * available, queued, running, scheduled, due, waiting-window, waiting-content, postponed,
   * succeeded, reboot-pending, failed.
   */
  state: Type.String(),
  nextRunAt: NullableString,
  lastRunAt: NullableString,
  lastResult: NullableString,
  postponedUntil: NullableString,
  maxPostponeMinutes: Type.Integer(),
  /** How many more minutes the user may postpone (0 when not postponable now). */
  postponeRemainingMinutes: Type.Integer(),
});
export type CenterEntry = Static<typeof CenterEntry>;

/** A pending update restart, as the person at the machine sees it. */
export const CenterRestart = Type.Object({
  deploymentId: Type.String(),
  name: Type.String(),
  /** suppressed, waiting-window, countdown, final, restarting. */
  phase: Type.String(),
  restartAt: NullableString,
  /** Snoozing may not move the restart past this. */
  mandatoryAt: NullableString,
  reason: Type.String(),
});
export type CenterRestart = Static<typeof CenterRestart>;

export const CenterResponse = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    deployments: Type.Array(CenterEntry),
    restarts: Type.Optional(Type.Array(CenterRestart)),
  }),
  Type.Object({
    ok: Type.Literal(true),
    message: Type.String(),
    deploymentId: Type.String(),
    postponedUntil: Type.Optional(Type.String()),
    restartAt: Type.Optional(Type.String()),
  }),
  Type.Object({ ok: Type.Literal(false), code: Type.String(), message: Type.String() }),
]);
export type CenterResponse = Static<typeof CenterResponse>;

export type CenterError = Extract<CenterResponse, { ok: false }>;

export function centerError(code: string, message: string): CenterError {
  return { ok: false, code, message };
}
