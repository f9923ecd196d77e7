import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Id, Name } from '../common/schemas.js';

/**
 * Task-sequence steps, groups and conditions (issue 11, ADR 0069). Declared once here: the
 * server validates a saved sequence with these schemas, the console builds its step editor from
 * them and the engine (agent, boot environment) runs what they describe.
 *
 * Groups and compound conditions nest. JSON Schema `$ref` recursion is avoided on purpose (the
 * operation table, the OpenAPI document and the form builder all walk plain schemas), so the
 * nesting is unrolled to a fixed depth: `MAX_GROUP_DEPTH` and `MAX_CONDITION_DEPTH`.
 */

/** Groups nest at most this deep (a sequence's top level is depth 0). */
export const MAX_GROUP_DEPTH = 4;
/** and/or/not nest at most this deep. */
export const MAX_CONDITION_DEPTH = 3;
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

function conditionAt(depth: number): TSchema {
  const leaves = [VariableCondition, FactCondition];
  if (depth === 0) return Type.Union(leaves);
  const inner = conditionAt(depth - 1);
  return Type.Union([
    ...leaves,
    Type.Object(
      {
        type: Type.Union([Type.Literal('and'), Type.Literal('or')]),
        conditions: Type.Array(inner, { minItems: 1, maxItems: 50 }),
      },
      { additionalProperties: false },
    ),
    Type.Object({ type: Type.Literal('not'), condition: inner }, { additionalProperties: false }),
  ]);
}

export type Condition =
  | Static<typeof VariableCondition>
  | Static<typeof FactCondition>
  | { type: 'and' | 'or'; conditions: Condition[] }
  | { type: 'not'; condition: Condition };
// eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- the unrolled union is the recursive type to MAX_CONDITION_DEPTH; TypeBox cannot infer it through the loop
export const Condition = conditionAt(MAX_CONDITION_DEPTH) as TSchema & { static: Condition };

// ---- step kinds and their settings ----

const Strict = { additionalProperties: false } as const;

/**
 * Settings per step kind. `where: 'boot'` kinds need the boot environment (they rewrite disks
 * or read a file system that must not be in use); the full-OS engine refuses them with a clear
 * failure. `where: 'any'` kinds run in both.
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
  'set-variable': {
    label: 'Set task sequence variable',
    where: 'any',
    settings: Type.Object({ name: VariableName, value: VariableValue }, Strict),
  },
} as const;

export type StepKind = keyof typeof StepKinds;
export const STEP_KINDS: readonly StepKind[] = [
  'partition-disk',
  'apply-os-image',
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
];
export type StepSettings<K extends StepKind> = Static<(typeof StepKinds)[K]['settings']>;

/** What every step and group carries. */
const common = {
  /** Stable within a sequence (the editor makes them); progress and status name steps by it. */
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  /** A disabled step or group is skipped (kept in the sequence, not run). */
  enabled: Type.Boolean(),
  /** A failure is recorded and the sequence goes on with the next step. */
  continueOnError: Type.Boolean(),
  condition: Type.Optional(Condition),
};

function stepSchema<K extends StepKind>(kind: K) {
  return Type.Object(
    {
      type: Type.Literal('step'),
      kind: Type.Literal(kind),
      ...common,
      timeoutSeconds: Type.Optional(
        Type.Integer({ minimum: 1, maximum: MAX_STEP_TIMEOUT_SECONDS }),
      ),
      settings: StepKinds[kind].settings,
    },
    { additionalProperties: false },
  );
}

/** What steps and groups share, as a type. */
export interface NodeCommon {
  id: string;
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
// eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- the union built over STEP_KINDS is exactly Step; TypeBox cannot infer through the map
export const Step = Type.Union(STEP_KINDS.map((k) => stepSchema(k))) as TSchema & { static: Step };

function nodeAt(depth: number): TSchema {
  if (depth === 0) return Step;
  return Type.Union([
    Step,
    Type.Object(
      {
        type: Type.Literal('group'),
        ...common,
        children: Type.Array(nodeAt(depth - 1), { maxItems: MAX_SEQUENCE_NODES }),
      },
      { additionalProperties: false },
    ),
  ]);
}

export interface Group extends NodeCommon {
  type: 'group';
  children: SequenceNode[];
}
export type SequenceNode = Step | Group;
// eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- as for Condition: the unrolled union is the recursive type to MAX_GROUP_DEPTH
export const SequenceNode = nodeAt(MAX_GROUP_DEPTH) as TSchema & { static: SequenceNode };
export const SequenceSteps = Type.Array(SequenceNode, { maxItems: MAX_SEQUENCE_NODES });
