import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, Nullable } from '../common/schemas.js';
import {
  booleanSetting,
  integerSetting,
  settingsProperties,
  settingsValueProperties,
  type SettingValues,
} from '../common/settings.js';
import { DeploymentOptions } from '../deployments/options.js';
import { DeploymentStateName, DeploymentSummary } from '../deployments/schemas.js';
import { TimeBase, WallTime } from '../schedule/schemas.js';
import { RuleSet } from './custom-schemas.js';
import { RestartNeed } from './restart-need.js';

/**
 * Update deployments (issue 10, ADR 0056): an update group deployed to a collection. Each one
 * owns a software deployment of the group's approved content (`updates-<group id>`), so
 * assignments, content location, deadlines, postponement, maintenance windows, rerun and state
 * reporting are the software deployments' own; what is particular to updates is declared here.
 */

/** The longest random delay added to a deadline (the seed's two hours). */
export const MAX_DEADLINE_RANDOM_DELAY_MINUTES = 120;

/** The longest restart countdown (a day) and final countdown (an hour). */
export const MAX_RESTART_COUNTDOWN_MINUTES = 1440;
export const MAX_RESTART_FINAL_COUNTDOWN_MINUTES = 60;
/** The longest a user may snooze a restart in total (a week), and in one snooze (a day). */
export const MAX_RESTART_SNOOZE_TOTAL_MINUTES = 10_080;
export const MAX_RESTART_SNOOZE_MINUTES = 1440;
/** The longest a restart suppressed by the device role may wait before it is forced (30 days). */
export const MAX_SUPPRESSED_RESTART_DEADLINE_MINUTES = 43_200;

/** Options only update deployments have (declared once: ADR 0016). */
export const UpdateDeploymentOptions = {
  deadlineRandomDelayMinutes: integerSetting({
    label: 'Random delay after the deadline',
    help: 'Each device starts at the deadline plus its own random delay up to this long (spreads the load)',
    unit: 'minutes',
    minimum: 0,
    maximum: MAX_DEADLINE_RANDOM_DELAY_MINUTES,
    default: 0,
    flag: { kind: 'value', name: 'random-delay-minutes', placeholder: '<n>' },
  }),
  notifyUsers: booleanSetting({
    label: 'Notify users',
    help: 'Show deadline reminders and restart countdowns to the person at the machine',
    default: true,
    flag: {
      kind: 'switch',
      name: 'notify',
      on: true,
      off: false,
      onHelp: 'notify users (reminders, restart countdowns)',
      offHelp: 'install without notifying users',
    },
  }),
  rehearsal: booleanSetting({
    label: 'Rehearsal (simulate only)',
    help: "apt's simulate mode: devices report what would be installed, removed and restarted; nothing changes",
    default: false,
    flag: {
      kind: 'switch',
      name: 'rehearsal',
      on: true,
      off: false,
      onHelp: 'simulate only: nothing changes on the devices',
      offHelp: 'install for real',
    },
  }),
  allowDowngrades: booleanSetting({
    label: 'Allow downgrades (roll back)',
    help: 'Install the deployed versions even where a newer one is installed (uninstall an update)',
    default: false,
    flag: {
      kind: 'switch',
      name: 'rollback',
      on: true,
      off: false,
      onHelp: 'allow downgrades: roll back to the deployed versions',
      offHelp: 'never downgrade',
    },
  }),
  suppressRestartServers: booleanSetting({
    label: 'Suppress the restart on servers',
    help: 'Servers install and report "pending restart" instead of restarting',
    default: false,
    flag: {
      kind: 'switch',
      name: 'suppress-restart-servers',
      on: true,
      off: false,
      onHelp: 'servers do not restart',
      offHelp: 'servers restart when an update needs it',
    },
  }),
  suppressRestartWorkstations: booleanSetting({
    label: 'Suppress the restart on workstations',
    help: 'Workstations install and report "pending restart" instead of restarting',
    default: false,
    flag: {
      kind: 'switch',
      name: 'suppress-restart-workstations',
      on: true,
      off: false,
      onHelp: 'workstations do not restart',
      offHelp: 'workstations restart when an update needs it',
    },
  }),
  allowRestartOutsideWindows: booleanSetting({
    label: 'Allow the restart outside maintenance windows',
    help: 'Off: a restart waits for a maintenance window',
    default: false,
    flag: {
      kind: 'switch',
      name: 'restart-outside-windows',
      on: true,
      off: false,
      onHelp: 'restart even outside maintenance windows',
      offHelp: 'restart only inside a maintenance window',
    },
  }),
  suppressedRestartDeadlineMinutes: integerSetting({
    label: 'Restart deadline for suppressed restarts',
    help: 'A restart suppressed by the role becomes mandatory this long after the install (final countdown, in a window unless allowed outside); 0 waits for the user. Applies to restarts already pending',
    unit: 'minutes',
    minimum: 0,
    maximum: MAX_SUPPRESSED_RESTART_DEADLINE_MINUTES,
    default: 0,
    flag: {
      kind: 'value',
      name: 'suppressed-restart-deadline-minutes',
      placeholder: '<n>',
      hoursAllowed: true,
    },
  }),
  // ---- restarts and reminders (ADR 0071) ----
  restartCountdownMinutes: integerSetting({
    label: 'Restart countdown',
    help: 'How long the person at the machine is warned before an update restart (they may snooze within it); 0 restarts at once',
    unit: 'minutes',
    minimum: 0,
    maximum: MAX_RESTART_COUNTDOWN_MINUTES,
    default: 60,
    flag: {
      kind: 'value',
      name: 'restart-countdown-minutes',
      placeholder: '<n>',
      hoursAllowed: true,
    },
  }),
  restartMaxSnoozeMinutes: integerSetting({
    label: 'Restart snooze limit',
    help: 'How long users may snooze the restart in total; past it the final countdown runs and the restart is mandatory',
    unit: 'minutes',
    minimum: 0,
    maximum: MAX_RESTART_SNOOZE_TOTAL_MINUTES,
    default: 480,
    flag: {
      kind: 'value',
      name: 'restart-snooze-limit-minutes',
      placeholder: '<n>',
      hoursAllowed: true,
    },
  }),
  restartFinalCountdownMinutes: integerSetting({
    label: 'Final restart countdown',
    help: 'The last warning before the restart, which cannot be snoozed',
    unit: 'minutes',
    minimum: 0,
    maximum: MAX_RESTART_FINAL_COUNTDOWN_MINUTES,
    default: 15,
    flag: { kind: 'value', name: 'restart-final-countdown-minutes', placeholder: '<n>' },
  }),
  reminderIntervalMinutes: integerSetting({
    label: 'Reminder interval',
    help: 'How often users who may postpone are reminded as the deadline nears (the seed: every 3 hours)',
    unit: 'minutes',
    minimum: 15,
    maximum: 1440,
    default: 180,
    flag: {
      kind: 'value',
      name: 'reminder-interval-minutes',
      placeholder: '<n>',
      hoursAllowed: true,
    },
  }),
};
export type UpdateDeploymentOptions = SettingValues<typeof UpdateDeploymentOptions>;

