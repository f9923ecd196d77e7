import {
  type Group,
  type PlacedStep,
  type RunnableSequence,
  type SequenceProgress,
  type StepRunRecord,
  placedSteps,
  sequenceTree,
} from '@steward/protocol';
import { evaluateCondition, type Facts, NO_FACTS } from './conditions.js';
import { executorFor, failed, type ExecutorRegistry, type StepResult } from './executor.js';
import { type EngineState, loadEngineState, saveEngineState } from './state.js';
import { isBuiltInVariable } from './variables.js';

/** What the engine tells its host as it goes (the host raises status messages and reports). */
export type EngineEvent =
  | { type: 'started' | 'resumed' | 'finished'; progress: SequenceProgress }
  | { type: 'step-started' | 'step-finished'; progress: SequenceProgress; record: StepRunRecord }
  | { type: 'restarting'; progress: SequenceProgress; record: StepRunRecord };

export interface EngineOptions {
  /** Where the state file lives; it must survive the restarts the sequence makes. */
  stateDir: string;
  executors: ExecutorRegistry;
  /** Where the engine runs: steps that need the other environment fail clearly. */
  environment: 'full-os' | 'boot-image';
  facts?: Facts;
  now?: () => Date;
  onEvent?: (event: EngineEvent) => Promise<void> | void;
  /** Called once the state is saved after a restart step; the engine returns right after. */
  reboot: (into: 'full-os' | 'boot-image') => Promise<void>;
}

/** How a call to the engine ended. 'restarting': run the engine again after the reboot. */
export type EngineOutcome = SequenceProgress['state'];

/** The steps of the sequence in run order; positions in the state index into this. */
function orderOf(state: EngineState): PlacedStep[] {
  return placedSteps(sequenceTree(state.sequence.steps));
}

function newState(seq: RunnableSequence, at: string): EngineState {
  const count = placedSteps(sequenceTree(seq.steps)).length;
  return {
    format: 1,
    sequence: seq,
    variables: Object.fromEntries(
      Object.entries(seq.variables).filter(([name]) => !isBuiltInVariable(name)),
    ),
    position: 0,
    groupDecisions: {},
    lastExitCode: 0,
    progress: {
      sequenceId: seq.sequenceId,
      version: seq.version,
      state: 'running',
      currentStepId: null,
      currentStepName: null,
      stepNumber: count === 0 ? 0 : 1,
      stepCount: count,
      history: [],
      startedAt: at,
      updatedAt: at,
    },
  };
}

/**
 * Starts a sequence in `stateDir` (a state already there for the same sequence and version is
 * resumed instead, so a host that starts the same deployment twice does not run it twice).
 */
export async function startSequence(
  seq: RunnableSequence,
  opts: EngineOptions,
): Promise<EngineOutcome> {
  const existing = await loadEngineState(opts.stateDir);
  if (
    existing &&
    existing.sequence.sequenceId === seq.sequenceId &&
    existing.sequence.version === seq.version
  ) {
    return runFromState(existing, opts, 'resumed');
  }
  const state = newState(seq, (opts.now?.() ?? new Date()).toISOString());
  await saveEngineState(opts.stateDir, state);
  return runFromState(state, opts, 'started');
}

/** Resumes the sequence saved in `stateDir` (after a reboot or a crash); undefined when none. */
export async function resumeSequence(opts: EngineOptions): Promise<EngineOutcome | undefined> {
  const state = await loadEngineState(opts.stateDir);
  if (!state) return undefined;
  return runFromState(state, opts, 'resumed');
}

