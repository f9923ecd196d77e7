import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, Nullable } from '../common/schemas.js';
import { DeploymentPurpose } from '../deployments/schemas.js';
import { pagingFields } from '../http/paging.js';
import { SequenceProgress, SequenceRunState } from './schemas.js';
import { UpgradeReport } from '../upgrade-packages/schemas.js';

/**
 * Task-sequence deployments (issue 11, ADR 0076): one version of a sequence deployed to a
 * collection, available (offered) or required (runs at its deadline), made available to clients
 * (the agent's policy), to media and PXE, or both.
 */

/** A UTC instant (the site and every agent compare deadlines as instants). */
export const UtcInstant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$',
  maxLength: 30,
});

export const TaskSequenceAvailability = Type.Union([
  /** Agents in the full OS get it from policy (refresh, upgrade, non-OS sequences). */
  Type.Literal('clients'),
  /** Only boot media and PXE (bare metal, unknown computers). */
  Type.Literal('media-and-pxe'),
  Type.Literal('clients-media-and-pxe'),
]);
export type TaskSequenceAvailability = Static<typeof TaskSequenceAvailability>;

export const TaskSequenceRerun = Type.Union([
  /** Run once per device; a device that ran it (with any result) does not run it again. */
  Type.Literal('never'),
  /** Run again when the previous run failed. */
  Type.Literal('if-failed'),
  /** Run every time the deployment is (re)offered. */
  Type.Literal('always'),
]);
export type TaskSequenceRerun = Static<typeof TaskSequenceRerun>;

/** Declared once: what the create form, the CLI flags and PATCH offer (ADR 0016). */
export const PXE_PASSWORD_MAX = 128;

const DeploymentFields = {
  name: Type.Optional(Name),
  purpose: DeploymentPurpose,
  availableTo: Type.Optional(TaskSequenceAvailability),
  /** Offered from this instant; now when omitted. */
  availableAt: Type.Optional(Nullable(UtcInstant)),
  /** Required deployments: when it runs. */
  deadline: Type.Optional(Nullable(UtcInstant)),
  /** Start a required run only inside the device's maintenance windows (when it has any). */
  honorWindows: Type.Optional(Type.Boolean()),
  rerun: Type.Optional(TaskSequenceRerun),
  enabled: Type.Optional(Type.Boolean()),
  /** Asked at the PXE prompt of an available PXE deployment; null removes it. */
  pxePassword: Type.Optional(
    Nullable(Type.String({ minLength: 4, maxLength: PXE_PASSWORD_MAX, pattern: '^[^\\s]+$' })),
  ),
};

export const TaskSequenceDeploymentBody = Type.Object(
  {
    sequenceId: Type.String({ minLength: 1, maxLength: 200 }),
    /** The version to run; the newest when omitted. */
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
    collectionId: Id,
    ...DeploymentFields,
  },
  { additionalProperties: false },
);
export type TaskSequenceDeploymentBody = Static<typeof TaskSequenceDeploymentBody>;

export const UpdateTaskSequenceDeploymentRequest = Type.Partial(Type.Object(DeploymentFields), {
  additionalProperties: false,
});
export type UpdateTaskSequenceDeploymentRequest = Static<
  typeof UpdateTaskSequenceDeploymentRequest
>;

export const TaskSequenceRunCounts = Type.Object({
  targeted: Type.Integer(),
  running: Type.Integer(),
  restarting: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
});
export type TaskSequenceRunCounts = Static<typeof TaskSequenceRunCounts>;

export const TaskSequenceDeployment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  sequenceId: Type.String(),
  sequenceName: Type.String(),
  version: Type.Integer(),
  collectionId: Type.String(),
  collectionName: Type.String(),
  purpose: DeploymentPurpose,
  availableTo: TaskSequenceAvailability,
  availableAt: Nullable(Type.String()),
  deadline: Nullable(Type.String()),
  honorWindows: Type.Boolean(),
  rerun: TaskSequenceRerun,
  enabled: Type.Boolean(),
  /** Whether a PXE password is set (the password itself is never shown again). */
  pxePasswordSet: Type.Boolean(),
  /** The boot image the sequence version names (PXE and media boot it); null: none. */
  bootImageId: Nullable(Type.String()),
  counts: TaskSequenceRunCounts,
  createdAt: Type.String(),
  createdBy: Type.String(),
});
export type TaskSequenceDeployment = Static<typeof TaskSequenceDeployment>;