/** The software deployment options an update deployment sets on the deployment it owns. */
export const UpdateDeploymentSharedOptions = {
  preDownload: DeploymentOptions.preDownload,
  overrideMaintenanceWindows: DeploymentOptions.overrideMaintenanceWindows,
  maxPostponeMinutes: DeploymentOptions.maxPostponeMinutes,
  allowFallback: DeploymentOptions.allowFallback,
  runOverSlowBoundary: DeploymentOptions.runOverSlowBoundary,
  enabled: DeploymentOptions.enabled,
};

export const UpdateDeploymentBody = Type.Object(
  {
    name: Type.Optional(Name),
    /** The update group (id or name); its published approved content is what is installed. */
    groupId: Type.String({ minLength: 1, maxLength: 300 }),
    collectionId: Id,
    /** Offered (and pre-downloaded) from this time; now when omitted. */
    availableAt: Type.Optional(WallTime),
    /** Installed by this time (required); without one the updates are only offered. */
    deadline: Type.Optional(Nullable(WallTime)),
    timeBase: Type.Optional(TimeBase),
    ...settingsProperties(UpdateDeploymentSharedOptions),
    ...settingsProperties(UpdateDeploymentOptions),
  },
  { additionalProperties: false },
);
export type UpdateDeploymentBody = Static<typeof UpdateDeploymentBody>;

/** The most updates one direct deployment of a selection names. */
export const MAX_SELECTED_UPDATES = 1000;

/**
 * Chosen updates deployed in one step (issue 10): the site makes an update group of them
 * (named after the deployment), publishes its approved content and deploys it, so everything an
 * update deployment does (remove one, redeploy, status) works the same.
 */
export const DeploySelectedUpdatesBody = Type.Object(
  {
    ...Type.Omit(UpdateDeploymentBody, ['groupId']).properties,
    /** Catalog or custom update ids. */
    updateIds: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
      minItems: 1,
      maxItems: MAX_SELECTED_UPDATES,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
);
export type DeploySelectedUpdatesBody = Static<typeof DeploySelectedUpdatesBody>;

export const UpdateDeploymentPatch = Type.Partial(
  Type.Omit(UpdateDeploymentBody, ['groupId', 'collectionId', 'timeBase']),
  { additionalProperties: false },
);
export type UpdateDeploymentPatch = Static<typeof UpdateDeploymentPatch>;

/** The two kinds of update a group or deployment holds (ADR 0083). */
export const UpdateKind = Type.Union([Type.Literal('apt'), Type.Literal('custom')]);
export type UpdateKind = Static<typeof UpdateKind>;

/** One update of a deployment, with the binaries it installs. */
export const UpdateDeploymentUpdate = Type.Object({
  updateId: Type.String(),
  /** `apt`: a catalog update; `custom`: a custom update (package is its vendor and product). */
  kind: UpdateKind,
  package: Type.String(),
  version: Type.String(),
  /** Removed from this deployment (the others continue). */
  removed: Type.Boolean(),
});
export type UpdateDeploymentUpdate = Static<typeof UpdateDeploymentUpdate>;

export const UpdateDeployment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  groupId: Type.String(),
  groupName: Type.String(),
  collectionId: Type.String(),
  collectionName: Type.String(),
  /** The software deployment this one owns (the deployments list and monitoring show it too). */
  deploymentId: Type.String(),
  /** The approved content version installed from. */
  packageId: Type.String(),
  availableAt: Nullable(Type.String()),
  deadline: Nullable(Type.String()),
  timeBase: TimeBase,
  ...settingsValueProperties(UpdateDeploymentSharedOptions),
  ...settingsValueProperties(UpdateDeploymentOptions),
  updates: Type.Array(UpdateDeploymentUpdate),
  createdAt: Type.String(),
  createdBy: Type.String(),
  summary: Type.Optional(DeploymentSummary),
});
export type UpdateDeployment = Static<typeof UpdateDeployment>;

