import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, Nullable } from '../common/schemas.js';
import {
  booleanSetting,
  integerSetting,
  settingsProperties,
  settingsValueProperties,
  type SettingValues,
} from '../common/settings.js';
import { HaltOnFailurePercent, PhaseSettings } from '../deployments/options.js';
import { CveId, UpdateSeverity } from './adv-schemas.js';
import { UpdateDeploymentOptions, UpdateDeploymentSharedOptions } from './deployment-schemas.js';
import { SoftwareUpdate, UpdateClassification } from './schemas.js';

/**
 * Automatic deployment rules (issue 10, ADR 0072): a filter over the catalog, the update group
 * its matches go to, the collections they are deployed to (at once or phased, pre-production
 * first), a deployment template, and when the rule runs.
 */

/** The most updates one run adds (a group's members are added at most this many at once). */
export const MAX_RULE_MATCHES = 1000;
/** The most collections a rule deploys to (phased or not): the phased deployments' own limit. */
export const MAX_RULE_COLLECTIONS = 20;

/** Which catalog updates a rule takes. Every field narrows; an empty filter takes everything. */
export const UpdateRuleFilter = Type.Object(
  {
    /** Update sources (ids): a source is one product and release (suite). */
    sourceIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 50, uniqueItems: true })),
    classifications: Type.Optional(
      Type.Array(UpdateClassification, { minItems: 1, maxItems: 3, uniqueItems: true }),
    ),
    /** At least this severe (critical > high > medium > low > unknown). */
    minSeverity: Type.Optional(UpdateSeverity),
    /** Only updates first published (synced) at least this many days ago: a soak before approval. */
    minAgeDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    /** Text in the source package's or a binary package's name. */
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Only updates that fix this CVE. */
    cve: Type.Optional(CveId),
  },
  { additionalProperties: false },
);
export type UpdateRuleFilter = Static<typeof UpdateRuleFilter>;

/** Where a run's matches go. */
export const UpdateRuleGroupMode = Type.Union([
  /** A new update group each run ("<rule> <date>"), deployed on its own. */
  Type.Literal('new-group'),
  /** One group that keeps growing; its deployments are updated (the seed's monthly group). */
  Type.Literal('existing-group'),
]);
export type UpdateRuleGroupMode = Static<typeof UpdateRuleGroupMode>;

/** When a rule runs by itself, declared once (ADR 0016). */
export const UpdateRuleScheduleOptions = {
  runAfterSync: booleanSetting({
    label: 'Run after each catalog sync',
    help: 'Runs once a sync of one of its sources (any source when none is named) added updates',
    default: true,
    flag: {
      kind: 'switch',
      name: 'after-sync',
      on: true,
      off: false,
      onHelp: 'run after each catalog sync that added updates',
      offHelp: 'do not run after syncs',
    },
  }),
  intervalHours: integerSetting({
    label: 'Run every',
    help: 'Hours between scheduled runs (0: no schedule)',
    unit: 'hours',
    minimum: 0,
    maximum: 24 * 31,
    default: 0,
    flag: { kind: 'value', name: 'every-hours', placeholder: '<hours>' },
  }),
  enabled: booleanSetting({
    label: 'Enabled',
    help: 'A disabled rule runs only on demand',
    default: true,
    flag: {
      kind: 'switch',
      name: 'enable',
      offName: 'disable',
      on: true,
      off: false,
      onHelp: 'the rule runs by itself',
      offHelp: 'the rule runs only on demand',
    },
  }),
};
export type UpdateRuleScheduleOptions = SettingValues<typeof UpdateRuleScheduleOptions>;

/** The deployments a run makes, relative to the run (declared once, ADR 0016). */
export const UpdateRuleTimingOptions = {
  availableAfterHours: integerSetting({
    label: 'Available after',
    help: 'Hours after the run at which the updates are offered',
    unit: 'hours',
    minimum: 0,
    maximum: 24 * 90,
    default: 0,
    flag: { kind: 'value', name: 'available-after-hours', placeholder: '<hours>' },
  }),
  deadlineAfterHours: integerSetting({
    label: 'Deadline after',
    help: 'Hours after the run by which they are installed (0: offered only, no deadline)',
    unit: 'hours',
    minimum: 0,
    maximum: 24 * 90,
    default: 168,
    flag: { kind: 'value', name: 'deadline-after-hours', placeholder: '<hours>' },
  }),
};

/** The deployment template of a rule: its timing, then the update deployments' own options. */
export const UpdateRuleTemplateOptions = {
  ...UpdateRuleTimingOptions,
  // A rule's deployments start enabled: `enabled` is the rule's own (it stops the rule).
  preDownload: UpdateDeploymentSharedOptions.preDownload,
  overrideMaintenanceWindows: UpdateDeploymentSharedOptions.overrideMaintenanceWindows,
  maxPostponeMinutes: UpdateDeploymentSharedOptions.maxPostponeMinutes,
  allowFallback: UpdateDeploymentSharedOptions.allowFallback,
  runOverSlowBoundary: UpdateDeploymentSharedOptions.runOverSlowBoundary,
  ...UpdateDeploymentOptions,
};
export type UpdateRuleTemplateOptions = SettingValues<typeof UpdateRuleTemplateOptions>;

