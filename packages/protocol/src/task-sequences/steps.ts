import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Id, Name } from '../common/schemas.js';

/**
 * Task-sequence steps, groups and conditions (issue 11, ADR 0069). Declared once here: the
 * server validates a saved sequence with these schemas, the console builds its step editor from
 * them and the engine (agent, boot environment) runs what they describe.
 *
 * The schemas stay small on purpose (ADR 0069): the site's validator compiles every route's
 * schema at start-up, and unrolling a nested tree or a recursive condition into JSON Schema
 * multiplied it into megabytes that took minutes to compile. So a sequence is a flat list of
 * items, each naming its group (`parentId`), from which `sequenceTree` builds the tree; a
 * step's settings are checked against its kind's schema in code (`stepProblems`); conditions
 * are a block of tests with at most one level of inner blocks (all / any / none).
 */

/** Groups nest at most this deep (a sequence's top level is depth 0). */
export const MAX_GROUP_DEPTH = 4;
/** A step's timeout is at most a day; without one a step may run as long as it needs. */
export const MAX_STEP_TIMEOUT_SECONDS = 86_400;
/** Steps and groups in one sequence, counted over every level. */
export const MAX_SEQUENCE_NODES = 500;

/**
 * A task-sequence variable name. Names starting with `_STW` are the engine's built-ins
 * (`_STWCurrentStep`, `_STWLastExitCode`, ...): readable by conditions and commands, never set.
 */
export const VariableName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z][A-Za-z0-9_]*$',
});
export const VariableValue = Type.String({ maxLength: 4000 });
export const Variables = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$' }),
  VariableValue,
);
export type Variables = Static<typeof Variables>;
/** The prefix of the engine's built-in variables. */
export const BUILT_IN_VARIABLE_PREFIX = '_STW';

// ---- conditions ----

export const FactSource = Type.Union([Type.Literal('inventory'), Type.Literal('hardware')]);
export type FactSource = Static<typeof FactSource>;

/** A test of a variable: equal to a value (after expansion), or set at all. */
export const VariableCondition = Type.Object(
  {
    type: Type.Literal('variable'),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    op: Type.Union([Type.Literal('equals'), Type.Literal('not-equals'), Type.Literal('exists')]),
    value: Type.Optional(VariableValue),
  },
  { additionalProperties: false },
);
/**
 * A test of a fact about the machine: `inventory` facts (`os.id`, `os.version`, ...) and
 * `hardware` facts (`architecture`, `memoryMiB`, `modalias`, ...), as the engine's host reads
 * them. `matches` is a shell glob (one of a list fact's values matching is enough).
 */
export const FactCondition = Type.Object(
  {
    type: Type.Literal('fact'),
    source: FactSource,
    name: Type.String({ minLength: 1, maxLength: 128 }),
    op: Type.Union([
      Type.Literal('equals'),
      Type.Literal('not-equals'),
      Type.Literal('exists'),
      Type.Literal('matches'),
      Type.Literal('at-least'),
    ]),
    value: Type.Optional(Type.String({ maxLength: 400 })),
  },
  { additionalProperties: false },
);

