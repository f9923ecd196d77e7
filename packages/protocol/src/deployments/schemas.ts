import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, Nullable } from '../common/schemas.js';
import { settingsProperties, settingsValueProperties } from '../common/settings.js';
import { Offset } from '../http/paging.js';
import { RestartNeed } from '../updates/restart-need.js';
import { DeploymentTrigger, TimeBase, WallTime } from '../schedule/schemas.js';
import { DeploymentOptions, HaltOnFailurePercent, MAX_PHASES, PhaseSettings } from './options.js';

// ---- deployments ----

export const DeploymentPurpose = Type.Union([Type.Literal('available'), Type.Literal('required')]);
export type DeploymentPurpose = Static<typeof DeploymentPurpose>;

export const DeploymentBody = Type.Object(
  {
    name: Type.Optional(Name),
    programId: Id,
    collectionId: Id,
    purpose: DeploymentPurpose,
    /** Required deployments: when to run. Available ones ignore triggers. */
    triggers: Type.Optional(Type.Array(DeploymentTrigger, { maxItems: 100 })),
    /** Offered (and pre-downloaded for required ones) from this time; now when omitted. */
    availableAt: Type.Optional(WallTime),
    expiresAt: Type.Optional(Nullable(WallTime)),
    timeBase: Type.Optional(TimeBase),
    /** How devices run it (declared once with limits and defaults: deployment-options.ts). */
    ...settingsProperties(DeploymentOptions),
  },
  { additionalProperties: false },
);
export type DeploymentBody = Static<typeof DeploymentBody>;
export const UpdateDeploymentRequest = Type.Partial(
  Type.Omit(DeploymentBody, ['programId', 'collectionId']),
  { additionalProperties: false },
);
export type UpdateDeploymentRequest = Static<typeof UpdateDeploymentRequest>;

export const DeploymentStateName = Type.Union([
  /** In the collection; the device has not received the deployment yet. */
  Type.Literal('targeted'),
  /** Received, not run (waiting for its schedule, or offered in the Software Center). */
  Type.Literal('received'),
  Type.Literal('waiting-content'),
  Type.Literal('waiting-window'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  /** Succeeded; the machine must restart to finish. */
  Type.Literal('reboot-pending'),
  Type.Literal('failed'),
]);
export type DeploymentStateName = Static<typeof DeploymentStateName>;
export const DEPLOYMENT_STATES: readonly DeploymentStateName[] = [
  'targeted',
  'received',
  'waiting-content',
  'waiting-window',
  'running',
  'succeeded',
  'reboot-pending',
  'failed',
];

export const DeploymentSummary = Type.Object({
  deploymentId: Type.String(),
  targeted: Type.Integer(),
  counts: Type.Record(Type.String(), Type.Integer()),
  /** Devices whose last run is older than the recurrence (a run was missed). */
  overdue: Type.Integer(),
  successPercent: Type.Number(),
  failurePercent: Type.Number(),
});
export type DeploymentSummary = Static<typeof DeploymentSummary>;

export const Deployment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  programId: Type.String(),
  programName: Type.String(),
  /** The program is disabled: the deployment is kept (and allowed) but nothing runs (addition). */
  programDisabled: Type.Optional(Type.Boolean()),
  packageId: Type.String(),
  packageName: Type.String(),
  collectionId: Type.String(),
  collectionName: Type.String(),
  purpose: DeploymentPurpose,
  triggers: Type.Array(DeploymentTrigger),
  availableAt: Nullable(Type.String()),
  expiresAt: Nullable(Type.String()),
  timeBase: TimeBase,
  ...settingsValueProperties(DeploymentOptions),
  /** Raised by "rerun deployment": devices rerun once per revision (by rerun behaviour). */
  revision: Type.Integer(),
  /** Extra one-off assignments (wall times, same time base). */
  extraAssignments: Type.Array(Type.String()),
  phasedDeploymentId: Nullable(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  summary: Type.Optional(DeploymentSummary),
});
export type Deployment = Static<typeof Deployment>;

/** One device's state for one deployment (the monitoring drill-down row). */
export const DeploymentDeviceState = Type.Object({
  deploymentId: Type.String(),
  deviceId: Type.String(),
  hostname: Type.String(),
  state: DeploymentStateName,
  /** Machine code for why (e.g. 'REQUIREMENTS_NOT_MET', 'SLOW_BOUNDARY', 'TIMED_OUT', 'HASH_MISMATCH'). */
  reasonCode: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  exitCode: Nullable(Type.Integer()),
  outputTail: Nullable(Type.String()),
  /** Update installs: the reboot and service restarts the last run left or predicted. */
  restart: Nullable(RestartNeed),
  bytesDone: Nullable(Type.Number()),
  bytesTotal: Nullable(Type.Number()),
  lastRunAt: Nullable(Type.String()),
  nextRunAt: Nullable(Type.String()),
  runCount: Type.Integer(),
  updatedAt: Nullable(Type.String()),
  overdue: Type.Boolean(),
});
export type DeploymentDeviceState = Static<typeof DeploymentDeviceState>;