/**
 * What the site itself knows about a device that has not finished a deployment (issue 10, ADR
 * 0073), derived in the status query and in `v_update_deployment_status` by one rule:
 * `agent-stopped` (its client check says the agent service is not running), `not-communicating`
 * (nothing heard since its last scan and a scheduled scan is overdue), `offline` (no push
 * channel and no contact within the policy interval).
 */
export const UpdateSiteState = Type.Union([
  Type.Literal('agent-stopped'),
  Type.Literal('not-communicating'),
  Type.Literal('offline'),
]);
export type UpdateSiteState = Static<typeof UpdateSiteState>;

/** A device's state for one update of the deployment. */
export const UpdateEnforcementState = Type.Union([
  ...DeploymentStateName.anyOf,
  /** The device's scan says it is installed (compliance). */
  Type.Literal('installed'),
  /** Removed from the deployment. */
  Type.Literal('removed'),
  ...UpdateSiteState.anyOf,
]);
export type UpdateEnforcementState = Static<typeof UpdateEnforcementState>;

export const UpdateDeploymentDevice = Type.Object({
  deviceId: Type.String(),
  hostname: Type.String(),
  state: DeploymentStateName,
  reasonCode: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  lastRunAt: Nullable(Type.String()),
  /** What the last run did or (rehearsal) would do: the installer's own words. */
  outputTail: Nullable(Type.String()),
  /** The reboot and services the last install left to restart (or a rehearsal predicts). */
  restart: Nullable(RestartNeed),
  /** Derived by the site for a device still to finish (ADR 0073), with the reason why. */
  siteState: Nullable(UpdateSiteState),
  siteReason: Nullable(Type.String()),
  lastContactAt: Nullable(Type.String()),
  updates: Type.Array(Type.Object({ updateId: Type.String(), state: UpdateEnforcementState })),
});
export type UpdateDeploymentDevice = Static<typeof UpdateDeploymentDevice>;

export const UpdateDeploymentStatus = Type.Object({
  deploymentId: Type.String(),
  summary: DeploymentSummary,
  /** Per update: devices per state. */
  byUpdate: Type.Array(
    Type.Object({
      updateId: Type.String(),
      package: Type.String(),
      version: Type.String(),
      counts: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
  /** Failed devices with their reasons. */
  failures: Type.Array(UpdateDeploymentDevice),
  /** Devices still to finish that the site finds offline, not communicating or stopped. */
  unreachable: Type.Array(UpdateDeploymentDevice),
});
export type UpdateDeploymentStatus = Static<typeof UpdateDeploymentStatus>;

export const UpdateDeploymentMemberParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 300 }),
    updateId: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false },
);
export type UpdateDeploymentMemberParams = Static<typeof UpdateDeploymentMemberParams>;

/** One custom update as an update deployment's agents install it (ADR 0083). */
export const AgentCustomInstall = Type.Object({
  updateId: Type.String(),
  title: Type.String(),
  detection: RuleSet,
  applicability: Nullable(RuleSet),
  installProgramId: Nullable(Type.String()),
  uninstallProgramId: Nullable(Type.String()),
});
export type AgentCustomInstall = Static<typeof AgentCustomInstall>;

/**
 * What an update deployment adds to the agent's copy of its software deployment: the approved
 * versions to install, the site key the repository is signed with (the only key apt trusts
 * for it), and how to install and restart.
 */
export const AgentUpdateInstall = Type.Object({
  updateDeploymentId: Type.String(),
  /** The site's armoured OpenPGP public key that signs the approved repository (ADR 0050). */
  repoKey: Type.String(),
  updates: Type.Array(
    Type.Object({
      updateId: Type.String(),
      binaries: Type.Array(Type.Object({ name: Type.String(), version: Type.String() })),
    }),
  ),
  /**
   * Custom updates still deployed (ADR 0083): their rules and programs (the programs are in the
   * assignments' programs, with their content). A rollback (`allowDowngrades`) runs each
   * uninstall program instead of its install program.
   */
  custom: Type.Optional(Type.Array(AgentCustomInstall)),
  ...settingsValueProperties(UpdateDeploymentOptions),
});
export type AgentUpdateInstall = Static<typeof AgentUpdateInstall>;
