import type { Step, StepKind, StepOf } from '@steward/protocol';

/** What a step executor gets besides its step: the variables, and a way to stop. */
export interface StepContext {
  /** The current variables, built-ins included (read only: use `setVariable`). */
  readonly variables: Readonly<Record<string, string>>;
  setVariable(name: string, value: string): void;
  /** Aborted when the step's timeout passes: an executor stops (and kills what it started). */
  readonly signal: AbortSignal;
}

export interface StepResult {
  ok: boolean;
  exitCode: number;
  /** Why it failed (null on success). */
  reason: string | null;
  outputTail: string | null;
  /** Set by a restart step: the engine saves its state, then asks the host to reboot. */
  restart?: 'full-os' | 'boot-image';
}

export type StepExecutor<K extends StepKind = StepKind> = (
  step: StepOf<K>,
  ctx: StepContext,
) => Promise<StepResult>;

/**
 * The step kinds an environment can run. The engine itself knows none: the full OS registers
 * the kinds it can run there, the boot environment adds the disk and image kinds (ADR 0069).
 */
export type ExecutorRegistry = { [K in StepKind]?: StepExecutor<K> };

/** The registry's executor for a step's kind, typed for any step. */
export function executorFor(registry: ExecutorRegistry, step: Step): StepExecutor | undefined {
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a mapped registry indexed by the step's own kind holds an executor of that kind; TypeScript cannot correlate the two
  return registry[step.kind] as StepExecutor | undefined;
}

export function failed(reason: string, exitCode = 1, outputTail: string | null = null): StepResult {
  return { ok: false, exitCode, reason, outputTail };
}

export const SUCCEEDED: StepResult = { ok: true, exitCode: 0, reason: null, outputTail: null };