async function runFromState(
  state: EngineState,
  opts: EngineOptions,
  how: 'started' | 'resumed',
): Promise<EngineOutcome> {
  const p = state.progress;
  if (p.state === 'succeeded' || p.state === 'failed') return p.state;
  const last = p.history.at(-1);
  // A step cut short by a crash (recorded as running) runs again: steps are written to be
  // idempotent, as in Configuration Manager, since nothing can tell how far it got.
  if (last?.status === 'running') p.history.pop();
  p.state = 'running';
  await emit(opts, { type: how, progress: p });
  const order = orderOf(state);
  while (state.position < order.length) {
    const placed = order[state.position];
    if (!placed) break;
    const outcome = await runOne(state, placed, order, opts);
    if (outcome !== 'next') return outcome;
  }
  return finish(state, opts, 'succeeded');
}

async function emit(opts: EngineOptions, event: EngineEvent): Promise<void> {
  await opts.onEvent?.(event);
}

function stamp(state: EngineState, opts: EngineOptions): string {
  const at = (opts.now?.() ?? new Date()).toISOString();
  state.progress.updatedAt = at;
  return at;
}

async function finish(
  state: EngineState,
  opts: EngineOptions,
  outcome: 'succeeded' | 'failed',
): Promise<EngineOutcome> {
  const p = state.progress;
  p.state = outcome;
  p.currentStepId = null;
  p.currentStepName = null;
  if (outcome === 'succeeded') p.stepNumber = p.stepCount;
  stamp(state, opts);
  await saveEngineState(opts.stateDir, state);
  await emit(opts, { type: 'finished', progress: p });
  return outcome;
}

/** Why a step does not run (disabled, a false condition), or undefined when it runs. */
function skipReason(state: EngineState, placed: PlacedStep, facts: Facts): string | undefined {
  for (const group of placed.groups) {
    if (!group.enabled) return `group "${group.name}" is disabled`;
    let decision = state.groupDecisions[group.id];
    if (decision === undefined) {
      decision = group.condition
        ? evaluateCondition(group.condition, variablesOf(state), facts)
        : true;
      state.groupDecisions[group.id] = decision;
    }
    if (!decision) return `the condition of group "${group.name}" is false`;
  }
  if (!placed.step.enabled) return 'the step is disabled';
  if (placed.step.condition && !evaluateCondition(placed.step.condition, variablesOf(state), facts))
    return 'its condition is false';
  return undefined;
}

/** The variables a step sees: the sequence's, and the engine's built-ins over them. */
export function variablesOf(state: EngineState): Record<string, string> {
  const placed = orderOf(state)[state.position];
  return {
    ...state.variables,
    _STWSequenceId: state.sequence.sequenceId,
    _STWSequenceName: state.sequence.name,
    _STWSequenceVersion: String(state.sequence.version),
    _STWCurrentStep: placed?.step.name ?? '',
    _STWCurrentStepId: placed?.step.id ?? '',
    _STWCurrentStepNumber: String(state.position + 1),
    _STWStepCount: String(state.progress.stepCount),
    _STWLastExitCode: String(state.lastExitCode),
  };
}

function record(state: EngineState, placed: PlacedStep, at: string): StepRunRecord {
  return {
    stepId: placed.step.id,
    name: placed.step.name,
    kind: placed.step.kind,
    number: state.position + 1,
    status: 'running',
    reason: null,
    exitCode: null,
    outputTail: null,
    continued: false,
    startedAt: at,
    finishedAt: null,
  };
}

/** Runs (or skips) the step at the state's position; 'next' to go on, else the run's outcome. */
async function runOne(
  state: EngineState,
  placed: PlacedStep,
  order: PlacedStep[],
  opts: EngineOptions,
): Promise<'next' | EngineOutcome> {
  const p = state.progress;
  p.stepNumber = state.position + 1;
  p.currentStepId = placed.step.id;
  p.currentStepName = placed.step.name;
  const rec = record(state, placed, stamp(state, opts));
  const skip = skipReason(state, placed, opts.facts ?? NO_FACTS);
  if (skip !== undefined) {
    Object.assign(rec, { status: 'skipped', reason: skip, finishedAt: rec.startedAt });
    p.history.push(rec);
    state.position++;
    await saveEngineState(opts.stateDir, state);
    await emit(opts, { type: 'step-finished', progress: p, record: rec });
    return 'next';
  }
  p.history.push(rec);
  await saveEngineState(opts.stateDir, state);
  await emit(opts, { type: 'step-started', progress: p, record: rec });
  const result = await execute(state, placed, opts);
  state.lastExitCode = result.exitCode;
  Object.assign(rec, {
    status: result.ok ? 'succeeded' : 'failed',
    reason: result.reason,
    exitCode: result.exitCode,
    outputTail: result.outputTail,
    finishedAt: stamp(state, opts),
  });
  if (result.ok) return afterSuccess(state, rec, result, opts);
  return afterFailure(state, placed, order, rec, opts);
}