export const ListTaskSequenceDeploymentsQuery = Type.Object(
  {
    sequenceId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    collectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type ListTaskSequenceDeploymentsQuery = Static<typeof ListTaskSequenceDeploymentsQuery>;

/** What a boot environment registered as (ADR 0065): an unknown or an imported computer. */
export const BootComputerKind = Type.Union([Type.Literal('unknown'), Type.Literal('imported')]);
export type BootComputerKind = Static<typeof BootComputerKind>;

/**
 * The computer a boot-environment run (PXE, media) ran on (ADR 0103): known by its registration
 * and its hardware until the installed system enrols and the run is tied to the new device.
 */
export const BootRunComputer = Type.Object({
  kind: BootComputerKind,
  /** The unknown computer's or the imported computer's id. */
  id: Type.String(),
  smbiosUuid: Nullable(Type.String()),
  macs: Type.Array(Type.String()),
});
export type BootRunComputer = Static<typeof BootRunComputer>;

/**
 * One run of a deployment, as its engine last reported it: a device's (the full-OS agent), or a
 * boot environment's on a computer (`computer`), whose `deviceId` is null until the installed
 * system enrols; until then `deviceName` is the computer's name, SMBIOS UUID or first MAC.
 */
export const TaskSequenceRun = Type.Object({
  deploymentId: Type.String(),
  deviceId: Nullable(Type.String()),
  deviceName: Type.String(),
  /** Set for a boot-environment run (ADR 0103); null for a device's own run. */
  computer: Nullable(BootRunComputer),
  /** `targeted`: a member that has not started it yet. */
  state: Type.Union([Type.Literal('targeted'), SequenceRunState]),
  stepNumber: Type.Integer(),
  stepCount: Type.Integer(),
  currentStep: Nullable(Type.String()),
  progress: Nullable(SequenceProgress),
  updatedAt: Nullable(Type.String()),
  /**
   * The reports of the run's upgrade-os steps (ADR 0102), newest first, from their
   * OS_UPGRADE_REPORT status messages; only in one run's view, absent from lists.
   */
  upgradeReports: Type.Optional(
    Type.Array(Type.Object({ at: Type.String(), stepId: Type.String(), report: UpgradeReport })),
  ),
});
export type TaskSequenceRun = Static<typeof TaskSequenceRun>;

export const TaskSequenceRuns = Type.Object({
  counts: TaskSequenceRunCounts,
  runs: Type.Array(TaskSequenceRun),
});
export type TaskSequenceRuns = Static<typeof TaskSequenceRuns>;

/**
 * The attributes an agent puts on the engine's status messages (40600-40608) of a deployed run
 * (ADR 0084), from which the site keeps the run's state: the deployment, and the step's position,
 * kind, name, exit code and whether its failure was continued.
 */
export const TaskSequenceRunAttribute = {
  deployment: 'taskSequenceDeployment',
  stepNumber: 'stepNumber',
  stepCount: 'stepCount',
  stepKind: 'stepKind',
  stepName: 'stepName',
  exitCode: 'exitCode',
  continued: 'continued',
} as const;

export const RunParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    deviceId: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type RunParams = Static<typeof RunParams>;

// ---- what a DP's PXE responder asks the site (ADR 0076) ----

export const PxeDecisionRequest = Type.Object(
  {
    mac: Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$', maxLength: 17 }),
    uuid: Type.Optional(
      Type.String({
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
        maxLength: 36,
      }),
    ),
  },
  { additionalProperties: false },
);
export type PxeDecisionRequest = Static<typeof PxeDecisionRequest>;

export const PxeDecisionResponse = Type.Union([
  Type.Object({
    action: Type.Literal('boot'),
    /** The boot image's name (the DP's PXE image map is keyed by it) and architecture. */
    image: Type.String(),
    arch: Type.String(),
    required: Type.Boolean(),
    reason: Type.String(),
    deploymentId: Type.String(),
    /** Available deployments with a PXE password: its scrypt hash; the DP asks for and checks it. */
    passwordHash: Nullable(Type.String()),
  }),
  Type.Object({ action: Type.Literal('exit'), reason: Type.String() }),
]);
export type PxeDecisionResponse = Static<typeof PxeDecisionResponse>;