export const ListDeploymentDevicesQuery = Type.Object(
  {
    state: Type.Optional(DeploymentStateName),
    overdue: Type.Optional(Type.Boolean()),
    search: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** Bounded: a huge offset would reach the database as a float or overflow a bigint (500). */
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);
export type ListDeploymentDevicesQuery = Static<typeof ListDeploymentDevicesQuery>;

/** The deployment devices list's filter: its query without paging (a rerun's "all matching"). */
export const DeploymentDeviceFilter = Type.Pick(
  ListDeploymentDevicesQuery,
  ['state', 'overdue', 'search'],
  {
    additionalProperties: false,
  },
);
export type DeploymentDeviceFilter = Static<typeof DeploymentDeviceFilter>;

export const RerunDeploymentRequest = Type.Object(
  {
    /** Only these devices (all targeted devices when neither this nor `filter` is given). */
    deviceIds: Type.Optional(Type.Array(Id, { maxItems: 100000 })),
    /**
     * Every device of the deployment its devices list's filter matches, resolved on the site
     * (ADR 0031: "select all matching this filter").
     */
    filter: Type.Optional(DeploymentDeviceFilter),
    /** The count the administrator confirmed (BULK_COUNT_CHANGED beyond 5% off). */
    expectedCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  },
  { additionalProperties: false },
);
export type RerunDeploymentRequest = Static<typeof RerunDeploymentRequest>;

export const ExtraAssignmentRequest = Type.Object(
  { at: WallTime },
  { additionalProperties: false },
);
export type ExtraAssignmentRequest = Static<typeof ExtraAssignmentRequest>;

/** State counts over time for the live chart (one point per bucket). */
export const DeploymentTimelinePoint = Type.Object({
  at: Type.String(),
  counts: Type.Record(Type.String(), Type.Integer()),
});
export type DeploymentTimelinePoint = Static<typeof DeploymentTimelinePoint>;

// ---- phased deployments ----

export const PhaseBody = Type.Object(
  {
    collectionId: Id,
    /** The next phase starts once this percent succeeded, and then soak minutes passed. */
    successPercent: PhaseSettings.successPercent.schema,
    soakMinutes: PhaseSettings.soakMinutes.schema,
  },
  { additionalProperties: false },
);
export type PhaseBody = Static<typeof PhaseBody>;

export const CreatePhasedDeploymentRequest = Type.Object(
  {
    name: Name,
    programId: Id,
    phases: Type.Array(PhaseBody, { minItems: 1, maxItems: MAX_PHASES }),
    /** The rollout halts by itself when a phase's failures pass this percent. */
    haltOnFailurePercent: HaltOnFailurePercent.schema,
    /** Settings of each phase's deployment (purpose is required). */
    deployment: Type.Optional(
      Type.Omit(DeploymentBody, ['programId', 'collectionId', 'purpose', 'name']),
    ),
  },
  { additionalProperties: false },
);
export type CreatePhasedDeploymentRequest = Static<typeof CreatePhasedDeploymentRequest>;

export const PhasedDeploymentState = Type.Union([
  Type.Literal('running'),
  Type.Literal('halted'),
  Type.Literal('completed'),
]);

export const Phase = Type.Object({
  index: Type.Integer(),
  collectionId: Type.String(),
  collectionName: Type.String(),
  successPercent: Type.Integer(),
  soakMinutes: Type.Integer(),
  state: Type.Union([
    Type.Literal('waiting'),
    Type.Literal('running'),
    Type.Literal('soaking'),
    Type.Literal('completed'),
    Type.Literal('halted'),
  ]),
  deploymentId: Nullable(Type.String()),
  startedAt: Nullable(Type.String()),
  /** When the success threshold was reached (soak starts). */
  thresholdReachedAt: Nullable(Type.String()),
  completedAt: Nullable(Type.String()),
  summary: Nullable(DeploymentSummary),
});
export type Phase = Static<typeof Phase>;

export const PhasedDeployment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  programId: Type.String(),
  programName: Type.String(),
  /** The package the program belongs to (where the console shows the program). */
  packageId: Type.String(),
  state: PhasedDeploymentState,
  haltOnFailurePercent: Type.Integer(),
  currentPhase: Type.Integer(),
  /** Why the rollout halted (by itself or by an administrator). */
  haltReason: Nullable(Type.String()),
  phases: Type.Array(Phase),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type PhasedDeployment = Static<typeof PhasedDeployment>;

// ---- reports ----

export const DeploymentFailureRow = Type.Object({
  deploymentId: Type.String(),
  deploymentName: Type.String(),
  deviceId: Type.String(),
  hostname: Type.String(),
  exitCode: Nullable(Type.Integer()),
  reasonCode: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  outputTail: Nullable(Type.String()),
  lastRunAt: Nullable(Type.String()),
});
export type DeploymentFailureRow = Static<typeof DeploymentFailureRow>;

export const DpCompletionRow = Type.Object({
  packageId: Type.String(),
  packageName: Type.String(),
  targeted: Type.Integer(),
  installed: Type.Integer(),
  percentComplete: Type.Number(),
});
export type DpCompletionRow = Static<typeof DpCompletionRow>;

// ---- additions (H3b): route bodies and report rows used by the API client above ----

export const HaltPhasedDeploymentRequest = Type.Object(
  {
    /** Shown as the rollout's halt reason (a default names the administrator when omitted). */
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type HaltPhasedDeploymentRequest = Static<typeof HaltPhasedDeploymentRequest>;

/** One row of the deployment status summary report. */
export const DeploymentSummaryReportRow = Type.Composite([
  DeploymentSummary,
  Type.Object({ deploymentName: Type.String() }),
]);
export type DeploymentSummaryReportRow = Static<typeof DeploymentSummaryReportRow>;

export const DeploymentFailuresQuery = Type.Object(
  {
    /** One deployment (id or name); every deployment when omitted. */
    deployment: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Default 100. */
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type DeploymentFailuresQuery = Static<typeof DeploymentFailuresQuery>;