async function afterSuccess(
  state: EngineState,
  rec: StepRunRecord,
  result: StepResult,
  opts: EngineOptions,
): Promise<'next' | EngineOutcome> {
  state.position++;
  if (result.restart) {
    // Saved before the reboot is asked for: whatever happens to this process from here on,
    // the next start of the engine resumes at the step after this one.
    state.progress.state = 'restarting';
    await saveEngineState(opts.stateDir, state);
    await emit(opts, { type: 'restarting', progress: state.progress, record: rec });
    await opts.reboot(result.restart);
    return 'restarting';
  }
  await saveEngineState(opts.stateDir, state);
  await emit(opts, { type: 'step-finished', progress: state.progress, record: rec });
  return 'next';
}

/**
 * A failed step: continue on error on the step goes on with the next step; else the innermost
 * enclosing group with continue on error ends there and the sequence goes on after the group;
 * else the sequence fails and nothing after the step runs.
 */
async function afterFailure(
  state: EngineState,
  placed: PlacedStep,
  order: PlacedStep[],
  rec: StepRunRecord,
  opts: EngineOptions,
): Promise<'next' | EngineOutcome> {
  const forgivingGroup: Group | undefined = [...placed.groups]
    .reverse()
    .find((g) => g.continueOnError);
  if (placed.step.continueOnError || forgivingGroup) {
    rec.continued = true;
    state.position = forgivingGroup
      ? endOfGroup(order, state.position, forgivingGroup.id)
      : state.position + 1;
    await saveEngineState(opts.stateDir, state);
    await emit(opts, { type: 'step-finished', progress: state.progress, record: rec });
    return 'next';
  }
  await saveEngineState(opts.stateDir, state);
  await emit(opts, { type: 'step-finished', progress: state.progress, record: rec });
  return finish(state, opts, 'failed');
}

/** The position of the first step after the group holding the step at `from`. */
function endOfGroup(order: PlacedStep[], from: number, groupId: string): number {
  let i = from + 1;
  while (i < order.length && order[i]?.groups.some((g) => g.id === groupId)) i++;
  return i;
}

async function execute(
  state: EngineState,
  placed: PlacedStep,
  opts: EngineOptions,
): Promise<StepResult> {
  const executor = executorFor(opts.executors, placed.step);
  if (!executor) {
    return failed(
      opts.environment === 'full-os'
        ? `step kind ${placed.step.kind} needs the boot environment: it cannot run in the full OS`
        : `step kind ${placed.step.kind} cannot run in the boot environment`,
    );
  }
  const controller = new AbortController();
  const seconds = placed.step.timeoutSeconds;
  const timer =
    seconds === undefined ? undefined : setTimeout(() => controller.abort(), seconds * 1000);
  try {
    const result = await executor(placed.step, {
      variables: variablesOf(state),
      setVariable: (name, value) => {
        if (isBuiltInVariable(name)) throw new Error(`${name} is a built-in variable`);
        state.variables[name] = value;
      },
      signal: controller.signal,
    });
    return controller.signal.aborted && !result.ok
      ? { ...result, reason: `timed out after ${String(seconds)} s` }
      : result;
  } catch (err) {
    return failed(err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(timer);
  }
}
