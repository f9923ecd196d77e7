import { Type, type Static } from '@sinclair/typebox';
import {
  booleanSetting,
  choiceSetting,
  integerSetting,
  settingsValueProperties,
} from '../common/settings.js';

/**
 * How long a maintenance window is open: 5 minutes to a day, declared once (ADR 0016) for the
 * schema, the console's window form and the CLI's `--duration`.
 */
export const WindowDuration = integerSetting({
  label: 'Duration',
  help: '5 minutes to 24 hours',
  unit: 'minutes',
  minimum: 5,
  maximum: 24 * 60,
  default: 120,
  flag: { kind: 'value', name: 'duration', placeholder: '<minutes>', hoursAllowed: true },
});

/**
 * The settings of a maintenance window, declared once (ADR 0016): its name, start and
 * recurrence identify when it is and have their own inputs; these are the schema, defaults,
 * the console form's fields and the CLI's `maintenance-window create|update` flags.
 */
export const MaintenanceWindowOptions = {
  durationMinutes: WindowDuration,
  timeBase: choiceSetting({
    label: 'Times are in',
    shortLabel: 'Time',
    help: "Whether the start is read in UTC or in each client's local time",
    render: 'radio',
    choices: [
      { value: 'local', label: 'Client local time' },
      { value: 'utc', label: 'UTC' },
    ],
    default: 'utc',
    flag: {
      kind: 'switch',
      name: 'local-time',
      offName: 'utc',
      on: 'local',
      off: 'utc',
      onHelp: "times are the client's local time",
      offHelp: 'times are UTC',
    },
  }),
  appliesTo: choiceSetting({
    label: 'Applies to',
    help: 'Which required deployments the window holds back',
    render: 'select',
    choices: [
      { value: 'all', label: 'All deployments' },
      { value: 'software-updates', label: 'Software updates only' },
    ],
    default: 'all',
    flag: {
      kind: 'switch',
      name: 'updates-only',
      offName: 'all-deployments',
      on: 'software-updates',
      off: 'all',
      onHelp: 'applies only to software update deployments',
      offHelp: 'applies to every deployment',
    },
  }),
  enabled: booleanSetting({
    label: 'Enabled',
    help: 'A disabled window is kept but does not hold anything back',
    default: true,
    flag: {
      kind: 'switch',
      name: 'enabled',
      offName: 'disabled',
      on: true,
      off: false,
      onHelp: 'the window is in force',
      offHelp: 'keep the window but do not apply it',
    },
  }),
};

/**
 * Recurrence of a schedule or a maintenance window. Structured rather than cron text so the
 * console can draw it and the agent can evaluate it in UTC or in its local zone.
 * - daily: every `everyDays` days from the start date;
 * - weekly: on the listed weekdays (0 = Sunday) of every `everyWeeks`-th week from the start week;
 * - monthly: on `dayOfMonth` (1-31, or -1 for the last day; a month without that day is skipped,
 *   except -1) of every `everyMonths`-th month from the start month.
 */
export const Recurrence = Type.Union([
  Type.Object({ kind: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('daily'), everyDays: Type.Integer({ minimum: 1, maximum: 365 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('weekly'),
      everyWeeks: Type.Integer({ minimum: 1, maximum: 52 }),
      days: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), {
        minItems: 1,
        maxItems: 7,
        uniqueItems: true,
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('monthly'),
      everyMonths: Type.Integer({ minimum: 1, maximum: 12 }),
      dayOfMonth: Type.Union([Type.Integer({ minimum: 1, maximum: 31 }), Type.Literal(-1)]),
    },
    { additionalProperties: false },
  ),
]);
export type Recurrence = Static<typeof Recurrence>;
export type DeploymentTrigger = Static<typeof DeploymentTrigger>;
export type MaintenanceWindowBody = Static<typeof MaintenanceWindowBody>;
export type UpdateMaintenanceWindowRequest = Static<typeof UpdateMaintenanceWindowRequest>;
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

/** A concrete interval [start, end) in UTC milliseconds, produced by evaluating schedules. */
export interface Interval {
  start: number;
  end: number;
}

/**
 * A wall-clock time without zone, `YYYY-MM-DDTHH:MM` (seconds optional). Whether it is read in UTC
 * or in the client's local zone is said by the `timeBase` beside it (DESIGN §4: schedules carry
 * "UTC" or "client local time", evaluated by the agent).
 */
export const WallTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$',
});

/** When a deployment runs (SMS "mandatory assignments"): any number of triggers. */
export const DeploymentTrigger = Type.Union([
  /** As soon as possible after the device receives the deployment. */
  Type.Object({ type: Type.Literal('asap') }, { additionalProperties: false }),
  /** At a time, optionally recurring. */
  Type.Object(
    { type: Type.Literal('at'), start: WallTime, recurrence: Type.Optional(Recurrence) },
    { additionalProperties: false },
  ),
  /** When a device enrols after the deployment exists (runs once per device). */
  Type.Object({ type: Type.Literal('on-enrolment') }, { additionalProperties: false }),
]);
/** UTC or the client's local time (deployments' triggers too): the window setting's choices. */
export const TimeBase = MaintenanceWindowOptions.timeBase.schema;

/** A maintenance (service) window on a collection. */
export const MaintenanceWindowBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    start: WallTime,
    recurrence: Recurrence,
    ...settingsValueProperties(MaintenanceWindowOptions),
  },
  { additionalProperties: false },
);
export const UpdateMaintenanceWindowRequest = Type.Partial(MaintenanceWindowBody, {
  additionalProperties: false,
});

export const MaintenanceWindow = Type.Composite([
  Type.Object({ id: Type.String(), collectionId: Type.String(), collectionName: Type.String() }),
  MaintenanceWindowBody,
]);
