import { type Static, Type } from '@sinclair/typebox';
import { Description, Name, Nullable } from '../common/schemas.js';
import { pagingFields } from '../http/paging.js';
import { SequenceSteps, VariableName, VariableValue, Variables } from './steps.js';

/**
 * The kinds of task sequence (issue 11): what the editor offers first and what lists filter by.
 * `upgrade` is an in-place release upgrade of the installed OS (upgrade-os steps; ADR 0102).
 */
export const TASK_SEQUENCE_KINDS = [
  'install-os',
  'non-os',
  'capture-os',
  'user-state',
  'upgrade',
  'custom',
] as const;
export const TaskSequenceKind = Type.Union(TASK_SEQUENCE_KINDS.map((k) => Type.Literal(k)));
export type TaskSequenceKind = (typeof TASK_SEQUENCE_KINDS)[number];

export const TaskSequenceBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    kind: TaskSequenceKind,
    steps: SequenceSteps,
    /** Defaults; a collection's and then a device's variables override them. */
    variables: Type.Optional(Variables),
    /** The boot image PXE and boot media start this sequence in (ADR 0076); none for full-OS ones. */
    bootImageId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false },
);
export type TaskSequenceBody = Static<typeof TaskSequenceBody>;

export const TaskSequenceSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  kind: TaskSequenceKind,
  /** The newest version; every save makes one, deployments keep the one they were made with. */
  version: Type.Integer(),
  stepCount: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  updatedBy: Type.String(),
});
export type TaskSequenceSummary = Static<typeof TaskSequenceSummary>;

export const TaskSequence = Type.Object({
  ...TaskSequenceSummary.properties,
  steps: SequenceSteps,
  variables: Variables,
  bootImageId: Nullable(Type.String()),
});
export type TaskSequence = Static<typeof TaskSequence>;

export const TaskSequenceVersionSummary = Type.Object({
  version: Type.Integer(),
  stepCount: Type.Integer(),
  createdAt: Type.String(),
  createdBy: Type.String(),
});
export type TaskSequenceVersionSummary = Static<typeof TaskSequenceVersionSummary>;

export const ListTaskSequencesQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 200 })),
    kind: Type.Optional(TaskSequenceKind),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type ListTaskSequencesQuery = Static<typeof ListTaskSequencesQuery>;

export const VersionParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  },
  { additionalProperties: false },
);

/** Variables set on a collection or a device (they override a sequence's defaults). */
export const TargetVariables = Type.Object(
  {
    variables: Type.Array(
      Type.Object({ name: VariableName, value: VariableValue }, { additionalProperties: false }),
      { maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);
export type TargetVariables = Static<typeof TargetVariables>;

// ---- progress (the engine's report, the monitoring views) ----

export const StepRunStatus = Type.Union([
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('skipped'),
]);
export type StepRunStatus = Static<typeof StepRunStatus>;

export const StepRunRecord = Type.Object({
  stepId: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  /** 1-based position among the sequence's steps. */
  number: Type.Integer(),
  status: StepRunStatus,
  /** Why a step was skipped (disabled, condition false) or failed; null otherwise. */
  reason: Nullable(Type.String()),
  exitCode: Nullable(Type.Integer()),
  /** The last lines of the step's output (bounded). */
  outputTail: Nullable(Type.String()),
  /** The failure was forgiven by continue on error. */
  continued: Type.Boolean(),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
});
export type StepRunRecord = Static<typeof StepRunRecord>;

export const SequenceRunState = Type.Union([
  Type.Literal('running'),
  /** A restart step asked for a reboot; the run resumes at the next step afterwards. */
  Type.Literal('restarting'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
]);
export type SequenceRunState = Static<typeof SequenceRunState>;

/** One device's run of one sequence version: where it is and what it did. */
export const SequenceProgress = Type.Object({
  sequenceId: Type.String(),
  version: Type.Integer(),
  state: SequenceRunState,
  currentStepId: Nullable(Type.String()),
  currentStepName: Nullable(Type.String()),
  /** The step being run or next to run (1-based); stepCount when the run has ended. */
  stepNumber: Type.Integer(),
  stepCount: Type.Integer(),
  history: Type.Array(StepRunRecord),
  startedAt: Type.String(),
  updatedAt: Type.String(),
});
export type SequenceProgress = Static<typeof SequenceProgress>;

/**
 * What the engine runs: one version of a sequence with its variables already layered (defaults,
 * then collections, then the device). The agent gets it with its deployments; boot media and the
 * boot environment carry the same document.
 */
export const RunnableSequence = Type.Object({
  sequenceId: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  steps: SequenceSteps,
  variables: Variables,
});
export type RunnableSequence = Static<typeof RunnableSequence>;
