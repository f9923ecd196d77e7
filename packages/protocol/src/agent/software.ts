import { type Static, Type } from '@sinclair/typebox';
import { settingsValueProperties } from '../common/settings.js';
import { BootImageFile } from '../boot-images/schemas.js';
import { ManifestEntry } from '../content/schemas.js';
import { DeploymentOptions } from '../deployments/options.js';
import { Deployment, DeploymentStateName } from '../deployments/schemas.js';
import { Program } from '../programs/schemas.js';
import { MaintenanceWindowBody } from '../schedule/schemas.js';
import { AgentUpdateInstall } from '../updates/deployment-schemas.js';
import { RestartNeed } from '../updates/restart-need.js';
import { TaskSequenceRerun, UtcInstant } from '../task-sequences/deployments.js';
import { RunnableSequence, TaskSequenceKind } from '../task-sequences/schemas.js';
import { UpgradeSpec } from '../upgrade-packages/schemas.js';

/**
 * A program as the agent needs it to run it: the administrator's view of the program (`Program`)
 * without its bookkeeping, plus the current version's content. Derived so that a field added to
 * programs cannot drift between the two.
 */
export const AgentProgram = Type.Composite([
  Type.Pick(Program, [
    'id',
    'name',
    'packageId',
    'packageName',
    'commandLine',
    'workingDirectory',
    'runAs',
    'maxRunMinutes',
    'successExitCodes',
    'rebootExitCodes',
    'requirements',
    'dependsOnProgramId',
    'disabled',
  ]),
  Type.Object({
    packageVersionId: Type.String(),
    /** The current version's manifest: the agent verifies every file against it before a run. */
    files: Type.Array(ManifestEntry),
  }),
]);
export type AgentProgram = Static<typeof AgentProgram>;

/**
 * One deployment targeting this device, with everything needed to evaluate it offline: the
 * fields of `Deployment` the agent acts on (wall times in `timeBase`), plus when this device
 * became a target.
 */
export const AgentDeployment = Type.Composite([
  Type.Pick(Deployment, [
    'id',
    'name',
    'purpose',
    'programId',
    'triggers',
    'availableAt',
    'expiresAt',
    'extraAssignments',
    'timeBase',
    'revision',
  ]),
  // Every deployment option reaches the agent (a new one by construction); 'enabled' does not:
  // the site sends enabled deployments only.
  Type.Omit(Type.Object(settingsValueProperties(DeploymentOptions)), ['enabled']),
  Type.Object({
    /** Time the device became a target (for 'on-enrolment' triggers: the device's enrolment). */
    targetedAt: Type.String(),
    /** Present when the deployment is an update deployment's (ADR 0056): install these. */
    updateInstall: Type.Optional(AgentUpdateInstall),
  }),
]);
export type AgentDeployment = Static<typeof AgentDeployment>;

/**
 * One task-sequence deployment for this device's agent (issue 11, ADR 0084): enabled, made
 * available to clients, to a collection holding the device. The sequence version comes whole,
 * its variables already layered on the site (sequence defaults < collection < device), so the
 * agent runs it offline like any other deployment.
 */
/**
 * The boot image a sequence restarts into from the full OS (ADR 0105): the agent downloads its
 * files from a DP (the package version it is entitled to), checks them, and boots them once
 * with the resume token on the kernel command line's resume file.
 */
export const AgentBootImage = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  packageVersionId: Type.String(),
  files: Type.Array(BootImageFile),
  kernelArgs: Type.String(),
  /** Lets the boot environment ask for this deployment as this device (ADR 0105). */
  resumeToken: Type.String(),
});
export type AgentBootImage = Static<typeof AgentBootImage>;

export const AgentTaskSequenceDeployment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  purpose: Type.Union([Type.Literal('available'), Type.Literal('required')]),
  kind: TaskSequenceKind,
  /** Offered (and runnable) from this UTC instant; null: at once. */
  availableAt: Type.Union([UtcInstant, Type.Null()]),
  /** Required ones start at this UTC instant; a new deadline is a new occurrence (rerun rules). */
  deadline: Type.Union([UtcInstant, Type.Null()]),
  honorWindows: Type.Boolean(),
  rerun: TaskSequenceRerun,
  sequence: RunnableSequence,
  /** The upgrade packages its upgrade-os steps name (ADR 0102); absent when none. */
  upgradePackages: Type.Optional(Type.Array(UpgradeSpec)),
  /** The boot image its restart-computer steps into the boot image use; absent when none. */
  bootImage: Type.Optional(AgentBootImage),
});
export type AgentTaskSequenceDeployment = Static<typeof AgentTaskSequenceDeployment>;

/** What GET /agent/v1/assignments carries (signed like the policy). */
export const AssignmentsDocument = Type.Object({
  deviceId: Type.String(),
  issuedAt: Type.String(),
  /** Enabled, unexpired deployments whose collection holds this device. */
  deployments: Type.Array(AgentDeployment),
  /** Every program referenced, dependencies included (disabled ones too, so runs can be stopped). */
  programs: Type.Array(AgentProgram),
  /** Windows of every collection this device is in; the agent merges them itself. */
  maintenanceWindows: Type.Array(
    Type.Composite([Type.Object({ id: Type.String() }), MaintenanceWindowBody]),
  ),
  /** Task-sequence deployments to clients (ADR 0084); absent from sites before them. */
  taskSequences: Type.Optional(Type.Array(AgentTaskSequenceDeployment)),
});
export type AssignmentsDocument = Static<typeof AssignmentsDocument>;

/** `payload` is canonical JSON of an AssignmentsDocument; `signature` Ed25519 (site policy key), base64. */
export const SignedAssignments = Type.Object({ payload: Type.String(), signature: Type.String() });
export type SignedAssignments = Static<typeof SignedAssignments>;

export const ContentLocationsQuery = Type.Object(
  { packageVersionId: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type ContentLocationsQuery = Static<typeof ContentLocationsQuery>;

/**
 * Outbox item body `deployment:state`: the device's state for one deployment at `at`. The
 * server keeps the newest per (deployment, device); `runId` ties started/finished of one run.
 */
export const DeploymentStateReport = Type.Object(
  {
    deploymentId: Type.String({ minLength: 1, maxLength: 200 }),
    // Ranges of the columns that store them: a value beyond one is refused with the item.
    revision: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
    /** Every state but 'targeted', which only the server knows (the device has not heard yet). */
    state: Type.Exclude(DeploymentStateName, Type.Literal('targeted')),
    at: Type.String({ format: 'date-time' }),
    runId: Type.Optional(Type.String({ maxLength: 100 })),
    exitCode: Type.Optional(
      Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    ),
    /** Last 4 KiB of the program's output. */
    outputTail: Type.Optional(Type.String({ maxLength: 8192 })),
    reasonCode: Type.Optional(Type.String({ maxLength: 64 })),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    /** Update installs: the reboot and service restarts the install left (or would leave). */
    restart: Type.Optional(RestartNeed),
    bytesDone: Type.Optional(Type.Number({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    bytesTotal: Type.Optional(Type.Number({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    lastRunAt: Type.Optional(Type.String({ format: 'date-time' })),
    nextRunAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type DeploymentStateReport = Static<typeof DeploymentStateReport>;