/** Phased across the collections, in order (pre-production first): the phased deployments' logic. */
export const UpdateRulePhasing = Type.Object(
  {
    successPercent: PhaseSettings.successPercent.schema,
    soakMinutes: PhaseSettings.soakMinutes.schema,
    haltOnFailurePercent: HaltOnFailurePercent.schema,
  },
  { additionalProperties: false },
);
export type UpdateRulePhasing = Static<typeof UpdateRulePhasing>;

export const UpdateRuleBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    filter: UpdateRuleFilter,
    groupMode: Type.Optional(UpdateRuleGroupMode),
    /** existing-group: the group (id or name) to add to; the rule makes its own when omitted. */
    groupId: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    /** Target collections; with `phased`, the phases in order. */
    collectionIds: Type.Array(Id, {
      minItems: 1,
      maxItems: MAX_RULE_COLLECTIONS,
      uniqueItems: true,
    }),
    phased: Type.Optional(Nullable(UpdateRulePhasing)),
    ...settingsProperties(UpdateRuleScheduleOptions),
    ...settingsProperties(UpdateRuleTemplateOptions),
  },
  { additionalProperties: false },
);
export type UpdateRuleBody = Static<typeof UpdateRuleBody>;

export const UpdateRulePatch = Type.Partial(Type.Omit(UpdateRuleBody, ['groupMode', 'groupId']), {
  additionalProperties: false,
});
export type UpdateRulePatch = Static<typeof UpdateRulePatch>;

export const UpdateRuleRunTrigger = Type.Union([
  Type.Literal('manual'),
  Type.Literal('sync'),
  Type.Literal('schedule'),
]);
export type UpdateRuleRunTrigger = Static<typeof UpdateRuleRunTrigger>;

export const UpdateRuleRunOutcome = Type.Union([
  Type.Literal('succeeded'),
  Type.Literal('nothing-new'),
  Type.Literal('failed'),
]);
export type UpdateRuleRunOutcome = Static<typeof UpdateRuleRunOutcome>;

/** One run of a rule: what it matched, what it added, what it deployed. */
export const UpdateRuleRun = Type.Object({
  id: Type.String(),
  ruleId: Type.String(),
  trigger: UpdateRuleRunTrigger,
  requestedBy: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  outcome: UpdateRuleRunOutcome,
  /** Updates the filter matched (current, not superseded). */
  matched: Type.Integer(),
  /** Of those, the ones new to the group. */
  added: Type.Integer(),
  groupId: Nullable(Type.String()),
  /** Update deployments made or updated. */
  deploymentIds: Type.Array(Type.String()),
  phasedDeploymentId: Nullable(Type.String()),
  error: Nullable(Type.String()),
});
export type UpdateRuleRun = Static<typeof UpdateRuleRun>;

export const UpdateRule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  filter: UpdateRuleFilter,
  groupMode: UpdateRuleGroupMode,
  groupId: Nullable(Type.String()),
  groupName: Nullable(Type.String()),
  collectionIds: Type.Array(Type.String()),
  phased: Nullable(UpdateRulePhasing),
  ...settingsValueProperties(UpdateRuleScheduleOptions),
  ...settingsValueProperties(UpdateRuleTemplateOptions),
  createdAt: Type.String(),
  createdBy: Type.String(),
  updatedAt: Type.String(),
  lastRun: Nullable(UpdateRuleRun),
  /**
   * When the interval next makes the rule due (its last run, or its creation, plus the
   * interval); null when it is disabled or has no interval. Syncs may run it sooner.
   */
  nextRunAt: Nullable(Type.String()),
});
export type UpdateRule = Static<typeof UpdateRule>;

/** What a filter matches now (the editor's live preview). */
export const UpdateRulePreview = Type.Object({
  total: Type.Integer(),
  /** The first matches, newest first. */
  items: Type.Array(SoftwareUpdate),
});
export type UpdateRulePreview = Static<typeof UpdateRulePreview>;

/**
 * A rollup (ADR 0072): per update source (one product and release), the latest updates that
 * apply to the fleet, kept as an update group that is brought up to date whenever it is
 * refreshed, so a new machine installs it in one apt transaction with one restart.
 */
export const UpdateRollup = Type.Object({
  sourceId: Type.String(),
  sourceName: Type.String(),
  suite: Type.String(),
  /** The latest applicable updates now. */
  updateIds: Type.Array(Type.String()),
  /** The rollup's update group once refreshed (null before). */
  groupId: Nullable(Type.String()),
  groupName: Nullable(Type.String()),
  /** The group holds exactly the latest set. */
  current: Type.Boolean(),
  refreshedAt: Nullable(Type.String()),
});
export type UpdateRollup = Static<typeof UpdateRollup>;