const ConditionTest = Type.Union([VariableCondition, FactCondition]);
const Match = Type.Union([Type.Literal('all'), Type.Literal('any'), Type.Literal('none')]);
const InnerBlock = Type.Object(
  {
    type: Type.Literal('block'),
    match: Match,
    tests: Type.Array(ConditionTest, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);

/** A leaf test, or a block: all of its tests true (and), any (or), or none (not any). */
export type ConditionNode =
  | Static<typeof VariableCondition>
  | Static<typeof FactCondition>
  | { type: 'block'; match: 'all' | 'any' | 'none'; tests: ConditionNode[] };
export type Condition = Extract<ConditionNode, { type: 'block' }>;
/** A step's or group's condition: a block whose tests may be blocks of tests themselves. */
// eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- the two-level schema is a bounded instance of the recursive type
export const Condition = Type.Object(
  {
    type: Type.Literal('block'),
    match: Match,
    tests: Type.Array(Type.Union([VariableCondition, FactCondition, InnerBlock]), {
      minItems: 1,
      maxItems: 50,
    }),
  },
  { additionalProperties: false },
) as TSchema & { static: Condition };

// ---- step kinds and their settings ----

const Strict = { additionalProperties: false } as const;

/**
 * Settings per step kind. `where: 'boot'` kinds need the boot environment (they rewrite disks
 * or read a file system that must not be in use); the full-OS engine refuses them with a clear
 * failure. `where: 'any'` kinds run in both; `where: 'full-os'` ones only in the installed
 * system (an in-place upgrade changes the running OS).
 */
export const StepKinds = {
  'partition-disk': {
    label: 'Partition disk',
    where: 'boot',
    settings: Type.Object(
      {
        /** Which disk: the first fixed (never removable) disk, or a device path rule. */
        disk: Type.Union([
          Type.Literal('first-fixed'),
          Type.String({ pattern: '^/dev/[a-z0-9/]+$' }),
        ]),
        layout: Type.Union([Type.Literal('auto'), Type.Literal('bios'), Type.Literal('uefi')]),
      },
      Strict,
    ),
  },
  'apply-os-image': {
    label: 'Apply OS image',
    where: 'boot',
    settings: Type.Object({ imageId: Id }, Strict),
  },
  'install-boot-loader': {
    label: 'Install boot loader',
    where: 'boot',
    /** GRUB from the applied image: BIOS (i386-pc) or UEFI, as the disk was partitioned. */
    settings: Type.Object({}, Strict),
  },
  'apply-drivers': {
    label: 'Apply drivers',
    where: 'boot',
    settings: Type.Object(
      {
        /** auto: every enabled driver whose aliases match the hardware's modaliases. */
        mode: Type.Union([Type.Literal('auto'), Type.Literal('chosen')]),
        driverIds: Type.Optional(Type.Array(Id, { maxItems: 200 })),
      },
      Strict,
    ),
  },
  'apply-network-settings': {
    label: 'Apply network settings',
    where: 'any',
    settings: Type.Object(
      {
        hostname: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9%_]([A-Za-z0-9%_-]{0,62})$' })),
        dnsDomain: Type.Optional(Type.String({ maxLength: 253, pattern: '^[A-Za-z0-9.%_-]*$' })),
      },
      Strict,
    ),
  },
  'install-agent': {
    label: 'Install the agent',
    where: 'boot',
    settings: Type.Object({}, Strict),
  },
  'install-software': {
    label: 'Install packages and programs',
    where: 'any',
    settings: Type.Object(
      {
        /** Programs of the content library, run in order (their package's content is fetched). */
        programIds: Type.Array(Id, { minItems: 1, maxItems: 50 }),
      },
      Strict,
    ),
  },
  'capture-os-image': {
    label: 'Capture OS image',
    where: 'boot',
    settings: Type.Object({ imageName: Name }, Strict),
  },
  'capture-user-state': {
    label: 'Capture user state',
    where: 'boot',
    settings: Type.Object(
      {
        store: Type.Union([
          Type.Literal('state-migration-point'),
          Type.Literal('local'),
          Type.Literal('hard-links'),
        ]),
        paths: Type.Optional(Type.Array(Type.String({ pattern: '^/' }), { maxItems: 100 })),
      },
      Strict,
    ),
  },
  'restore-user-state': {
    label: 'Restore user state',
    where: 'boot',
    settings: Type.Object(
      {
        store: Type.Union([
          Type.Literal('state-migration-point'),
          Type.Literal('local'),
          Type.Literal('hard-links'),
        ]),
      },
      Strict,
    ),
  },
  'run-command': {
    label: 'Run command line',
    where: 'any',
    settings: Type.Object(
      {
        /** Run by /bin/sh -c after %VARIABLE% expansion; variables are also in its environment. */
        command: Type.String({ minLength: 1, maxLength: 8000 }),
        workingDirectory: Type.Optional(Type.String({ pattern: '^/' })),
        /** Exit codes that count as success; [0] when omitted. */
        successExitCodes: Type.Optional(Type.Array(Type.Integer(), { minItems: 1, maxItems: 20 })),
      },
      Strict,
    ),
  },
  'restart-computer': {
    label: 'Restart computer',
    where: 'any',
    settings: Type.Object(
      {
        /** Where to come back: the installed OS, or the boot image (for disk work). */
        into: Type.Union([Type.Literal('full-os'), Type.Literal('boot-image')]),
      },
      Strict,
    ),
  },
  'upgrade-os': {
    label: 'Upgrade operating system',
    where: 'full-os',
    /** An in-place release upgrade (ADR 0102): pre-checks, new sources, full-upgrade, report. */
    settings: Type.Object({ upgradePackageId: Id }, Strict),
  },
  'set-variable': {
    label: 'Set task sequence variable',
    where: 'any',
    settings: Type.Object({ name: VariableName, value: VariableValue }, Strict),
  },
} as const;

export type StepKind = keyof typeof StepKinds;
export const STEP_KINDS = [
  'partition-disk',
  'apply-os-image',
  'install-boot-loader',
  'apply-drivers',
  'apply-network-settings',
  'install-agent',
  'install-software',
  'capture-os-image',
  'capture-user-state',
  'restore-user-state',
  'run-command',
  'restart-computer',
  'set-variable',
  'upgrade-os',
] as const satisfies readonly StepKind[];
export type StepSettings<K extends StepKind> = Static<(typeof StepKinds)[K]['settings']>;

/** What every step and group carries. */
const common = {
  /** Stable within a sequence (the editor makes them); progress and status name steps by it. */
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  /** The group this item is in; absent at the top level. */
  parentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  /** A disabled step or group is skipped (kept in the sequence, not run). */
  enabled: Type.Boolean(),
  /** A failure is recorded and the sequence goes on (after the group, for a group). */
  continueOnError: Type.Boolean(),
  condition: Type.Optional(Condition),
};

/** What steps and groups share, as a type. */
export interface NodeCommon {
  id: string;
  parentId?: string;
  name: string;
  description?: string;
  enabled: boolean;
  continueOnError: boolean;
  condition?: Condition;
}
/** A step of one kind. */
export type StepOf<K extends StepKind> = NodeCommon & {
  type: 'step';
  kind: K;
  timeoutSeconds?: number;
  settings: StepSettings<K>;
};
export type Step = { [K in StepKind]: StepOf<K> }[StepKind];
/** A group as saved (its members name it as their parent). */
export interface GroupItem extends NodeCommon {
  type: 'group';
}
/** A group in the tree `sequenceTree` builds. */
export interface Group extends GroupItem {
  children: SequenceNode[];
}
export type SequenceItem = Step | GroupItem;
export type SequenceNode = Step | Group;

const StepSchema = Type.Object(
  {
    type: Type.Literal('step'),
    kind: Type.Union(STEP_KINDS.map((k) => Type.Literal(k))),
    ...common,
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_STEP_TIMEOUT_SECONDS })),
    /** Checked against the kind's schema by `stepProblems` (the site refuses a mismatch). */
    settings: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
const GroupSchema = Type.Object(
  { type: Type.Literal('group'), ...common },
  { additionalProperties: false },
);

// eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- settings are checked per kind by stepProblems, which the site runs on every save and the engine on every run
export const SequenceItem = Type.Union([StepSchema, GroupSchema]) as TSchema & {
  static: SequenceItem;
};
/** A sequence's steps and groups in order, flat (members follow their group). */
export const SequenceSteps = Type.Array(SequenceItem, { maxItems: MAX_SEQUENCE_NODES });

/** Whether a step's settings match its kind's schema; the first problem, or undefined. */
export function settingsProblem(step: { kind: StepKind; settings: unknown }): string | undefined {
  const schema = StepKinds[step.kind].settings;
  if (Value.Check(schema, step.settings)) return undefined;
  const first = Value.Errors(schema, step.settings).First();
  return first
    ? `${first.path === '' ? 'settings' : `settings${first.path}`}: ${first.message}`
    : 'invalid settings';
}
